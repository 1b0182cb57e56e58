import { isDeepStrictEqual } from 'node:util';
import { chatConfigurationSchema, type ChatConfiguration } from '../records/chat-configuration.js';
import { type Dialogue } from '../records/chat-dialogue.js';
import { type DialogueStats } from '../records/chat-event.js';
import { StoreError } from '../errors.js';
import { copyJsonValue, NOT_JSON } from './json-value.js';
import { normalizeEmail } from './lead-index.js';
import type { Changed } from './document-db.js';
import { ConversationRecords } from './conversation-records.js';
import { storedDialogueSchema } from './chat-document.js';
import { deepFreeze } from './document-snapshot.js';
import type { OutboxRecords } from './outbox-records.js';
import { refuseInvalid } from './record-validation.js';
import { recordChatEventSchema, refuseVersionChange } from './store-arguments.js';
import type { StoreDocument } from './store-document.js';
import type { ChatStore } from './types.js';

export type RecordChatEventArgs = Parameters<ChatStore['recordChatEvent']>[0];

/**
 * A retried event comes within seconds (a resent request) or at the next page view; two days
 * also covers a visitor back the next day with a queued event. Older ids are forgotten.
 */
export const EVENT_DEDUPE_WINDOW_MS = 2 * 24 * 60 * 60 * 1000;
/** A cap on remembered event ids whatever their age, so a flood cannot grow the document. */
export const MAX_RECENT_EVENT_IDS = 100_000;
/** Visitor links unused for this long are swept: an anonymous visitor's id is long gone. */
export const VISITOR_LINK_RETENTION_MS = 400 * 24 * 60 * 60 * 1000;
const MIN_LINKS_BEFORE_PRUNE = 10_000;
/**
 * Events of conversations not known yet are held as long as their ids are remembered (a visitor
 * who gives an email the next day still has their earlier events written), for at most this
 * many conversations (the oldest go first) and this many events each: most visitors never give
 * an email, and every write of the JSON store rewrites what is held.
 */
export const MAX_HELD_CONVERSATIONS = 10_000;
export const MAX_HELD_PER_CONVERSATION = 20;

const ZERO_STATS: DialogueStats = Object.freeze({
  triggered: 0,
  engaged: 0,
  completed: 0,
  peopleAcquired: 0,
  meetingsBooked: 0,
  goalsReached: 0,
});

const STAT_NAMES = Object.keys(ZERO_STATS) as Array<keyof DialogueStats>;

/**
 * The chat collections: the configuration and the revision (`doc.chat`, one frozen value
 * replaced on change), dialogues and their counters (frozen, by id), recent event ids, and
 * visitor links. Every write is a synchronous mutator for `DocumentDb.updateIfChanged` that
 * validates first and then changes the document, so a failed write changes nothing.
 *
 * Reads hand out the frozen values the document holds, not copies: copy before changing.
 */
export class ChatRecords {
  private readonly doc: StoreDocument;
  private readonly outbox: OutboxRecords;
  /** The conversation log, appended to in the event's own mutation. */
  readonly conversations: ConversationRecords;
  /** As in routing-records.ts: sweep when past this, then set it to twice what remained. */
  private pruneLinksAbove = MIN_LINKS_BEFORE_PRUNE;

  constructor(doc: StoreDocument, outbox: OutboxRecords) {
    this.doc = doc;
    this.outbox = outbox;
    this.conversations = new ConversationRecords(doc);
  }

  configuration(): ChatConfiguration | undefined {
    return this.doc.chat.configuration;
  }

  revision(): number {
    return this.doc.chat.revision;
  }

  saveConfiguration(input: ChatConfiguration): Changed<void> {
    const configuration = deepFreeze(
      refuseInvalid(chatConfigurationSchema, input, 'chat configuration'),
    );
    if (isDeepStrictEqual(configuration, this.doc.chat.configuration)) {
      return { result: undefined, changed: false };
    }
    this.doc.chat = deepFreeze({ revision: this.doc.chat.revision + 1, configuration });
    return { result: undefined, changed: true };
  }

  list(): Dialogue[] {
    return [...this.doc.dialogues.values()];
  }

  get(id: string): Dialogue | undefined {
    return this.doc.dialogues.get(id);
  }

  /**
   * Creates or replaces a dialogue. A published version, once stored, is what visitors in a
   * conversation hold on to (they keep the version number, marketo-facts.md §7.2): so it never
   * goes back, never disappears, and the same number never gets other content (409
   * DIALOGUE_VERSION_CONFLICT). The revision moves when what visitors get changes: the
   * published version or the on/off switch.
   */
  save(input: Dialogue): Changed<void> {
    const dialogue = deepFreeze(refuseInvalid(storedDialogueSchema, input, 'dialogue'));
    const existing = this.doc.dialogues.get(dialogue.id);
    if (existing !== undefined && isDeepStrictEqual(existing, dialogue)) {
      return { result: undefined, changed: false };
    }
    if (existing?.published)
      refuseVersionChange(existing.published, dialogue.published, dialogue.id);
    const visible =
      existing === undefined
        ? dialogue.published !== null
        : existing.enabled !== dialogue.enabled ||
          !isDeepStrictEqual(existing.published, dialogue.published);
    this.doc.dialogues.set(dialogue.id, dialogue);
    this.conversations.keepVersion(dialogue);
    if (visible) this.bumpRevision();
    return { result: undefined, changed: true };
  }

  /** Deletes the dialogue and its counters. */
  delete(id: string): Changed<boolean> {
    const existing = this.doc.dialogues.get(id);
    if (existing === undefined) return { result: false, changed: false };
    this.doc.dialogues.delete(id);
    this.doc.dialogueStats.delete(id);
    if (existing.published !== null) this.bumpRevision();
    return { result: true, changed: true };
  }

  stats(dialogueId: string): DialogueStats {
    return { ...(this.doc.dialogueStats.get(dialogueId) ?? ZERO_STATS) };
  }

  /** By the widget's anonymous id first (this browser), then by the Munchkin cookie. */
  findVisitorEmail(visitor: { anonymousId?: string; mktoTrk?: string }): string | undefined {
    const { visitorLinks } = this.doc;
    if (visitor.anonymousId !== undefined) {
      const link = visitorLinks.get(`anon:${visitor.anonymousId}`);
      if (link !== undefined) return link.email;
    }
    if (visitor.mktoTrk !== undefined) return visitorLinks.get(`trk:${visitor.mktoTrk}`)?.email;
    return undefined;
  }

  /**
   * Once per `<conversationId>:<eventId>`: a repeat changes nothing and returns false. The
   * outbox items go in first (they validate before they change anything), then the event id,
   * the counters (only for a dialogue that still exists: a deleted one's counters are gone)
   * and the visitor links, all in this one mutation, so in one durable write.
   */
  recordEvent(input: RecordChatEventArgs): Changed<boolean> {
    const args = refuseInvalid(recordChatEventSchema, input, 'chat event');
    const { event, now } = args;
    const key = `${event.conversationId}:${event.eventId}`;
    if (this.doc.chatEventIds.has(key)) return { result: false, changed: false };

    const held = this.doc.heldChatEvents.get(event.conversationId);
    const released = input.release !== undefined && held !== undefined;
    const hold = input.hold === undefined ? undefined : copyJsonValue(input.hold);
    if (hold === NOT_JSON) throw new StoreError('STORE_INVALID_RECORD', 'held value is not JSON');
    // The held events happened first: they go first.
    const outbox = [...(released ? input.release!(held.values) : []), ...(input.outbox ?? [])];
    if (outbox.length > 0) this.outbox.enqueue(outbox, now);
    if (released) this.doc.heldChatEvents.delete(event.conversationId);
    if (hold !== undefined) this.hold(event.conversationId, hold, now);
    this.doc.chatEventIds.set(key, now);
    this.forgetOldEventIds(now);
    this.addCounters(event.dialogueId, args.counters);
    const email = normalizeEmail(args.visitorEmail);
    this.conversations.append(event, now, {
      given: email,
      known: normalizeEmail(event.visitor.email),
    });
    if (email !== undefined) {
      const link = Object.freeze({ email, linkedAt: now });
      this.doc.visitorLinks.set(`anon:${event.visitor.anonymousId}`, link);
      if (event.visitor.mktoTrk !== undefined) {
        this.doc.visitorLinks.set(`trk:${event.visitor.mktoTrk}`, link);
      }
      this.pruneOldLinks(now - VISITOR_LINK_RETENTION_MS);
    }
    return { result: true, changed: true };
  }

  /** Adds to the conversation's held values (first hold keeps its place), then bounds them. */
  private hold(conversationId: string, value: unknown, now: number): void {
    const all = this.doc.heldChatEvents;
    const current = all.get(conversationId);
    if (current !== undefined && current.values.length >= MAX_HELD_PER_CONVERSATION) return;
    const values = [...(current?.values ?? []), value];
    all.set(conversationId, deepFreeze({ heldAt: current?.heldAt ?? now, values }));
    const cutoff = now - EVENT_DEDUPE_WINDOW_MS;
    for (const [id, entry] of all) {
      if (entry.heldAt >= cutoff && all.size <= MAX_HELD_CONVERSATIONS) break;
      all.delete(id);
    }
  }

  private addCounters(dialogueId: string, counters: Partial<DialogueStats>): void {
    const current = this.doc.dialogueStats.get(dialogueId) ?? ZERO_STATS;
    if (!this.doc.dialogues.has(dialogueId)) return;
    const next: DialogueStats = { ...current };
    let added = false;
    for (const name of STAT_NAMES) {
      const n = counters[name] ?? 0;
      if (n > 0) {
        next[name] += n;
        added = true;
      }
    }
    if (added) this.doc.dialogueStats.set(dialogueId, Object.freeze(next));
  }

  /** Oldest first (Map order): stops at the first id young enough, so O(ids forgotten). */
  private forgetOldEventIds(now: number): void {
    const ids = this.doc.chatEventIds;
    const cutoff = now - EVENT_DEDUPE_WINDOW_MS;
    for (const [key, at] of ids) {
      if (at >= cutoff && ids.size <= MAX_RECENT_EVENT_IDS) break;
      ids.delete(key);
    }
  }

  private pruneOldLinks(cutoff: number): void {
    const links = this.doc.visitorLinks;
    if (links.size <= this.pruneLinksAbove) return;
    for (const [key, link] of links) if (link.linkedAt < cutoff) links.delete(key);
    this.pruneLinksAbove = Math.max(MIN_LINKS_BEFORE_PRUNE, 2 * links.size);
  }

  private bumpRevision(): void {
    this.doc.chat = deepFreeze({ ...this.doc.chat, revision: this.doc.chat.revision + 1 });
  }
}
