import type { Meeting } from '../records/meeting-contract.js';
import type { RotationState } from './rotation-state.js';

/**
 * What each agent was given, counted separately (GET /api/routing), where a single number
 * once mixed Call Webhook assignments with meetings, cancelled ones included:
 * - `meetings.booked`: every meeting booked with the agent, whatever became of it
 *   (= held + upcoming + cancelled + noShow; a hold still being confirmed is not counted);
 * - `meetings.held`: meetings that took place, i.e. `completed` (the meeting job marks a meeting
 *   completed once it has ended unless an admin marked it no-show; an admin may still do so
 *   within MEETING_NO_SHOW_GRACE_MS, which moves it to noShow); not cancelled, not no-show;
 * - `meetings.upcoming`: booked or rescheduled, not yet marked completed;
 * - `assignments`: leads routed by the Call Webhook and the flow step;
 * - `routed`: what round robin counted for the agent (meetings and assignments, by rotation,
 *   rule, owner or name), less what was given back: a hold whose calendar failed, and a
 *   cancellation when `cancellationReturnsTurn` is on.
 */
export interface AgentTotals {
  meetings: { booked: number; held: number; upcoming: number; cancelled: number; noShow: number };
  assignments: number;
  routed: number;
}

const STATUS_FIELD: Partial<Record<Meeting['status'], keyof AgentTotals['meetings']>> = {
  completed: 'held',
  booked: 'upcoming',
  rescheduled: 'upcoming',
  cancelled: 'cancelled',
  'no-show': 'noShow',
};

export function countAgentTotals(
  agentIds: readonly string[],
  meetings: Iterable<Pick<Meeting, 'agentId' | 'status'>>,
  state: RotationState,
): Map<string, AgentTotals> {
  const totals = new Map<string, AgentTotals>(
    agentIds.map((id) => [
      id,
      {
        meetings: { booked: 0, held: 0, upcoming: 0, cancelled: 0, noShow: 0 },
        assignments: state.assigned?.[id] ?? 0,
        routed: state.totals[id] ?? 0,
      },
    ]),
  );
  for (const meeting of meetings) {
    const agent = totals.get(meeting.agentId);
    const field = STATUS_FIELD[meeting.status];
    if (agent === undefined || field === undefined) continue;
    agent.meetings[field] += 1;
    agent.meetings.booked += 1;
  }
  return totals;
}
