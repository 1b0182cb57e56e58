import { AppError, ValidationError } from '../errors.js';
import type { BookingDeps } from './book-meeting.js';
import { SlotTakenError } from './book-meeting.js';
import { checkAgentSlot } from './meeting-availability.js';
import type { Meeting, MeetingStatus } from './meeting-contract.js';
import { meetingActivityItem } from './meeting-events-outbox.js';
import { assertTransition, meetingEventCount } from './meeting-status.js';
import { activityPayload, eventInput } from './meeting-writes.js';

type ChangeDeps = Omit<BookingDeps, 'ids' | 'links'>;
type Actor = 'visitor' | 'admin' | 'system';

/**
 * A status change that touches no calendar (completed, no-show), or a cancellation, which
 * removes the calendar event first: if the provider is down the meeting stays as it was, so
 * our record and the agent's calendar never disagree. Each change adds its Marketo activity in
 * the same store write as the change itself.
 */
export async function changeMeetingStatus(
  deps: ChangeDeps,
  args: {
    meetingId: string;
    to: Extract<MeetingStatus, 'cancelled' | 'completed' | 'no-show'>;
    by: Actor;
    note?: string;
  },
): Promise<Meeting> {
  const meeting = requireMeeting(deps, args.meetingId);
  const now = deps.clock.now();
  assertTransition(meeting, args.to, now);
  if (args.to === 'cancelled' && meeting.providerEventId !== undefined) {
    const agent = deps.store.getAgent(meeting.agentId);
    if (agent !== undefined) await deps.calendars.cancelEvent(agent, meeting.providerEventId);
  }
  const changed = await deps.store.updateMeeting(
    meeting.id,
    (current) => {
      assertTransition(current, args.to, now);
      const next: Meeting = {
        ...current,
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
        outbox: [meetingActivityItem(activityPayload(next, meetingEventCount(next), now))],
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
 * booking that raced in and records the change; if one did, the event is moved back.
 */
export async function rescheduleMeeting(
  deps: ChangeDeps,
  args: { meetingId: string; start: string; by: Actor },
): Promise<Meeting> {
  const meeting = requireMeeting(deps, args.meetingId);
  const now = deps.clock.now();
  assertTransition(meeting, 'rescheduled', now);
  const start = Date.parse(args.start);
  if (start <= now) throw new ValidationError('start: the new time is in the past', 'start');
  const agent = deps.store.getAgent(meeting.agentId);
  if (agent === undefined) {
    throw new AppError('AGENT_GONE', 'The agent of this meeting no longer exists', {
      httpStatus: 409,
    });
  }
  const check = await checkAgentSlot(deps, agent, start, now, {
    fresh: true,
    excludeMeetingId: meeting.id,
    ignoreRoutability: true,
  });
  if (!check.ok) {
    if (check.reason === 'busy' || check.reason === 'booked') throw new SlotTakenError();
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
      (current, ctx) => {
        assertTransition(current, 'rescheduled', now);
        const conflict = ctx.hasConflict({
          agentId: current.agentId,
          start,
          end,
          bufferAfterMs: current.bufferAfterMs,
          excludeId: current.id,
        });
        if (conflict) throw new SlotTakenError();
        const next: Meeting = {
          ...current,
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
          outbox: [meetingActivityItem(activityPayload(next, meetingEventCount(next), now))],
        };
      },
      now,
    );
    deps.onEnqueued?.();
    return changed;
  } catch (error) {
    if (meeting.providerEventId !== undefined) {
      await deps.calendars
        .updateEvent(agent, meeting.providerEventId, eventInput(agent, meeting))
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

function requireMeeting(deps: ChangeDeps, id: string): Meeting {
  const meeting = deps.store.getMeeting(id);
  if (meeting === undefined || meeting.status === 'pending') {
    throw new AppError('NOT_FOUND', `No meeting ${id}`, { httpStatus: 404 });
  }
  return meeting;
}
