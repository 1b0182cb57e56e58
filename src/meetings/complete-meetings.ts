import type { BookingDeps } from './book-meeting.js';
import { commitHold } from './commit-hold.js';
import { changeMeetingStatus } from './change-meeting.js';
import { giveBackMeeting } from '../routing/rotation-state.js';
import { recoverReassigns } from './reassign-recovery.js';

type JobDeps = Omit<BookingDeps, 'ids' | 'links'>;

/**
 * A hold older than this was left by a crash between hold and confirm. A booking takes seconds;
 * its worst case, with every provider retry and Retry-After wait, about five minutes: a hold is
 * only taken over well after any booking still running would have ended.
 */
export const STALE_HOLD_MS = 10 * 60_000;

export interface MeetingJobReport {
  completed: number;
  recovered: number;
  released: number;
  /** Reassigns a crash interrupted, finished (reassign-recovery.ts). */
  reassignsFinished: number;
  /** Reassigns a crash interrupted whose new agent's calendar refused: put back. */
  reassignsPutBack: number;
}

/**
 * The meetings' periodic job:
 * - a booked or rescheduled meeting past its end becomes `completed` (unless someone marked it
 *   no-show first: terminal states do not change), with its Marketo activity;
 * - a `pending` hold older than STALE_HOLD_MS (the process stopped between holding the slot and
 *   confirming it) is finished: the calendar event is made again, which is idempotent on the
 *   meeting id, so it is the one the crashed attempt may have made, and the meeting confirmed;
 *   the visitor's retry with the same idempotency key then finds it. If the calendar refuses,
 *   the hold is given back;
 * - a reschedule's move to another agent a crash interrupted (still marked `reassigning` after
 *   STALE_HOLD_MS) is finished the way the reschedule would have, or put back
 *   (reassign-recovery.ts).
 */
export async function runMeetingJobs(deps: JobDeps, limit = 200): Promise<MeetingJobReport> {
  const now = deps.clock.now();
  const report: MeetingJobReport = {
    completed: 0,
    recovered: 0,
    released: 0,
    reassignsFinished: 0,
    reassignsPutBack: 0,
  };
  // First: a marked meeting takes no other change, its completion included.
  const reassigns = await recoverReassigns(deps, now - STALE_HOLD_MS, limit);
  report.reassignsFinished = reassigns.finished;
  report.reassignsPutBack = reassigns.putBack;
  for (const meeting of await deps.store.meetingsDue(['booked', 'rescheduled'], now, limit)) {
    try {
      await changeMeetingStatus(deps, { meetingId: meeting.id, to: 'completed', by: 'system' });
      report.completed += 1;
    } catch (error) {
      deps.logger.warn({ err: error, meetingId: meeting.id }, 'meeting not marked completed');
    }
  }
  for (const due of await deps.store.meetingsDue(['pending'], now - STALE_HOLD_MS, limit)) {
    const meeting = await deps.store.getMeeting(due.id);
    if (meeting?.status !== 'pending') continue;
    const agent = await deps.store.getAgent(meeting.agentId);
    const result =
      agent === undefined
        ? { ok: false as const, reason: `agent ${meeting.agentId} is gone` }
        : await commitHold(deps, agent, meeting, { recovering: true });
    if (result.ok) {
      report.recovered += 1;
      continue;
    }
    deps.logger.warn({ meetingId: meeting.id, reason: result.reason }, 'stale hold given back');
    // commitHold gave it back already; a hold whose agent is gone is given back here.
    if (agent === undefined)
      await deps.store.releaseMeeting(meeting.id, deps.clock.now(), giveBackMeeting);
    report.released += 1;
  }
  return report;
}
