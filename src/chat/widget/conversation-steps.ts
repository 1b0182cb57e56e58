import type { ChatEvent } from '../../records/chat-event.js';
import type { ChatApi, EventOutcome } from './chat-api-client.js';
import type { Navigation } from './chat-view.js';
import type { DialogueCards } from './dialogue-walker.js';
import type { ConversationRecord, VisitorMemory } from './visitor-memory.js';
import type { Language } from './widget-strings.js';

/**
 * The bookkeeping around a conversation, apart from playing it: events with the cards seen
 * since the previous one and the language, going back a question, starting over, and the
 * visitor's "back" and "start over" clicks as something the player can wait for.
 */

/** At most this many card ids go with one event (the contract's limit). */
const MAX_CARDS_SEEN = 100;

export interface EventSender {
  send(
    type: ChatEvent['type'],
    extra?: { value?: string; cardId?: string; answers?: Record<string, string> },
    email?: string,
  ): Promise<EventOutcome>;
  /** A card the visitor was shown: it goes with the next event. */
  seen(cardId: string): void;
}

export function createEventSender(
  deps: {
    api: Pick<ChatApi, 'sendEvent'>;
    memory: VisitorMemory;
    newId(): string;
    pageUrl: string;
    mktoTrk(): string | undefined;
    language?: Language | undefined;
  },
  dialogue: Pick<DialogueCards, 'id' | 'version'>,
  record: ConversationRecord,
): EventSender {
  const save = () => deps.memory.saveConversation(record);
  return {
    seen(cardId) {
      record.cardsSeen.push(cardId);
      save();
    },
    async send(type, extra = {}, email) {
      const visitor = { ...deps.memory.visitor(), ...(email ? { email } : {}) };
      const mktoTrk = deps.mktoTrk();
      const cardsSeen = record.cardsSeen.splice(0).slice(-MAX_CARDS_SEEN);
      save();
      const outcome = await deps.api.sendEvent({
        type,
        dialogueId: dialogue.id,
        dialogueVersion: dialogue.version,
        conversationId: record.conversationId,
        eventId: deps.newId(),
        pageUrl: deps.pageUrl,
        visitor: mktoTrk ? { ...visitor, mktoTrk } : visitor,
        ...extra,
        ...(cardsSeen.length > 0 ? { cardsSeen } : {}),
        ...(deps.language ? { language: deps.language } : {}),
      });
      // A refused event recorded nothing: its cards go with the next one.
      if (!outcome.ok && cardsSeen.length > 0) {
        record.cardsSeen.unshift(...cardsSeen);
        save();
      }
      return outcome;
    },
  };
}

/** Back to the question answered last: its text is asked again, later answers forgotten. */
export function goBack(record: ConversationRecord): boolean {
  const step = record.history.pop();
  if (!step) return false;
  record.transcript.length = Math.min(step.transcript, record.transcript.length);
  record.answers = step.answers;
  record.at = step.card;
  record.awaiting = false;
  return true;
}

/** The same conversation from its first card, with nothing answered (cards seen are kept). */
export function startOver(record: ConversationRecord, start: string): void {
  Object.assign(record, {
    at: start,
    awaiting: false,
    completed: false,
    transcript: [],
    answers: {},
    history: [],
  });
}

/** The visitor's "back" and "start over", queued until the player waits for them. */
export interface Navigator {
  go(to: Navigation): void;
  /** The next click (one made while the player was busy comes at once). */
  next(): Promise<Navigation>;
  /** The player stopped waiting (the visitor answered): later clicks are queued. */
  idle(): void;
}

export function createNavigator(): Navigator {
  let queued: Navigation | null = null;
  let waiting: ((to: Navigation) => void) | null = null;
  return {
    go(to) {
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        resolve(to);
        // Start over wins over a back clicked before it was handled.
      } else if (queued !== 'restart') queued = to;
    },
    next() {
      if (queued) {
        const to = queued;
        queued = null;
        return Promise.resolve(to);
      }
      return new Promise((resolve) => (waiting = resolve));
    },
    idle() {
      waiting = null;
    },
  };
}
