import type { Pool } from 'pg';
import type { MeetingTime } from '../meeting-store-types.js';
import { queryRows } from './pg-pool.js';

interface Waiter {
  resolve: (times: MeetingTime[]) => void;
  reject: (error: unknown) => void;
}

/** The calls for one range, by agent. */
interface RangeReads {
  from: number;
  to: number;
  agents: Map<string, Waiter[]>;
}

interface TimeRow {
  agent_id: string;
  id: string;
  start_ms: number;
  end_ms: number;
  before_ms: number;
  after_ms: number;
}

/**
 * agentMeetingTimes, with the calls made in one synchronous run shared: a booking checks every
 * agent of its plan at once (book-meeting.ts, one range for all) and a slots call reads every
 * agent's week, so twenty agents cost one statement instead of twenty round trips, parses and
 * plans (20 of a booking's 39 statements with 20 agents; bench/booking.ts). The calls are
 * gathered until the current job ends (a microtask), grouped by range, and each range is one
 * statement that runs, per agent, the index scan a single read would (the exclusion
 * constraint's GiST index finds one agent's meetings in a time range; it takes no list of
 * agents, hence the lateral join). Only the time columns are read: the whole record (`data`)
 * was most of the cost on both sides, as JSON written by the server and parsed here. Each
 * caller gets its own agent's times, by start, or the statement's error.
 */
export class AgentMeetingTimesReads {
  private waiting = new Map<string, RangeReads>();
  private scheduled = false;

  constructor(private readonly pool: Pool) {}

  read(agentId: string, from: number, to: number): Promise<MeetingTime[]> {
    return new Promise<MeetingTime[]>((resolve, reject) => {
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
    try {
      const rows = await readRange(this.pool, [...range.agents.keys()], range.from, range.to);
      const byAgent = new Map<string, MeetingTime[]>();
      for (const row of rows) {
        const time = {
          id: row.id,
          start: row.start_ms,
          end: row.end_ms,
          bufferBeforeMs: row.before_ms,
          bufferAfterMs: row.after_ms,
        };
        const list = byAgent.get(row.agent_id);
        if (list === undefined) byAgent.set(row.agent_id, [time]);
        else list.push(time);
      }
      for (const [agentId, waiters] of range.agents) {
        // Each caller its own copies: a caller may change what it got.
        for (const waiter of waiters) {
          waiter.resolve((byAgent.get(agentId) ?? []).map((time) => ({ ...time })));
        }
      }
    } catch (error) {
      for (const waiters of range.agents.values()) waiters.forEach((w) => w.reject(error));
    }
  }
}

/**
 * Active meetings of each agent overlapping [from, to), agent by agent, each by start (as
 * pg-meeting-rows.ts's agentMeetings: the exact rule is the second line of the inner WHERE,
 * the range test it implies lets the GiST index find them). Times as float8: pg hands bigint
 * back as strings, and epoch milliseconds are exact in a double.
 */
function readRange(pool: Pool, agentIds: string[], from: number, to: number): Promise<TimeRow[]> {
  return queryRows<TimeRow>(
    pool,
    agentIds.length === 1 ? `the meetings of agent ${agentIds[0]}` : 'the meetings of agents',
    {
      name: 'agent_meeting_times',
      text: `SELECT a.agent_id, m.id, m.start_ms::float8 AS start_ms, m.end_ms::float8 AS end_ms,
               m.buffer_before_ms::float8 AS before_ms, m.buffer_after_ms::float8 AS after_ms
             FROM unnest($1::text[]) WITH ORDINALITY AS a(agent_id, n)
             CROSS JOIN LATERAL (
               SELECT id, start_ms, end_ms, buffer_before_ms, buffer_after_ms FROM meetings
               WHERE active AND agent_id = a.agent_id AND start_ms - buffer_before_ms < $3
                 AND end_ms + buffer_after_ms > $2
                 AND int8range(start_ms - buffer_before_ms, end_ms + buffer_after_ms)
                     && int8range(least($2, $3), greatest($2, $3), '[]')
             ) AS m
             ORDER BY a.n, m.start_ms, m.id COLLATE "C"`,
    },
    [agentIds, from, to],
  );
}
