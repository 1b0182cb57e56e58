import type { AgentMeetingCounts } from '../records/conversation-log.js';
import type { Agent } from '../records/meeting-contract.js';
import type { DateRange } from './report-range.js';

export interface AgentReportLine extends AgentMeetingCounts {
  /** held / (held + noShows): of the meetings that were due, how many took place. */
  showRate: number | null;
}

export interface AgentReport {
  from: string;
  to: string;
  timeZone: string;
  agents: AgentReportLine[];
}

/**
 * Meetings per agent over the range: every current agent gets a line (zeros included), and so
 * does an agent deleted since who has meetings in it (named as on their meetings).
 */
export function buildAgentReport(
  range: DateRange,
  counts: readonly AgentMeetingCounts[],
  agents: readonly Agent[],
): AgentReport {
  const byId = new Map<string, AgentMeetingCounts>();
  for (const agent of agents) {
    byId.set(agent.id, {
      agentId: agent.id,
      agentName: agent.name,
      agentEmail: agent.email,
      booked: 0,
      held: 0,
      noShows: 0,
      cancelled: 0,
    });
  }
  for (const row of counts) {
    const current = byId.get(row.agentId);
    byId.set(
      row.agentId,
      current === undefined
        ? row
        : { ...row, agentName: current.agentName, agentEmail: current.agentEmail },
    );
  }
  const lines = [...byId.values()].map((line) => ({
    ...line,
    showRate:
      line.held + line.noShows === 0
        ? null
        : Math.round((line.held / (line.held + line.noShows)) * 10_000) / 10_000,
  }));
  return { from: range.fromDate, to: range.toDate, timeZone: range.timeZone, agents: lines };
}
