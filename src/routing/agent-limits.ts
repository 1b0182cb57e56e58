import { DateTime } from 'luxon';
import type { Agent } from '../records/meeting-contract.js';
import type { MeetingCountQuery } from '../store/meeting-store-types.js';

/**
 * What takes an agent out of a turn besides their calendar (issue 11 item 7): out-of-office
 * periods and caps of meetings a day and a week. Both skip the agent like a busy one, who keeps
 * their place in the rotation (weighted-rotation.ts). The caps are counted by the store under
 * the same lock as the hold (meetings/hold-decision.ts), so concurrent bookings cannot pass them.
 */

export type CapReason = 'daily-cap' | 'weekly-cap';

/** One cap of an agent at a slot: at most `max` meetings counted by `query`. */
export interface AgentCap {
  reason: CapReason;
  max: number;
  query: MeetingCountQuery;
}

type OutOfOffice = Pick<Agent, 'outOfOffice'>;

/** The agent's out-of-office periods overlapping [start, end) (periods are end-exclusive). */
export function outOfOfficeDuring(agent: OutOfOffice, start: number, end: number): boolean {
  return (agent.outOfOffice ?? []).some((period) => period.start < end && start < period.end);
}

/** Whether the agent is out of office at the instant `at`. */
export function outOfOfficeAt(agent: OutOfOffice, at: number): boolean {
  return outOfOfficeDuring(agent, at, at + 1);
}

/**
 * The day and the week (Monday to Sunday, ISO) holding `start`, in the agent's time zone, as
 * epoch-ms ranges [from, to): a meeting counts on the day and in the week it starts.
 */
export function capWindows(
  agent: Pick<Agent, 'timeZone'>,
  start: number,
): { day: { from: number; to: number }; week: { from: number; to: number } } {
  const local = DateTime.fromMillis(start, { zone: agent.timeZone });
  const day = local.startOf('day');
  const week = local.startOf('week');
  return {
    day: { from: day.toMillis(), to: day.plus({ days: 1 }).toMillis() },
    week: { from: week.toMillis(), to: week.plus({ weeks: 1 }).toMillis() },
  };
}

/**
 * The agent's caps at a slot starting at `start`, each with the count that decides it; none
 * for an agent without caps. `excludeId`: a meeting being moved does not count against itself.
 */
export function agentCaps(
  agent: Pick<Agent, 'id' | 'timeZone' | 'maxMeetingsPerDay' | 'maxMeetingsPerWeek'>,
  start: number,
  excludeId?: string,
): AgentCap[] {
  const daily = agent.maxMeetingsPerDay ?? null;
  const weekly = agent.maxMeetingsPerWeek ?? null;
  if (daily === null && weekly === null) return [];
  const windows = capWindows(agent, start);
  const query = (range: { from: number; to: number }): MeetingCountQuery => ({
    agentId: agent.id,
    ...range,
    ...(excludeId === undefined ? {} : { excludeId }),
  });
  return [
    ...(daily === null
      ? []
      : [{ reason: 'daily-cap' as const, max: daily, query: query(windows.day) }]),
    ...(weekly === null
      ? []
      : [{ reason: 'weekly-cap' as const, max: weekly, query: query(windows.week) }]),
  ];
}

/** The first cap reached (the daily one before the weekly one), given each cap's count. */
export function reachedCap(
  caps: readonly AgentCap[],
  counts: readonly number[],
): CapReason | undefined {
  const at = caps.findIndex((cap, i) => (counts[i] ?? 0) >= cap.max);
  return at === -1 ? undefined : caps[at]!.reason;
}
