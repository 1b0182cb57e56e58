import { z } from 'zod';
import type { AgentCalendars } from '../calendar/agent-calendars.js';
import { CalendarGrantError } from '../calendar/calendar-types.js';
import {
  OutboxHandlerError,
  type OutboxHandler,
  type OutboxHandlerResult,
} from '../outbox/outbox-handler.js';
import type { MeetingStores } from '../store/meeting-store-types.js';
import type { NewOutboxItem } from '../store/types.js';
import { isActiveMeeting, type Meeting } from '../records/meeting-contract.js';
import {
  meetingActivityItem,
  meetingActivityPayloadSchema,
  type MeetingActivityPayload,
} from './meeting-events-outbox.js';
import { activityPayload } from './meeting-writes.js';

/**
 * A Meet link the calendar was still making when the event was created. Google makes the
 * conference asynchronously ("Create events", Conferencing: the create request's status stays
 * `pending` until the entry points are there), so the booking does not wait for it: it enqueues
 * this item instead of the booking's Marketo activity. The item reads the event again
 * (events.get) with growing pauses; once the link is there it goes onto the meeting (the
 * visitor's page and invitation show it), and the booking's activity is enqueued with it, so
 * the one "booked" activity Marketo gets (one per event id) carries the link a confirmation
 * email needs. A link that is still missing after LINK_WAIT_MS, a conference Google could not
 * make, or a calendar that cannot be read lets the activity go without the link.
 *
 * Marketo must get "booked" before any later change, or a trigger campaign on "booked" could
 * confirm a meeting already cancelled. So the meeting carries `bookedActivityPending` while the
 * check runs, and whichever store write clears it enqueues #1: the check, once it has its answer,
 * or the meeting's next change (cancel, reschedule, complete), which puts #1 without the link
 * ahead of its own activity in the same write (releaseBookedActivity) and so ends the check.
 */
export const MEETING_LINK_KIND = 'meeting-link';

/** How long the booking's activity waits for its link (Meet links take seconds). */
export const LINK_WAIT_MS = 10 * 60_000;

const meetingLinkPayloadSchema = z.object({
  /** The booking's activity, sent once the link is known or given up on. */
  activity: meetingActivityPayloadSchema,
  /** The provider's event id. */
  eventId: z.string(),
  /** When the event was made: the wait runs from here. */
  since: z.number(),
  /** Reads of the event so far. */
  checks: z.number().int().nonnegative(),
});
type MeetingLinkPayload = z.infer<typeof meetingLinkPayloadSchema>;

/** 2 s, 4 s, 8 s ... then every minute: most links are there at the first read. */
export const linkCheckDelayMs = (checks: number): number => Math.min(60_000, 2_000 * 2 ** checks);

/** The item to enqueue, with the confirmed meeting, in place of the booking's activity. */
export function meetingLinkItem(
  activity: MeetingActivityPayload,
  eventId: string,
  now: number,
): NewOutboxItem {
  return linkCheck({ activity, eventId, since: now, checks: 0 }, now);
}

function linkCheck(payload: MeetingLinkPayload, now: number): NewOutboxItem {
  return {
    kind: MEETING_LINK_KIND,
    dedupeKey: `meeting-link:${payload.activity.meetingId}#${payload.checks}`,
    payload: payload satisfies MeetingLinkPayload,
    nextAttemptAt: now + linkCheckDelayMs(payload.checks),
  };
}

export interface MeetingLinkDeps {
  store: Pick<MeetingStores, 'getMeeting' | 'getAgent' | 'updateMeeting'>;
  calendars: Pick<AgentCalendars, 'getEvent'>;
}

/**
 * The meeting without `bookedActivityPending`, and the booking's activity to enqueue ahead of
 * whatever the same write adds; nothing when #1 went already. `current` is the meeting before
 * the change that calls this, i.e. as booked (a change clears the flag).
 */
export function releaseBookedActivity(
  current: Meeting,
  now: number,
  meetingUrl = current.meetingUrl,
): { meeting: Meeting; outbox: NewOutboxItem[] } {
  if (current.bookedActivityPending !== true) return { meeting: current, outbox: [] };
  const { bookedActivityPending: _sent, ...meeting } = current;
  const booked = { ...meeting, status: 'booked' as const, meetingUrl };
  const bookedAt = current.history.find((entry) => entry.status === 'booked')?.at ?? now;
  return { meeting, outbox: [meetingActivityItem(activityPayload(booked, 1, bookedAt))] };
}

/** The outbox handler: one read of the event, then a later read or the activity. */
export function createMeetingLinkHandler(deps: MeetingLinkDeps): OutboxHandler {
  return async (item, ctx): Promise<OutboxHandlerResult> => {
    const payload = readPayload(item.payload);
    const { activity } = payload;
    const now = ctx.now();
    const [meeting, agent] = await Promise.all([
      deps.store.getMeeting(activity.meetingId),
      deps.store.getAgent(activity.agentId),
    ]);
    // A change of the meeting sent #1 already, ahead of its own activity: this check is over.
    // (A check enqueued before meetings carried the flag sends #1 as it did; its key is the
    // same, so an activity enqueued already is not sent twice.)
    if (meeting?.bookedActivityPending !== true) {
      return { followUps: [meetingActivityItem(activity)] };
    }
    /** Stores the link, if any, and enqueues #1 in one write, unless a change just did. */
    const sendActivity = async (meetingUrl?: string): Promise<OutboxHandlerResult> => {
      await deps.store.updateMeeting(
        meeting.id,
        (current) => {
          const linked =
            meetingUrl === undefined || current.meetingUrl !== undefined
              ? current
              : { ...current, meetingUrl, updatedAt: now };
          return releaseBookedActivity(linked, now, meetingUrl ?? current.meetingUrl);
        },
        now,
      );
      return {};
    };
    if (meeting.meetingUrl !== undefined) return sendActivity(meeting.meetingUrl);
    if (agent === undefined || !isActiveMeeting(meeting)) return sendActivity();

    let read: { meetingUrl?: string; meetingUrlPending?: true } | undefined;
    try {
      read = await deps.calendars.getEvent(agent, payload.eventId);
    } catch (error) {
      // A lost grant will not come back within the wait; anything else may be transient.
      if (error instanceof CalendarGrantError) return sendActivity();
      ctx.logger.warn({ err: error, meetingId: activity.meetingId }, 'meeting link not read');
      read = { meetingUrlPending: true };
    }
    const meetingUrl = read?.meetingUrl;
    if (meetingUrl !== undefined) {
      ctx.logger.info({ meetingId: meeting.id, checks: payload.checks + 1 }, 'meeting link read');
      return sendActivity(meetingUrl);
    }
    const next = { ...payload, checks: payload.checks + 1 };
    if (
      read?.meetingUrlPending === true &&
      now + linkCheckDelayMs(next.checks) < payload.since + LINK_WAIT_MS
    ) {
      return { followUps: [linkCheck(next, now)] };
    }
    ctx.logger.warn(
      { meetingId: meeting.id, checks: next.checks },
      'no meeting link: the activity goes without it',
    );
    return sendActivity();
  };
}

function readPayload(payload: unknown): MeetingLinkPayload {
  const parsed = meetingLinkPayloadSchema.safeParse(payload);
  if (parsed.success) return parsed.data;
  throw new OutboxHandlerError('MEETING_PAYLOAD_INVALID', 'stored link check is unreadable', {
    retryable: false,
  });
}
