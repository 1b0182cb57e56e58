import { bookMeeting, presentMeeting, type BookingDeps } from './booking-card.js';
import { answerCard, type AnswerContext, type Answered } from './card-answers.js';
import type { ChatApi } from './chat-api-client.js';
import type { ChatView } from './chat-view.js';
import {
  createEventSender,
  createNavigator,
  goBack,
  startOver,
  type Navigator,
} from './conversation-steps.js';
import {
  isAskCard,
  walkDialogue,
  type AskCard,
  type AutoCard,
  type DialogueCards,
} from './dialogue-walker.js';
import type { ConversationRecord, VisitorMemory } from './visitor-memory.js';
import { STRINGS, type Language } from './widget-strings.js';

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
  | 'answered'
  | 'goal-reached'
  | 'meeting-booked'
  | 'completed'
  | 'unavailable';

export interface PlayerDeps extends Omit<BookingDeps, 'api'> {
  api: Pick<ChatApi, 'sendEvent' | 'slots' | 'book' | 'cancelMeeting' | 'branch'>;
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
  /** The widget's language, sent with every event. */
  language?: Language;
  /** The visitor's "back" and "start over" (the view's controls, MarketoChat.restart()). */
  navigator?: Navigator;
}

/** English texts the tests read. */
export const TEXT = STRINGS.en;

export type PlayEnd = 'completed' | 'broken';

export async function playConversation(
  deps: PlayerDeps,
  dialogue: DialogueCards,
  record: ConversationRecord,
): Promise<PlayEnd> {
  const { memory, view } = deps;
  const t = deps.strings || STRINGS.en;
  const nav = deps.navigator || createNavigator();
  const about = {
    dialogueId: dialogue.id,
    dialogueVersion: dialogue.version,
    dialogueName: dialogue.name,
    conversationId: record.conversationId,
  };
  const save = () => memory.saveConversation(record);
  const events = createEventSender(deps, dialogue, record);
  const send = events.send;
  const opened = new Set<string>();

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
  const showDocument = (doc: { cardId: string; title: string; url: string }) =>
    view.showDocument(doc.title, doc.url, () => {
      // Once per page view: a second click is the same interest, not a new activity.
      if (opened.has(doc.cardId)) return;
      opened.add(doc.cardId);
      void send('document-opened', { cardId: doc.cardId });
    });
  /** Draws the conversation so far; `fresh`: the view is new and empty. */
  const replay = (fresh = false) => {
    if (!fresh) view.reset();
    for (const line of record.transcript) {
      view.say(line.from, line.text);
      if (line.document) showDocument(line.document);
    }
  };
  /** Email-given: refused answers (e.g. a blocked domain) come back as the server's message. */
  const giveEmail = async (email: string): Promise<string | null> => {
    if (memory.visitor().email === email) return null;
    const outcome = await send('email-given', { value: email }, email);
    if (!outcome.ok) return outcome.message;
    memory.rememberEmail(email);
    deps.emit('email-given', { ...about, email });
    return null;
  };
  const answers: AnswerContext = {
    view,
    t,
    engage,
    giveEmail,
    async sendAnswers(cardId, given) {
      const outcome = await send('answered', { cardId, answers: given });
      if (outcome.ok) deps.emit('answered', { ...about, cardId, answers: given });
      return outcome;
    },
  };

  oncePerSession('triggered');
  await view.showLauncher();
  replay(true);

  // Conditions passed without a question between them: more than the cards means a loop.
  let unasked = 0;
  for (;;) {
    view.canGoBack(record.history.length > 0);
    if (!record.awaiting) {
      const walk = walkDialogue(dialogue, record.at);
      for (const step of walk.steps) {
        await play(step);
        record.at = step.next;
        save();
      }
      const stop = walk.stop;
      if (stop.kind === 'end') return complete();
      if (stop.kind === 'broken' || unasked > dialogue.cards.length) return 'broken';
      if (stop.kind === 'condition') {
        unasked += 1;
        // With the Munchkin cookie: lead conditions apply to a visitor known as resolve knows them.
        const trk = deps.mktoTrk();
        const branched = await deps.api.branch({
          dialogueId: dialogue.id,
          dialogueVersion: dialogue.version,
          cardId: stop.card.id,
          conversationId: record.conversationId,
          visitor: trk ? { ...memory.visitor(), mktoTrk: trk } : memory.visitor(),
          answers: record.answers,
        });
        // No verdict (network, refusal): the card's own way out.
        record.at = branched ? branched.next : stop.card.otherwise;
        save();
        continue;
      }
      unasked = 0;
      await botSays(stop.card.text);
      events.seen(stop.card.id);
      record.at = stop.card.id;
      record.awaiting = true;
      save();
    }
    const card = dialogue.cards.find((c) => c.id === record.at);
    if (!isAskCard(card)) return 'broken';
    view.canGoBack(record.history.length > 0);
    const outcome = await Promise.race([
      answer(card).then((answered) => ({ answered })),
      nav.next().then((to) => ({ to })),
    ]);
    if ('to' in outcome) {
      if (outcome.to === 'restart') startOver(record, dialogue.start);
      else if (!goBack(record)) continue;
      save();
      replay();
      continue;
    }
    nav.idle();
    const { answered } = outcome;
    if (card.type !== 'booking') {
      // Back returns to this question: the transcript from its text on, the answers before it.
      record.history.push({
        card: card.id,
        transcript: record.transcript.length - 1,
        answers: { ...record.answers },
      });
      write('visitor', answered.said);
      Object.assign(record.answers, answered.answers);
    }
    record.at = answered.next;
    record.awaiting = false;
    save();
  }

  async function play(step: AutoCard) {
    if (step.type === 'message') {
      await botSays(step.text);
      events.seen(step.id);
    } else if (step.type === 'document') {
      await botSays(step.text);
      const doc = { cardId: step.id, title: step.document.title, url: step.document.url };
      const line = record.transcript[record.transcript.length - 1];
      if (line) line.document = doc;
      showDocument(doc);
      events.seen(step.id);
    } else if (step.type === 'goal') {
      void send('goal-reached', { value: step.name });
      deps.emit('goal-reached', { ...about, goal: step.name });
    } else {
      // A Marketo action is requested now: going back cannot take it back.
      record.history = [];
      void send('action-reached', { cardId: step.id });
    }
  }

  async function complete(): Promise<PlayEnd> {
    record.at = null;
    record.awaiting = false;
    record.completed = true;
    record.history = [];
    view.canGoBack(false);
    save();
    await send('completed');
    deps.emit('completed', about);
    return 'completed';
  }

  function answer(card: AskCard): Promise<Answered> {
    return card.type === 'booking' ? book(card) : answerCard(answers, card);
  }

  async function book(card: Extract<AskCard, { type: 'booking' }>): Promise<Answered> {
    const { email: givenEmail } = memory.visitor();
    const mktoTrk = deps.mktoTrk();
    const booked = await bookMeeting(deps, {
      dialogueId: dialogue.id,
      conversationId: record.conversationId,
      anonymousId: memory.visitor().anonymousId,
      ...(card.routing === 'agent' && card.agentEmail ? { agentEmail: card.agentEmail } : {}),
      ...(givenEmail ? { email: givenEmail } : {}),
      ...(mktoTrk ? { mktoTrk } : {}),
      meetingTypes: card.meetingTypes,
      engage,
      giveEmail,
    });
    const { meeting, name, email } = booked;
    write('visitor', [booked.format.when(meeting.start), name, email].join(' · '));
    // Kept as text: a reload shows the booking, not its links (they are shown once).
    record.transcript.push({ from: 'bot', text: presentMeeting(deps, booked) });
    // A booked meeting stays booked: going back stops here.
    record.history = [];
    void send('meeting-booked', { value: meeting.id }, email);
    const { id, start, end, timeZone, meetingUrl } = meeting;
    // Dynamic Chat's CONVERSATION_MEETING_BOOKED gives agentName, agentID and meetingInfo.
    // The manage links stay out: any script on the page hears this event.
    deps.emit('meeting-booked', {
      ...about,
      agentName: meeting.agent.name,
      agentID: meeting.agent.id,
      meetingInfo: {
        id,
        start,
        end,
        timeZone,
        ...(meetingUrl ? { meetingUrl } : {}),
        ...(meeting.meetingType ? { meetingType: meeting.meetingType } : {}),
      },
      name,
      email,
    });
    return { next: card.next, said: '', answers: {} };
  }
}

/**
 * Plays the conversation, and again from its first card each time the visitor starts over
 * after it ended (a start over before the end is the player's own).
 */
export async function runConversation(
  deps: PlayerDeps & { navigator: Navigator },
  dialogue: DialogueCards,
  record: ConversationRecord,
): Promise<never> {
  for (;;) {
    await playConversation(deps, dialogue, record);
    while ((await deps.navigator.next()) !== 'restart');
    startOver(record, dialogue.start);
    deps.memory.saveConversation(record);
  }
}
