import { DateTime } from 'luxon';
import type { Dialogue, DialogueContent } from '../records/chat-dialogue.js';
import type { ChatEvent } from '../records/chat-event.js';
import {
  conversationCursor,
  conversationEntryOf,
  MAX_LOG_ENTRIES_PER_CONVERSATION,
  readConversationCursor,
  type AgentMeetingCounts,
  type ConversationListFilter,
  type ConversationLog,
  type ConversationPage,
  type ConversationSummary,
  type DialogueDayCount,
  type DialogueReportRows,
} from '../records/conversation-log.js';
import { ValidationError } from '../errors.js';
import { dialogueVersionKey } from './conversation-document.js';
import type { Changed } from './document-db.js';
import { deepFreeze } from './document-snapshot.js';
import type { StoreDocument } from './store-document.js';

/**
 * The JSON document holds the whole log in memory and rewrites it with every write, so it is
 * bounded twice: by age (pruneConversations, run by the prune job with
 * CONVERSATION_RETENTION_DAYS) and by count (the oldest started go first past this many).
 * Measured: about 2 KB a conversation of eight events, so about 20 MB at the cap, on top of
 * what every durable write of the document rewrites. PostgreSQL keeps every conversation until
 * the prune job sweeps it.
 */
export const MAX_CONVERSATIONS_IN_DOCUMENT = 10_000;

/**
 * The conversation log and published dialogue versions in the lowdb document. `append` and
 * `keepVersion` are called inside the chat's own mutators (chat-records.ts), so they are part
 * of the event's (the dialogue's) one write; the rest are reads and the prune.
 */
export class ConversationRecords {
  constructor(private readonly doc: StoreDocument) {}

  /**
   * Appends the event's entry to its conversation (made on its first event). `emails.given`:
   * the address accepted with this event; `emails.known`: the one the widget says it has.
   */
  append(event: ChatEvent, now: number, emails: VisitorEmails): void {
    const email = emails.given ?? emails.known;
    const all = this.doc.conversations;
    const current = all.get(event.conversationId);
    const types = current?.summary.types ?? [];
    const summary: ConversationSummary = {
      conversationId: event.conversationId,
      dialogueId: current?.summary.dialogueId ?? event.dialogueId,
      dialogueVersion: current?.summary.dialogueVersion ?? event.dialogueVersion,
      anonymousId: current?.summary.anonymousId ?? event.visitor.anonymousId,
      startedAt: Math.min(current?.summary.startedAt ?? now, now),
      lastEventAt: Math.max(current?.summary.lastEventAt ?? now, now),
      types: types.includes(event.type) ? types : [...types, event.type],
      entries: current?.summary.entries ?? 0,
    };
    const knownEmail = email ?? current?.summary.email;
    if (knownEmail !== undefined) summary.email = knownEmail;
    const entries = current?.entries ?? [];
    const logged = entries.length < MAX_LOG_ENTRIES_PER_CONVERSATION;
    if (logged) summary.entries += 1;
    all.set(
      event.conversationId,
      deepFreeze({
        summary,
        entries: logged ? [...entries, conversationEntryOf(event, now, emails.given)] : entries,
      }),
    );
    for (const id of all.keys()) {
      if (all.size <= MAX_CONVERSATIONS_IN_DOCUMENT) break;
      all.delete(id);
    }
  }

  /** Keeps a newly published version's content (a version never changes once published). */
  keepVersion(dialogue: Dialogue): void {
    const { published } = dialogue;
    if (published === null) return;
    const key = dialogueVersionKey(dialogue.id, published.version);
    if (this.doc.dialogueVersions.has(key)) return;
    this.doc.dialogueVersions.set(
      key,
      deepFreeze({
        dialogueId: dialogue.id,
        version: published.version,
        content: published.content,
        publishedAt: published.publishedAt,
      }),
    );
  }

  get(conversationId: string): ConversationLog | undefined {
    const found = this.doc.conversations.get(conversationId);
    return found === undefined ? undefined : { summary: found.summary, entries: found.entries };
  }

  list(filter: ConversationListFilter): ConversationPage {
    const after = filter.cursor === undefined ? undefined : readCursor(filter.cursor);
    const matching: ConversationSummary[] = [];
    for (const { summary } of this.doc.conversations.values()) {
      if (filter.dialogueId !== undefined && summary.dialogueId !== filter.dialogueId) continue;
      if (filter.from !== undefined && summary.startedAt < filter.from) continue;
      if (filter.to !== undefined && summary.startedAt >= filter.to) continue;
      if (after !== undefined && !isAfter(summary, after)) continue;
      matching.push(summary);
    }
    matching.sort((a, b) => (isAfter(a, b) ? 1 : isAfter(b, a) ? -1 : 0));
    const page = matching.slice(0, filter.limit);
    const last = page.at(-1);
    return matching.length > filter.limit && last !== undefined
      ? { conversations: page, next: conversationCursor(last) }
      : { conversations: page };
  }

  version(dialogueId: string, version: number): DialogueContent | undefined {
    return this.doc.dialogueVersions.get(dialogueVersionKey(dialogueId, version))?.content;
  }

  /** One pass over the log (bounded by MAX_CONVERSATIONS_IN_DOCUMENT). */
  report(args: { from: number; to: number; timeZone: string }): DialogueReportRows {
    const counts = new Map<string, DialogueDayCount>();
    const converted: Record<string, number> = {};
    const dayOf = dayNamer(args.timeZone);
    for (const { summary, entries } of this.doc.conversations.values()) {
      if (summary.lastEventAt < args.from) continue;
      let convertedHere = false;
      for (const entry of entries) {
        if (entry.at < args.from || entry.at >= args.to) continue;
        const day = dayOf(entry.at);
        const key = `${entry.dialogueId}\n${day}\n${entry.type}`;
        const row = counts.get(key);
        if (row === undefined) {
          counts.set(key, { dialogueId: entry.dialogueId, day, type: entry.type, count: 1 });
        } else row.count += 1;
        if (entry.type === 'email-given' || entry.type === 'meeting-booked') convertedHere = true;
      }
      if (convertedHere) converted[summary.dialogueId] = (converted[summary.dialogueId] ?? 0) + 1;
    }
    return { days: [...counts.values()], converted };
  }

  agentMeetings(args: { from: number; to: number }): AgentMeetingCounts[] {
    const byAgent = new Map<string, AgentMeetingCounts>();
    const inRange = (ms: number) => ms >= args.from && ms < args.to;
    for (const m of this.doc.meetings.values()) {
      if (m.status === 'pending') continue;
      const created = inRange(m.createdAt);
      const started = inRange(m.start);
      if (!created && !started) continue;
      let row = byAgent.get(m.agentId);
      if (row === undefined) {
        const { agentId, agentName, agentEmail } = m;
        row = { agentId, agentName, agentEmail, booked: 0, held: 0, noShows: 0, cancelled: 0 };
        byAgent.set(m.agentId, row);
      }
      // The same name whatever the order met (PostgreSQL takes the least too).
      if (m.agentName < row.agentName) row.agentName = m.agentName;
      if (m.agentEmail < row.agentEmail) row.agentEmail = m.agentEmail;
      if (created) row.booked += 1;
      if (started && m.status === 'completed') row.held += 1;
      if (started && m.status === 'no-show') row.noShows += 1;
      if (started && m.status === 'cancelled') row.cancelled += 1;
    }
    return [...byAgent.values()].sort((a, b) => (a.agentId < b.agentId ? -1 : 1));
  }

  prune(before: number): Changed<number> {
    let pruned = 0;
    for (const [id, { summary }] of this.doc.conversations) {
      if (summary.lastEventAt >= before) continue;
      this.doc.conversations.delete(id);
      pruned += 1;
    }
    return { result: pruned, changed: pruned > 0 };
  }
}

export interface VisitorEmails {
  given: string | undefined;
  known: string | undefined;
}

type CursorAt = Pick<ConversationSummary, 'startedAt' | 'conversationId'>;

/** Newest first: `a` comes after `b` when it started earlier (ties by id, descending). */
function isAfter(a: CursorAt, b: CursorAt): boolean {
  return (
    a.startedAt < b.startedAt ||
    (a.startedAt === b.startedAt && a.conversationId < b.conversationId)
  );
}

function readCursor(cursor: string): CursorAt {
  const read = readConversationCursor(cursor);
  if (read === undefined)
    throw new ValidationError('cursor: not a cursor this service gave', 'cursor');
  return read;
}

/**
 * YYYY-MM-DD in `zone`. Every zone offset in use is a whole number of quarter hours, so a day
 * name is the same across any 15-minute bucket: computed once per bucket.
 */
export function dayNamer(zone: string): (ms: number) => string {
  const names = new Map<number, string>();
  const QUARTER = 15 * 60_000;
  return (ms) => {
    const bucket = Math.floor(ms / QUARTER);
    let name = names.get(bucket);
    if (name === undefined) {
      name = DateTime.fromMillis(bucket * QUARTER, { zone }).toISODate() ?? '';
      names.set(bucket, name);
    }
    return name;
  };
}
