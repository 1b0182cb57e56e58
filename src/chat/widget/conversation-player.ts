import type { ChatEvent } from '../../records/chat-contract.js';
import { bookMeeting, BOOKING_TEXT, presentMeeting, type BookingDeps } from './booking-card.js';
import type { ChatApi } from './chat-api-client.js';
import type { ChatView, FormField } from './chat-view.js';
import {
  nextAfterButton,
  walkDialogue,
  type AskCard,
  type DialogueCards,
} from './dialogue-walker.js';
import { isEmailAddress } from './email-address.js';
import type { ConversationRecord, VisitorMemory } from './visitor-memory.js';

/**
 * Plays one conversation card by card. DOM-free: the view, the API, storage, timers and ids
 * are injected, so node tests drive it with fakes and the browser gets the real ones.
 */

export type { ChatView, FormCheck, FormField } from './chat-view.js';

export type BrowserEventName =
  | 'ready'
  | 'triggered'
  | 'engaged'
  | 'email-given'
  | 'goal-reached'
  | 'meeting-booked'
  | 'completed';

export interface PlayerDeps extends Omit<BookingDeps, 'api'> {
  api: Pick<ChatApi, 'sendEvent' | 'slots' | 'book' | 'cancelMeeting'>;
  memory: VisitorMemory;
  view: ChatView;
  /** Dispatches `marketo-chat:<name>` on window. */
  emit(name: BrowserEventName, detail: Record<string, unknown>): void;
  sleep(ms: number): Promise<void>;
  pageUrl: string;
  /** The Munchkin `_mkto_trk` cookie, read when each event is sent. */
  mktoTrk(): string | undefined;
  /** The configured "typing" pause before each bot message. */
  responseDelayMs: number;
}

const EMAIL_FIELDS: FormField[] = [{ label: 'Email', type: 'email', autocomplete: 'email' }];

export const TEXT = { ...BOOKING_TEXT, send: 'Send' };

export async function playConversation(
  deps: PlayerDeps,
  dialogue: DialogueCards,
  record: ConversationRecord,
): Promise<void> {
  const { memory, view } = deps;
  const about = {
    dialogueId: dialogue.id,
    dialogueVersion: dialogue.version,
    dialogueName: dialogue.name,
    conversationId: record.conversationId,
  };
  const save = () => memory.saveConversation(record);

  const send = (type: ChatEvent['type'], value?: string, email?: string) => {
    const visitor = { ...memory.visitor(), ...(email ? { email } : {}) };
    const mktoTrk = deps.mktoTrk();
    return deps.api.sendEvent({
      type,
      dialogueId: dialogue.id,
      dialogueVersion: dialogue.version,
      conversationId: record.conversationId,
      eventId: deps.newId(),
      pageUrl: deps.pageUrl,
      visitor: mktoTrk ? { ...visitor, mktoTrk } : visitor,
      ...(value === undefined ? {} : { value }),
    });
  };
  /** Triggered and engaged count once per visitor and session (dynamic-chat-activities.md). */
  const oncePerSession = (type: 'triggered' | 'engaged') => {
    if (!memory.firstThisSession(`${type}:${record.conversationId}`)) return;
    void send(type);
    deps.emit(type, about);
  };
  const engage = () => {
    if (!record.engaged) {
      record.engaged = true;
      save();
    }
    oncePerSession('engaged');
  };
  const write = (from: 'bot' | 'visitor', text: string) => {
    view.say(from, text);
    record.transcript.push({ from, text });
  };
  const botSays = async (text: string) => {
    if (deps.responseDelayMs > 0) {
      view.typing(true);
      await deps.sleep(deps.responseDelayMs);
      view.typing(false);
    }
    write('bot', text);
  };
  /** Email-given: refused answers (e.g. a blocked domain) come back as the server's message. */
  const giveEmail = async (email: string): Promise<string | null> => {
    if (memory.visitor().email === email) return null;
    const outcome = await send('email-given', email, email);
    if (!outcome.ok) return outcome.message;
    memory.rememberEmail(email);
    deps.emit('email-given', { ...about, email });
    return null;
  };

  oncePerSession('triggered');
  await view.showLauncher();
  for (const line of record.transcript) view.say(line.from, line.text);

  for (;;) {
    let card: AskCard;
    if (record.awaiting) {
      const pending = dialogue.cards.find((c) => c.id === record.at);
      if (
        !pending ||
        (pending.type !== 'question' && pending.type !== 'email' && pending.type !== 'booking')
      )
        return;
      card = pending;
    } else {
      const walk = walkDialogue(dialogue, record.at);
      for (const step of walk.steps) {
        if (step.type === 'message') await botSays(step.text);
        else {
          void send('goal-reached', step.name);
          deps.emit('goal-reached', { ...about, goal: step.name });
        }
        record.at = step.next;
        save();
      }
      if (walk.stop.kind === 'end') return complete();
      if (walk.stop.kind === 'broken') return;
      card = walk.stop.card;
      await botSays(card.text);
      record.at = card.id;
      record.awaiting = true;
      save();
    }
    record.at = await answer(card);
    record.awaiting = false;
    save();
  }

  async function complete() {
    record.at = null;
    record.awaiting = false;
    record.completed = true;
    save();
    await send('completed');
    deps.emit('completed', about);
  }

  async function answer(card: AskCard): Promise<string | null> {
    if (card.type === 'question') {
      const index = await view.choose(card.buttons.map((b) => b.label));
      engage();
      write('visitor', (card.buttons[index] || { label: '' }).label);
      return nextAfterButton(card, index);
    }
    if (card.type === 'booking') {
      const { email: givenEmail } = memory.visitor();
      const mktoTrk = deps.mktoTrk();
      const booked = await bookMeeting(deps, {
        dialogueId: dialogue.id,
        conversationId: record.conversationId,
        anonymousId: memory.visitor().anonymousId,
        ...(card.routing === 'agent' && card.agentEmail ? { agentEmail: card.agentEmail } : {}),
        ...(givenEmail ? { email: givenEmail } : {}),
        ...(mktoTrk ? { mktoTrk } : {}),
        engage,
        giveEmail,
      });
      const { meeting, name, email } = booked;
      write('visitor', [booked.format.when(meeting.start), name, email].join(' · '));
      // Kept as text: a reload shows the booking, not its links (they are shown once).
      record.transcript.push({ from: 'bot', text: presentMeeting(deps, booked) });
      void send('meeting-booked', meeting.id, email);
      const { id, start, end, timeZone, meetingUrl } = meeting;
      // Dynamic Chat's CONVERSATION_MEETING_BOOKED gives agentName, agentID and meetingInfo.
      // The manage links stay out: any script on the page hears this event.
      deps.emit('meeting-booked', {
        ...about,
        agentName: meeting.agent.name,
        agentID: meeting.agent.id,
        meetingInfo: { id, start, end, timeZone, ...(meetingUrl ? { meetingUrl } : {}) },
        name,
        email,
      });
      return card.next;
    }
    const values = (await view.fillIn(EMAIL_FIELDS, TEXT.send, async ([email = '']) => {
      engage();
      if (!isEmailAddress(email)) return TEXT.invalidEmail;
      return giveEmail(email);
    })) as string[];
    write('visitor', values.join(' · '));
    return card.next;
  }
}
