import { finishReassign, type ReassignDeps } from './reassign-confirm.js';

export interface ReassignRecoveryReport {
  /** Moves finished: the new agent's event made (or found), confirmed, the old event removed. */
  finished: number;
  /** Moves the new agent's calendar refused: the meetings are back with their agents. */
  putBack: number;
}

/**
 * Finishes reassigns a crash interrupted (reassign-meeting.ts): a meeting marked
 * `reassigning` before `stale` (STALE_HOLD_MS ago, complete-meetings.ts), longer than any live reschedule takes, is taken
 * over by finishReassign, the live path's own second half. Its event create is idempotent on
 * the meeting id and its confirmation's outbox items keep the live path's keys, so a move that
 * got further than the crash suggests (the event made, the confirmation written) is not
 * doubled: only what is missing is done.
 */
export async function recoverReassigns(
  deps: ReassignDeps,
  stale: number,
  limit: number,
): Promise<ReassignRecoveryReport> {
  const report: ReassignRecoveryReport = { finished: 0, putBack: 0 };
  for (const due of await deps.store.meetingsReassigning(stale, limit)) {
    const meeting = await deps.store.getMeeting(due.id);
    const since = meeting?.reassigning?.since;
    if (meeting === undefined || since === undefined || since >= stale) continue;
    try {
      const done = await finishReassign(deps, meeting);
      if (done.ok) {
        report.finished += 1;
        deps.logger.info(
          { meetingId: meeting.id, from: meeting.reassigning?.from.agentId, to: meeting.agentId },
          'interrupted reassign finished',
        );
      } else {
        if (done.putBack) report.putBack += 1;
        deps.logger.warn(
          { err: done.error, meetingId: meeting.id, putBack: done.putBack },
          'interrupted reassign: the new agent’s calendar refused the event',
        );
      }
    } catch (error) {
      deps.logger.warn({ err: error, meetingId: meeting.id }, 'interrupted reassign not finished');
    }
  }
  return report;
}
