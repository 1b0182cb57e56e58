import { z } from 'zod';
import { chatEventTypeSchema, type ChatEvent } from './chat-event.js';

/**
 * The conversation log: what each recorded widget event leaves behind, kept per conversation
 * for transcripts (src/transcripts/) and dated reports (src/reports/). The store appends one
 * entry in the same write that records the event (ChatStore.recordChatEvent), so an event is
 * logged exactly when it is counted, once (the event id dedupe).
 */

/** Entries kept per conversation; later events are counted but not logged (a runaway widget). */
export const MAX_LOG_ENTRIES_PER_CONVERSATION = 300;
/** Answers kept per entry (a form has at most 10 fields; the contract does not cap the map). */
export const MAX_LOGGED_ANSWERS = 50;

export const conversationEntrySchema = z.object({
  eventId: z.string().min(1).max(64),
  type: chatEventTypeSchema,
  dialogueId: z.string().min(1).max(64),
  dialogueVersion: z.number().int().positive(),
  /** When the service recorded the event, epoch ms. */
  at: z.number(),
  cardId: z.string().max(40).optional(),
  answers: z.record(z.string().max(40), z.string().max(1000)).optional(),
  cardsSeen: z.array(z.string().max(40)).max(100).optional(),
  language: z.string().max(10).optional(),
  value: z.string().max(254).optional(),
  pageUrl: z.string().max(2048).optional(),
});
export type ConversationEntry = z.infer<typeof conversationEntrySchema>;

/** One conversation as listed: who, which dialogue, when. */
export const conversationSummarySchema = z.object({
  conversationId: z.string().min(1).max(64),
  dialogueId: z.string().min(1).max(64),
  dialogueVersion: z.number().int().positive(),
  anonymousId: z.string().min(1).max(64),
  /** The email the visitor gave in this conversation (or the widget knew), lower-cased. */
  email: z.string().max(254).optional(),
  startedAt: z.number(),
  lastEventAt: z.number(),
  /** Event types seen so far, in first-seen order (the outcome is read from them). */
  types: z.array(chatEventTypeSchema),
  entries: z.number().int().nonnegative(),
});
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;

export interface ConversationLog {
  summary: ConversationSummary;
  /** In the order recorded. */
  entries: ConversationEntry[];
}

export interface ConversationListFilter {
  dialogueId?: string;
  /** Conversations started in [from, to), epoch ms. */
  from?: number;
  to?: number;
  limit: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  /** Give it back as `cursor` for the next page; absent on the last page. */
  next?: string;
}

/** A report's range, epoch ms, [from, to). */
export interface ReportRange {
  from: number;
  to: number;
}

/** Events counted by the dialogue report, per dialogue and day (in the report's time zone). */
export interface DialogueDayCount {
  dialogueId: string;
  /** YYYY-MM-DD in the requested time zone. */
  day: string;
  type: ChatEvent['type'];
  count: number;
}

export interface DialogueReportRows {
  days: DialogueDayCount[];
  /** Per dialogue: conversations with an email given or a meeting booked in the range. */
  converted: Record<string, number>;
}

/** Meetings per agent for the agent report: booked by creation, the rest by start. */
export interface AgentMeetingCounts {
  agentId: string;
  agentName: string;
  agentEmail: string;
  /** Created in the range (pending holds excluded). */
  booked: number;
  /** Starting in the range, by status now. */
  held: number;
  noShows: number;
  cancelled: number;
}

/**
 * The log entry of an event recorded at `now` (the store calls it; bounded copies only).
 * `givenEmail`: the address the service accepted (lower-cased), kept as an email-given's value.
 */
export function conversationEntryOf(
  event: ChatEvent,
  now: number,
  givenEmail?: string,
): ConversationEntry {
  const entry: ConversationEntry = {
    eventId: event.eventId,
    type: event.type,
    dialogueId: event.dialogueId,
    dialogueVersion: event.dialogueVersion,
    at: now,
    pageUrl: event.pageUrl,
  };
  if (event.cardId !== undefined) entry.cardId = event.cardId;
  if (event.answers !== undefined) {
    entry.answers = Object.fromEntries(Object.entries(event.answers).slice(0, MAX_LOGGED_ANSWERS));
  }
  if (event.cardsSeen !== undefined) entry.cardsSeen = [...event.cardsSeen];
  if (event.language !== undefined) entry.language = event.language;
  const value = event.type === 'email-given' ? (givenEmail ?? event.value) : event.value;
  if (value !== undefined) entry.value = value;
  return entry;
}

/** The cursor of a page that ended at `last` (newest started first). */
export function conversationCursor(
  last: Pick<ConversationSummary, 'startedAt' | 'conversationId'>,
) {
  return Buffer.from(JSON.stringify([last.startedAt, last.conversationId])).toString('base64url');
}

/** Undefined for a cursor this service did not make. */
export function readConversationCursor(
  cursor: string,
): { startedAt: number; conversationId: string } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const parsed = z.tuple([z.number(), z.string().min(1).max(64)]).safeParse(value);
    return parsed.success
      ? { startedAt: parsed.data[0], conversationId: parsed.data[1] }
      : undefined;
  } catch {
    return undefined;
  }
}
