import { AppError } from '../errors.js';
import type { Meeting } from '../records/meeting-contract.js';
import { giveBackMeeting, NO_POOL, takeTurn } from '../routing/rotation-state.js';
import { reassignedNotices } from '../notifications/notification-items.js';
import type { BookingDeps } from './book-meeting.js';
import { calendarDown } from './book-meeting.js';
import { meetingActivityItem } from './meeting-events-outbox.js';
import { leadAgentItem } from './meeting-lead-fields.js';
import { meetingEventCount } from './meeting-status.js';
import { eventInput, activityPayload } from './meeting-writes.js';

export type ReassignDeps = Omit<BookingDeps, 'ids' | 'links'>;

/** What finishing a move came to: done, or the meeting is back with its agent and time. */
export type ReassignOutcome =
  { ok: true; meeting: Meeting } | { ok: false; error: AppError; putBack: boolean };

/**
 * The meeting as it was before the move: the moved meeting with the fields the move changed
 * put back from its mark. The move's history entry is the last one (nothing else may change a
 * marked meeting: meeting-status.ts).
 */
export function meetingBeforeReassign(moved: Meeting): Meeting {
  const {
    reassigning,
    providerEventId: _new,
    meetingUrl: _newLink,
    bufferBeforeMs: _newBuffer,
    ...rest
  } = moved;
  if (reassigning === undefined) return moved;
  return { ...rest, ...reassigning.from, history: moved.history.slice(0, -1) };
}

/**
 * The second half of a reassign, for the live reschedule and for the meetings' job that
 * finishes one a crash interrupted (reassign-recovery.ts), so both write the same things:
 * 1. the new agent's event, made with an id derived from the meeting (a retry finds the event
 *    a crashed attempt made); if the calendar refuses, the meeting goes back (putBack);
 * 2. the meeting confirmed with it, with the reschedule's Marketo activity, the lead's agent
 *    fields and both agents' emails in the same write, keyed by the meeting's revision, so a
 *    second confirmation enqueues nothing new; a meeting confirmed already is left as it is;
 * 3. the old agent's event removed, then the mark dropped. A crash before the mark is dropped
 *    brings the job back to step 3 only.
 */
export async function finishReassign(deps: ReassignDeps, moved: Meeting): Promise<ReassignOutcome> {
  const mark = moved.reassigning;
  if (mark === undefined) return { ok: true, meeting: moved };
  if (moved.providerEventId === undefined) {
    const made = await confirmNewEvent(deps, moved);
    if (!made.ok) return made;
  }
  const fromEventId = mark.from.providerEventId;
  if (fromEventId !== undefined) {
    const from = await deps.store.getAgent(mark.from.agentId);
    await (
      from === undefined ? Promise.resolve() : deps.calendars.cancelEvent(from, fromEventId)
    ).catch((error: unknown) =>
      // The meeting is with its new agent already; the old event is the old agent's to remove.
      deps.logger.warn(
        { err: error, meetingId: moved.id, agentId: mark.from.agentId },
        'reassigned meeting: the previous agent’s calendar event could not be removed',
      ),
    );
  }
  const done = await deps.store.updateMeeting(
    moved.id,
    (current) => {
      if (current.reassigning === undefined) return { meeting: current };
      const { reassigning: _done, ...meeting } = current;
      return { meeting };
    },
    deps.clock.now(),
  );
  return { ok: true, meeting: done };
}

async function confirmNewEvent(deps: ReassignDeps, moved: Meeting): Promise<ReassignOutcome> {
  const agent = await deps.store.getAgent(moved.agentId);
  let event: Awaited<ReturnType<ReassignDeps['calendars']['createEvent']>>;
  try {
    if (agent === undefined) throw new Error(`agent ${moved.agentId} is gone`);
    event = await deps.calendars.createEvent(agent, eventInput(agent, moved));
  } catch (error) {
    if (agent !== undefined) await deps.calendars.cancelEventOfMeeting(agent, moved.id);
    const back = await putBack(deps, moved);
    return { ok: false, error: calendarDown(error), putBack: back };
  }
  const original = meetingBeforeReassign(moved);
  const now = deps.clock.now();
  let overtaken = false;
  const confirmed = await deps.store.updateMeeting(
    moved.id,
    (current) => {
      // Confirmed meanwhile (the job and a slow reschedule): that confirmation stands.
      if (current.reassigning !== undefined && current.providerEventId !== undefined) {
        return { meeting: current };
      }
      // Changed meanwhile (put back): the new event is not its event.
      if (current.updatedAt !== moved.updatedAt || current.reassigning === undefined) {
        overtaken = true;
        return { meeting: current };
      }
      const next: Meeting = {
        ...current,
        providerEventId: event.eventId,
        ...(event.meetingUrl === undefined ? {} : { meetingUrl: event.meetingUrl }),
        updatedAt: now,
      };
      const seq = meetingEventCount(next);
      const lead = deps.agentLeadFields && leadAgentItem(next, deps.agentLeadFields);
      return {
        meeting: next,
        outbox: [
          meetingActivityItem(activityPayload(next, seq, now)),
          // The lead's agent fields follow the meeting (a key of its own per change).
          ...(lead === undefined ? [] : [{ ...lead, dedupeKey: `${lead.dedupeKey}#${seq}` }]),
          // The old agent's cancellation and the new agent's booking, by email.
          ...reassignedNotices(original, next, now),
        ],
      };
    },
    now,
  );
  if (overtaken) {
    await deps.calendars.cancelEventOfMeeting(agent!, moved.id);
    return { ok: false, error: meetingChanged(), putBack: false };
  }
  deps.onEnqueued?.();
  return { ok: true, meeting: confirmed };
}

/**
 * The meeting back with its agent and time, the turn given back and the old count restored;
 * false when it changed meanwhile or the store failed (logged).
 */
export async function putBack(deps: ReassignDeps, moved: Meeting): Promise<boolean> {
  const original = meetingBeforeReassign(moved);
  const now = deps.clock.now();
  let back = false;
  await deps.store
    .updateMeeting(
      original.id,
      (current, facts) => {
        if (current.updatedAt !== moved.updatedAt) return { meeting: current };
        back = true;
        const rotation = giveBackMeeting(facts.rotation, moved);
        return {
          meeting: { ...original, updatedAt: now },
          rotation: takeTurn(rotation, NO_POOL, original.agentId),
        };
      },
      now,
    )
    .catch((error: unknown) => {
      back = false;
      deps.logger.error(
        { err: error, meetingId: original.id },
        'reassigned meeting could not be put back after its calendar event failed',
      );
    });
  return back;
}

export function meetingChanged(): AppError {
  return new AppError('MEETING_CHANGED', 'The meeting changed meanwhile: reload it and try again', {
    httpStatus: 409,
  });
}
