import type { Pool } from 'pg';
import type { Meeting } from '../../records/meeting-contract.js';
import { selectData } from './pg-meeting-queries.js';

interface Waiter {
  resolve: (meetings: Meeting[]) => void;
  reject: (error: unknown) => void;
}

/** The calls for one range, by agent. */
interface RangeReads {
  from: number;
  to: number;
  agents: Map<string, Waiter[]>;
}

/**
 * agentMeetings, with the calls made in one synchronous run shared: a booking checks every
 * agent of its plan at once (book-meeting.ts, one range for all), and the slots call reads every
 * agent's week, so twenty agents cost one statement instead of twenty round trips, parses and
 * plans (with 20 agents, 20 of a booking's 39 statements; bench/booking.ts). The calls are
 * gathered until the current job ends (a microtask), grouped by range, and each range is one
 * statement that runs, per agent, the same index scan a single read does (the exclusion
 * constraint's GiST index finds one agent's meetings in a time range; it cannot take a list of
 * agents, hence the lateral join). Every caller gets its own agent's meetings, by start, or the
 * statement's error.
 */
export class AgentMeetingsReads {
  private waiting = new Map<string, RangeReads>();
  private scheduled = false;

  constructor(private readonly pool: Pool) {}

  read(agentId: string, from: number, to: number): Promise<Meeting[]> {
    return new Promise<Meeting[]>((resolve, reject) => {
      const key = `${from} ${to}`;
      let range = this.waiting.get(key);
      if (range === undefined) this.waiting.set(key, (range = { from, to, agents: new Map() }));
      const waiters = range.agents.get(agentId);
      if (waiters === undefined) range.agents.set(agentId, [{ resolve, reject }]);
      else waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const ranges = [...this.waiting.values()];
    this.waiting = new Map();
    for (const range of ranges) void this.run(range);
  }

  private async run(range: RangeReads): Promise<void> {
    const agentIds = [...range.agents.keys()];
    try {
      const meetings = await readRange(this.pool, agentIds, range.from, range.to);
      const byAgent = new Map<string, Meeting[]>();
      for (const meeting of meetings) {
        const list = byAgent.get(meeting.agentId);
        if (list === undefined) byAgent.set(meeting.agentId, [meeting]);
        else list.push(meeting);
      }
      for (const [agentId, waiters] of range.agents) {
        for (const waiter of waiters) waiter.resolve([...(byAgent.get(agentId) ?? [])]);
      }
    } catch (error) {
      for (const waiters of range.agents.values()) waiters.forEach((w) => w.reject(error));
    }
  }
}

/**
 * Active meetings of each agent overlapping [from, to), agent by agent, each by start. The
 * exact rule is the second line of the inner WHERE; the range test it implies lets the GiST
 * index find them, instead of every past meeting of the agent.
 */
function readRange(pool: Pool, agentIds: string[], from: number, to: number): Promise<Meeting[]> {
  const what =
    agentIds.length === 1 ? `the meetings of agent ${agentIds[0]}` : 'the meetings of agents';
  return selectData<Meeting>(
    pool,
    what,
    `SELECT m.data FROM unnest($1::text[]) WITH ORDINALITY AS a(agent_id, n)
     CROSS JOIN LATERAL (
       SELECT data, start_ms, id FROM meetings
       WHERE active AND agent_id = a.agent_id AND start_ms - buffer_before_ms < $3
         AND end_ms + buffer_after_ms > $2
         AND int8range(start_ms - buffer_before_ms, end_ms + buffer_after_ms)
             && int8range(least($2, $3), greatest($2, $3), '[]')
     ) AS m
     ORDER BY a.n, m.start_ms, m.id COLLATE "C"`,
    [agentIds, from, to],
  );
}
