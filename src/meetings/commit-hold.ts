import type { AgentCalendars } from '../calendar/agent-calendars.js';
import { CalendarGrantError } from '../calendar/calendar-types.js';
import type { Agent, Meeting } from '../records/meeting-contract.js';
import { giveBackMeeting } from '../routing/rotation-state.js';
import type { BookingDeps } from './book-meeting.js';
import { checkAgentSlot } from './meeting-availability.js';
import { meetingActivityItem } from './meeting-events-outbox.js';
import { meetingLeadItems } from './meeting-lead-fields.js';
import { meetingLinkItem } from './meeting-link.js';
import { activityPayload, eventInput } from './meeting-writes.js';
import { withLength } from './meeting-types.js';
import { bookedNotice } from '../notifications/notification-items.js';

export type HoldCommit =
  { ok: true; meeting: Meeting } | { ok: false; reason: string; error?: unknown };

/**
 * Turns a `pending` hold into a booked meeting, or gives it back: the one place that does,
 * for a booking and for the job that finishes holds a crash left behind (`recovering`).
 * The slot is re-checked against the agent's calendar with no cache; the event is made with
 * an id derived from the meeting (a retry finds the same event); the meeting is confirmed with
 * its Marketo activity. When that fails, any event the create may have made (its answer lost,
 * or a crashed attempt's) is removed before the hold, its total and its turn go back: no
 * event is left without a meeting.
 */
export async function commitHold(
  deps: Omit<BookingDeps, 'ids' | 'links'>,
  agent: Agent,
  meeting: Meeting,
  options: { recovering?: boolean } = {},
): Promise<HoldCommit> {
  const recovering = options.recovering === true;
  // A recovered hold keeps its agent even if the agent has since left routing; an event a
  // crashed attempt made shows as busy too (busy times carry no event id), so such a hold is
  // given back rather than risk booking over an event the agent added since.
  // At the meeting's own length: a meeting type's, not the agent's usual one.
  const sized = withLength(agent, Math.round((meeting.end - meeting.start) / 60_000));
  const check = await checkAgentSlot(deps, sized, meeting.start, deps.clock.now(), {
    fresh: true,
    excludeMeetingId: meeting.id,
    ...(recovering ? { ignoreRoutability: true } : {}),
  });
  let failure: { reason: string; error?: unknown } = { reason: check.ok ? '' : check.reason };
  if (check.ok) {
    let event: Awaited<ReturnType<AgentCalendars['createEvent']>> | undefined;
    try {
      event = await deps.calendars.createEvent(agent, eventInput(agent, meeting));
    } catch (error) {
      failure = {
        reason: error instanceof CalendarGrantError ? 'disconnected' : 'calendar-failed',
        error,
      };
    }
    if (event !== undefined) {
      const confirmed = await confirmMeeting(deps, meeting.id, event);
      deps.onEnqueued?.();
      return { ok: true, meeting: confirmed };
    }
  }
  if (failure.error !== undefined || recovering) {
    await deps.calendars.cancelEventOfMeeting(agent, meeting.id);
  }
  await deps.store.releaseMeeting(meeting.id, deps.clock.now(), giveBackMeeting);
  return { ok: false, ...failure };
}

/**
 * pending → booked, with the event's id and link, the Marketo activity and the agent's email,
 * in one write. A link
 * the calendar is still making is read later (meeting-link.ts), and the activity waits for it.
 */
export function confirmMeeting(
  deps: Pick<BookingDeps, 'store' | 'clock' | 'agentLeadFields'>,
  meetingId: string,
  event: { eventId: string; meetingUrl?: string; meetingUrlPending?: true },
): Promise<Meeting> {
  const now = deps.clock.now();
  return deps.store.updateMeeting(
    meetingId,
    (current) => {
      if (current.status !== 'pending') return { meeting: current };
      const meeting: Meeting = {
        ...current,
        status: 'booked',
        providerEventId: event.eventId,
        ...(event.meetingUrl === undefined ? {} : { meetingUrl: event.meetingUrl }),
        ...(event.meetingUrlPending === true ? { bookedActivityPending: true as const } : {}),
        history: [...current.history, { status: 'booked', at: now, by: 'system' }],
        updatedAt: now,
      };
      return {
        meeting,
        outbox: [
          event.meetingUrlPending === true
            ? meetingLinkItem(activityPayload(meeting, 1, now), event.eventId, now)
            : meetingActivityItem(activityPayload(meeting, 1, now)),
          ...meetingLeadItems(meeting, deps.agentLeadFields),
          // The agent's email (with an invitation when their calendar sends none).
          bookedNotice(meeting, now),
        ],
      };
    },
    now,
  );
}
