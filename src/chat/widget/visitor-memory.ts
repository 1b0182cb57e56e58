import type { PublishedChatDocument } from '../../records/chat-widget-api.js';
import type { DialogueCards } from './dialogue-walker.js';

/**
 * What the widget remembers about this browser, in localStorage (and sessionStorage for the
 * once-per-session counters). Storage is injected so node tests use a Map; every read is
 * defensive because another script, an old widget or the visitor may have changed it.
 */

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type ChatLook = PublishedChatDocument['configuration'];

export interface CachedLook {
  etag: string | null;
  configuration: ChatLook;
}

export interface TranscriptLine {
  from: 'bot' | 'visitor';
  text: string;
  /** A document card's link, drawn again under its text on a reload. */
  document?: { cardId: string; title: string; url: string };
}

/** Where "back" returns to: a question the visitor answered, and what was true before it. */
export interface AnsweredStep {
  /** The question card. */
  card: string;
  /** The transcript's length before the question was asked. */
  transcript: number;
  /** The answers before it was answered. */
  answers: Record<string, string>;
}

/** One visitor's conversation with one dialogue; it keeps the version it started with. */
export interface ConversationRecord {
  conversationId: string;
  dialogueId: string;
  version: number;
  engaged: boolean;
  completed: boolean;
  /** The card to play next; null once the branch has ended. */
  at: string | null;
  /** True when `at` is a card whose question text is already shown and awaits an answer. */
  awaiting: boolean;
  transcript: TranscriptLine[];
  /** The visitor's answers: by card id (input, question, email) or form field key. */
  answers: Record<string, string>;
  /** Questions answered since the last step that cannot be undone (a booking, an action). */
  history: AnsweredStep[];
  /** Cards shown and not yet reported with an event (`cardsSeen`). */
  cardsSeen: string[];
}

const PREFIX = 'marketo-chat:';
const ID = /^[A-Za-z0-9_-]{8,64}$/;
/** Keeps the stored transcript (and localStorage use) bounded on very long conversations. */
const MAX_TRANSCRIPT = 200;

export interface VisitorMemory {
  visitor(): { anonymousId: string; email?: string };
  rememberEmail(email: string): void;
  conversation(dialogueId: string): ConversationRecord | null;
  saveConversation(record: ConversationRecord): void;
  cards(dialogueId: string, version: number): DialogueCards | null;
  saveCards(dialogue: DialogueCards): void;
  dropCards(dialogueId: string, version: number): void;
  look(): CachedLook | null;
  saveLook(look: CachedLook): void;
  /** True the first time it is asked for `key` in this browser session. */
  firstThisSession(key: string): boolean;
}

export function createVisitorMemory(
  local: KeyValueStorage,
  session: KeyValueStorage,
  newId: () => string,
): VisitorMemory {
  const read = <T>(store: KeyValueStorage, key: string): T | null => {
    try {
      const raw = store.getItem(PREFIX + key);
      return raw === null ? null : (JSON.parse(raw) as T);
    } catch {
      return null;
    }
  };
  const write = (store: KeyValueStorage, key: string, value: unknown): void => {
    try {
      store.setItem(PREFIX + key, JSON.stringify(value));
    } catch {
      // Full or disabled storage: the widget still works for this page view.
    }
  };

  const visitor = (): { anonymousId: string; email?: string } => {
    const stored = read<{ anonymousId?: unknown; email?: unknown }>(local, 'visitor') || {};
    const anonymousId =
      typeof stored.anonymousId === 'string' && ID.test(stored.anonymousId)
        ? stored.anonymousId
        : newId();
    const email = typeof stored.email === 'string' ? stored.email : undefined;
    if (anonymousId !== stored.anonymousId) write(local, 'visitor', { anonymousId, email });
    return email ? { anonymousId, email } : { anonymousId };
  };

  return {
    visitor,
    rememberEmail(email) {
      write(local, 'visitor', { ...visitor(), email });
    },
    conversation(dialogueId) {
      const r = read<ConversationRecord>(local, `conversation:${dialogueId}`);
      if (
        !r ||
        typeof r.version !== 'number' ||
        !Array.isArray(r.transcript) ||
        !ID.test(r.conversationId)
      )
        return null;
      // Records of the widget before answers and "back" existed.
      const answers = r.answers && typeof r.answers === 'object' ? r.answers : {};
      const history = Array.isArray(r.history) ? r.history : [];
      const cardsSeen = Array.isArray(r.cardsSeen) ? r.cardsSeen : [];
      return { ...r, answers, history, cardsSeen };
    },
    saveConversation(record) {
      write(local, `conversation:${record.dialogueId}`, {
        ...record,
        transcript: record.transcript.slice(-MAX_TRANSCRIPT),
      });
    },
    cards(dialogueId, version) {
      const d = read<DialogueCards>(local, `cards:${dialogueId}:${version}`);
      return d && d.id === dialogueId && d.version === version && Array.isArray(d.cards) ? d : null;
    },
    saveCards(dialogue) {
      write(local, `cards:${dialogue.id}:${dialogue.version}`, dialogue);
    },
    dropCards(dialogueId, version) {
      local.removeItem(`${PREFIX}cards:${dialogueId}:${version}`);
    },
    look() {
      const l = read<CachedLook>(local, 'look');
      return l && typeof l.configuration === 'object' && l.configuration ? l : null;
    },
    saveLook(look) {
      write(local, 'look', look);
    },
    firstThisSession(key) {
      if (read(session, `once:${key}`)) return false;
      write(session, `once:${key}`, 1);
      return true;
    },
  };
}

/**
 * Which dialogue to play, following Dynamic Chat's rules (marketo-facts.md §7.2): a completed
 * dialogue is never shown again, even when republished; an engaged visitor continues with the
 * version they started; an unengaged one gets what resolve serves now.
 */
export function pickConversation(
  memory: VisitorMemory,
  served: DialogueCards | null,
  newId: () => string,
  /** A conversational flow the visitor opened again: a completed one starts afresh. */
  again = false,
): { dialogue: DialogueCards; record: ConversationRecord } | null {
  if (!served) return null;
  let existing = memory.conversation(served.id);
  if (existing && existing.completed && again) existing = null;
  if (existing && existing.completed) return null;
  if (existing && existing.version === served.version) {
    memory.saveCards(served);
    return { dialogue: served, record: existing };
  }
  if (existing && existing.engaged) {
    const pinned = memory.cards(served.id, existing.version);
    if (pinned) return { dialogue: pinned, record: existing };
  }
  if (existing) memory.dropCards(existing.dialogueId, existing.version);
  const record: ConversationRecord = {
    conversationId: existing ? existing.conversationId : newId(),
    dialogueId: served.id,
    version: served.version,
    engaged: false,
    completed: false,
    at: served.start,
    awaiting: false,
    transcript: [],
    answers: {},
    history: [],
    cardsSeen: [],
  };
  memory.saveCards(served);
  memory.saveConversation(record);
  return { dialogue: served, record };
}
