import { z } from 'zod';
import type { NewOutboxItem } from '../store/types.js';

/**
 * The durable intent to write one meeting event (a booking or a status change) to Marketo as a
 * custom activity. Enqueued in the same store write as the change it reports, with a dedupe key
 * per (meeting, event sequence), so a retry of the change cannot enqueue it twice.
 */
export const MEETING_ACTIVITY_KIND = 'meeting-activity';

export const meetingActivityPayloadSchema = z.object({
  meetingId: z.string(),
  /** 1 for the booking, then one per status change: unique with the meeting id. */
  seq: z.number().int().positive(),
  /** The visitor's lead when known at the time; else the handler resolves or creates it by email. */
  leadId: z.number().int().positive().optional(),
  email: z.string(),
  status: z.enum(['booked', 'rescheduled', 'cancelled', 'completed', 'no-show']),
  occurredAt: z.number(),
  agentId: z.string(),
  agentName: z.string(),
  agentEmail: z.string(),
  start: z.number(),
  durationMinutes: z.number().int(),
  provider: z.enum(['local', 'google', 'microsoft']),
  meetingUrl: z.string().optional(),
  routingRule: z.string(),
  dialogueId: z.string().optional(),
});
export type MeetingActivityPayload = z.infer<typeof meetingActivityPayloadSchema>;

/** `meeting:<id>#<seq>`: the activity's event id in Marketo, and the outbox dedupe key. */
export const meetingEventId = (meetingId: string, seq: number) => `meeting:${meetingId}#${seq}`;

export function meetingActivityItem(payload: MeetingActivityPayload): NewOutboxItem {
  return {
    kind: MEETING_ACTIVITY_KIND,
    dedupeKey: meetingEventId(payload.meetingId, payload.seq),
    payload,
  };
}
