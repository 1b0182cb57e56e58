import { CalendarGrantError } from '../calendar/calendar-types.js';
import { AppError, ValidationError } from '../errors.js';
import { givesTurnBack } from '../records/routing-settings.js';
import { giveBackMeeting } from '../routing/rotation-state.js';
import type { BookingDeps } from './book-meeting.js';
import { SlotTakenError } from './book-meeting.js';
import { checkAgentSlot } from './meeting-availability.js';
import { agentCaps, reachedCap, type AgentCap, type CapReason } from '../routing/agent-limits.js';
import type { Meeting, MeetingStatus } from '../records/meeting-contract.js';
import { meetingActivityItem } from './meeting-events-outbox.js';
import { releaseBookedActivity } from './meeting-link.js';
import { assertTransition, meetingEventCount, type MeetingActor } from './meeting-status.js';
import { activityPayload, eventInput } from './meeting-writes.js';
import { reassignMeeting } from './reassign-meeting.js';
import { cancelledNotice, rescheduledNotice } from '../notifications/notification-items.js';

type ChangeDeps = Omit<BookingDeps, 'ids' | 'links'>;

/**
 * Changes of one meeting run one after the other in this process (a double click, the visitor
 * and an admin at once), so their calendar calls cannot interleave; across replicas the store's
 * `updatedAt` check makes the later one fail cleanly.
 */
const meetingQueues = new Map<string, Promise<unknown>>();

function oneAtATime<T>(meetingId: string, work: () => Promise<T>): Promise<T> {
  const previous = meetingQueues.get(meetingId) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.catch(() => undefined);
  meetingQueues.set(meetingId, settled);
  void settled.then(() => {
    if (meetingQueues.get(meetingId) === settled) meetingQueues.delete(meetingId);
  });
  return next;
}

/**
 * A status change that touches no calendar (completed, no-show), or a cancellation, which
 * removes the calendar event first: if the provider is down the meeting stays as it was, so
 * our record and the agent's calendar never disagree. Each change adds its Marketo activity (and
 * a cancellation the agent's email) in the same store write as the change itself.
 */
export function changeMeetingStatus(
  deps: ChangeDeps,
  args: Parameters<typeof changeStatusNow>[1],
): Promise<Meeting> {
  return oneAtATime(args.meetingId, () => changeStatusNow(deps, args));
}

export function rescheduleMeeting(
  deps: ChangeDeps,
  args: Parameters<typeof rescheduleNow>[1],
): Promise<Meeting> {
  return oneAtATime(args.meetingId, () => rescheduleNow(deps, args));
}

async function changeStatusNow(
  deps: ChangeDeps,
  args: {
    meetingId: string;
    to: Extract<MeetingStatus, 'cancelled' | 'completed' | 'no-show'>;
    by: MeetingActor;
    note?: string;
  },
): Promise<Meeting> {
  const meeting = await requireMeeting(deps, args.meetingId);
  const now = deps.clock.now();
  const rules = { by: args.by, noShowGraceMs: deps.noShowGraceMs };
  assertTransition(meeting, args.to, now, rules);
  if (args.to === 'cancelled' && meeting.providerEventId !== undefined) {
    const agent = await deps.store.getAgent(meeting.agentId);
    if (agent !== undefined) {
      try {
        await deps.calendars.cancelEvent(agent, meeting.providerEventId);
      } catch (error) {
        // A revoked grant cannot be fixed by the visitor: the meeting is cancelled here and the
        // agent, already marked disconnected, removes the event when they reconnect.
        if (!(error instanceof CalendarGrantError)) throw error;
        deps.logger.warn(
          { meetingId: meeting.id, agentId: agent.id },
          'meeting cancelled; its calendar event stays until the agent reconnects',
        );
      }
    }
  }
  const changed = await deps.store.updateMeeting(
    meeting.id,
    (current, facts) => {
      assertTransition(current, args.to, now, rules);
      // A booking whose activity still waits for its Meet link: "booked" goes first, now.
      const booked = releaseBookedActivity(current, now);
      const next: Meeting = {
        ...booked.meeting,
        status: args.to,
        history: [
          ...current.history,
          {
            status: args.to,
            at: now,
            by: args.by,
            ...(args.note === undefined ? {} : { note: args.note }),
          },
        ],
        updatedAt: now,
      };
      return {
        meeting: next,
        outbox: [
          ...booked.outbox,
          meetingActivityItem(activityPayload(next, meetingEventCount(next), now)),
          ...(args.to === 'cancelled' ? [cancelledNotice(next, now)] : []),
        ],
        // Atomic with the cancellation: the admin's setting decides (records/routing-settings.ts).
        ...(givesTurnBack(facts.routingSettings, args.to)
          ? { rotation: giveBackMeeting(facts.rotation, current) }
          : {}),
      };
    },
    now,
  );
  deps.onEnqueued?.();
  deps.logger.info(
    { meetingId: meeting.id, status: args.to, by: args.by },
    'meeting status changed',
  );
  return changed;
}

/**
 * Moves a meeting to another time with the same agent (Chili Piper's rule: the visitor keeps
 * the person they booked). The new time is checked like a booking (hours, fresh calendar,
 * our meetings without this one); the calendar event is moved, then the store re-checks for a
 * booking that raced in and records the change; if one did, the event is moved back. When the
 * agent is not free at the new time, the meeting is reassigned by the same routing
 * (reassign-meeting.ts), unless its booking card named that agent.
 */
async function rescheduleNow(
  deps: ChangeDeps,
  args: { meetingId: string; start: string; by: MeetingActor },
): Promise<Meeting> {
  const meeting = await requireMeeting(deps, args.meetingId);
  const now = deps.clock.now();
  assertTransition(meeting, 'rescheduled', now);
  const start = Date.parse(args.start);
  if (start <= now) throw new ValidationError('start: the new time is in the past', 'start');
  const agent = await deps.store.getAgent(meeting.agentId);
  if (agent === undefined) {
    throw new AppError('AGENT_GONE', 'The agent of this meeting no longer exists', {
      httpStatus: 409,
    });
  }
  // The meeting keeps its length, even if the agent's usual length changed since.
  const lengthMinutes = Math.round((meeting.end - meeting.start) / 60_000);
  const check = await checkAgentSlot(
    deps,
    { ...agent, meetingMinutes: lengthMinutes },
    start,
    now,
    {
      fresh: true,
      excludeMeetingId: meeting.id,
      ignoreRoutability: true,
      ownEvent: { start: meeting.start, end: meeting.end },
    },
  );
  // Caps: the meeting does not count against itself (moved within its day, nothing changes).
  const caps = agentCaps(agent, start, meeting.id);
  const capped = check.ok ? await capReached(deps, caps) : undefined;
  const reason = check.ok ? capped : check.reason;
  if (
    reason !== undefined &&
    reason !== 'calendar-unavailable' &&
    meeting.routing.rule !== 'agent'
  ) {
    // The agent is not free then (busy, another meeting, outside their hours, out of office, at
    // a cap…): the meeting goes to another agent by the same routing (reassign-meeting.ts), or
    // 409 if nobody is.
    return reassignMeeting(deps, { meeting, from: agent, reason, start, by: args.by });
  }
  if (capped !== undefined) throw capReachedError(capped);
  if (!check.ok) {
    if (['busy', 'booked', 'out-of-office'].includes(check.reason)) throw new SlotTakenError();
    if (check.reason === 'calendar-unavailable') {
      throw new AppError(
        'CALENDAR_PROVIDER_UNAVAILABLE',
        'The calendar service is not answering: nothing was changed',
        {
          httpStatus: 503,
          retryable: true,
        },
      );
    }
    throw new ValidationError(`start: not an available time (${check.reason})`, 'start');
  }
  const end = start + (meeting.end - meeting.start);
  const moved = { ...meeting, start, end };
  const event =
    meeting.providerEventId === undefined
      ? undefined
      : await deps.calendars.updateEvent(agent, meeting.providerEventId, eventInput(agent, moved));
  try {
    const changed = await deps.store.updateMeeting(
      meeting.id,
      (current, facts) => {
        assertTransition(current, 'rescheduled', now);
        // Another change landed while the calendar was being updated: this one loses.
        if (current.updatedAt !== meeting.updatedAt) {
          throw new AppError(
            'MEETING_CHANGED',
            'The meeting changed meanwhile: reload it and try again',
            {
              httpStatus: 409,
            },
          );
        }
        // The store checked the new time against the agent's other meetings (the probe below),
        // and counted them for the caps under the same lock.
        if (facts.overlaps) throw new SlotTakenError();
        const reached = reachedCap(caps, facts.counts ?? []);
        if (reached !== undefined) throw capReachedError(reached);
        const booked = releaseBookedActivity(current, now);
        const next: Meeting = {
          ...booked.meeting,
          status: 'rescheduled',
          start,
          end,
          ...(event?.meetingUrl === undefined ? {} : { meetingUrl: event.meetingUrl }),
          history: [
            ...current.history,
            { status: 'rescheduled', at: now, by: args.by, start, end },
          ],
          updatedAt: now,
        };
        return {
          meeting: next,
          outbox: [
            ...booked.outbox,
            meetingActivityItem(activityPayload(next, meetingEventCount(next), now)),
            rescheduledNotice(next, current, now),
          ],
        };
      },
      now,
      {
        probe: {
          agentId: meeting.agentId,
          start,
          end,
          bufferAfterMs: meeting.bufferAfterMs,
          bufferBeforeMs: meeting.bufferBeforeMs ?? 0,
          excludeId: meeting.id,
        },
        ...(caps.length === 0 ? {} : { counts: caps.map((cap) => cap.query) }),
      },
    );
    deps.onEnqueued?.();
    return changed;
  } catch (error) {
    // Put the calendar event back where the store says the meeting is now.
    const latest = (await deps.store.getMeeting(meeting.id)) ?? meeting;
    if (meeting.providerEventId !== undefined && latest.status !== 'cancelled') {
      await deps.calendars
        .updateEvent(agent, meeting.providerEventId, eventInput(agent, latest))
        .catch((undo: unknown) =>
          deps.logger.error(
            { err: undo, meetingId: meeting.id },
            'could not move the calendar event back',
          ),
        );
    }
    throw error;
  }
}

/** The cap the agent's meetings reach at the new time, read before the calendar is touched. */
async function capReached(
  deps: ChangeDeps,
  caps: readonly AgentCap[],
): Promise<CapReason | undefined> {
  if (caps.length === 0) return undefined;
  return reachedCap(caps, await deps.store.countMeetings(caps.map((cap) => cap.query)));
}

function capReachedError(reason: CapReason): SlotTakenError {
  const per = reason === 'daily-cap' ? 'that day' : 'that week';
  return new SlotTakenError(
    `The agent has as many meetings ${per} as they take: please pick another time`,
  );
}

async function requireMeeting(deps: ChangeDeps, id: string): Promise<Meeting> {
  const meeting = await deps.store.getMeeting(id);
  if (meeting === undefined || meeting.status === 'pending') {
    throw new AppError('NOT_FOUND', `No meeting ${id}`, { httpStatus: 404 });
  }
  return meeting;
}
