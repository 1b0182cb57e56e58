import type { Pool } from 'pg';
import { AppError } from '../../errors.js';
import {
  meetingSchema,
  type Agent,
  type Meeting,
  type RoutingRule,
} from '../../records/meeting-contract.js';
import type { OAuthState } from '../../records/oauth-state.js';
import type { RotationState } from '../../records/rotation.js';
import { deepFreeze } from '../document-snapshot.js';
import type {
  HoldMeetingArgs,
  MeetingChange,
  MeetingCountQuery,
  MeetingFilter,
  MeetingTime,
  MeetingStores,
  MeetingUpdateOptions,
} from '../meeting-store-types.js';
import { refuseInvalid } from '../record-validation.js';
import {
  holdMeetingSchema,
  meetingCountQueriesSchema,
  slotProbesSchema,
} from '../store-arguments.js';
import type { AccountRoute } from '../../records/account-routing.js';
import { PgAccountRoutes } from './pg-account-routes.js';
import { AgentMeetingTimesReads } from './pg-agent-meeting-times.js';
import { PgMeetingAgents } from './pg-meeting-agents.js';
import {
  agentMeetings,
  countMeetings,
  insertMeeting,
  listMeetings,
  meetingById,
  meetingByIdempotencyKey,
  meetingsDue,
  meetingsReassigning,
  overlappingAgents,
  replaceMeeting,
  upcomingForVisitor,
} from './pg-meeting-rows.js';
import { PgMeetingRules } from './pg-meeting-rules.js';
import { inDecidingTransaction, selectData } from './pg-meeting-queries.js';
import type { EnqueueOutboxIn } from './pg-outbox-records.js';
import {
  inRotationOrder,
  lockRotation,
  readRoutingSettings,
  saveRotation,
} from './pg-routing-records.js';

/**
 * Agents, routing rules, OAuth states and meetings in PostgreSQL. A hold, a give-back and a
 * change are each one transaction that first locks the rotation's row (pg-routing-records.ts),
 * then reads the facts, runs the caller's synchronous decision on them and writes what it
 * returns; a decision's error rolls everything back. The exclusion constraint on meetings
 * refuses an overlapping active meeting whatever the decision thought (SLOT_TAKEN).
 */
export class PgMeetingRecords implements MeetingStores {
  private readonly pool: Pool;
  private readonly enqueueOutbox: EnqueueOutboxIn;
  private readonly agents: PgMeetingAgents;
  private readonly rules: PgMeetingRules;
  private readonly accounts: PgAccountRoutes;
  private readonly times: AgentMeetingTimesReads;

  constructor(pool: Pool, enqueueOutbox: EnqueueOutboxIn) {
    this.pool = pool;
    this.enqueueOutbox = enqueueOutbox;
    this.agents = new PgMeetingAgents(pool);
    this.rules = new PgMeetingRules(pool);
    this.accounts = new PgAccountRoutes(pool);
    this.times = new AgentMeetingTimesReads(pool);
  }

  /* Agents, rules and OAuth states: pg-meeting-agents.ts, pg-meeting-rules.ts ---------------- */

  listAgents(): Promise<Agent[]> {
    return this.agents.listAgents();
  }
  getAgent(id: string): Promise<Agent | undefined> {
    return this.agents.getAgent(id);
  }
  findAgentByEmail(email: string): Promise<Agent | undefined> {
    return this.agents.findAgentByEmail(email);
  }
  saveAgent(agent: Agent): Promise<void> {
    return this.agents.saveAgent(agent);
  }
  updateAgent(id: string, change: (agent: Agent) => Agent): Promise<Agent> {
    return this.agents.updateAgent(id, change);
  }
  deleteAgent(id: string): Promise<boolean> {
    return this.agents.deleteAgent(id);
  }
  reorderAgents(ids: string[]): Promise<void> {
    return this.agents.reorderAgents(ids);
  }
  listRoutingRules(): Promise<RoutingRule[]> {
    return this.rules.listRoutingRules();
  }
  getRoutingRule(id: string): Promise<RoutingRule | undefined> {
    return this.rules.getRoutingRule(id);
  }
  saveRoutingRule(rule: RoutingRule): Promise<void> {
    return this.rules.saveRoutingRule(rule);
  }
  deleteRoutingRule(id: string): Promise<boolean> {
    return this.rules.deleteRoutingRule(id);
  }
  listAccountRoutes(): Promise<AccountRoute[]> {
    return this.accounts.listAccountRoutes();
  }
  replaceAccountRoutes(routes: AccountRoute[]): Promise<void> {
    return this.accounts.replaceAccountRoutes(routes);
  }
  saveOAuthState(state: OAuthState): Promise<void> {
    return this.rules.saveOAuthState(state);
  }
  consumeOAuthState(state: string, now: number): Promise<OAuthState | undefined> {
    return this.rules.consumeOAuthState(state, now);
  }

  /* Meetings -------------------------------------------------------------------------------- */

  getMeeting(id: string): Promise<Meeting | undefined> {
    return meetingById(this.pool, id);
  }

  async findMeetingByManageTokenHash(hash: string): Promise<Meeting | undefined> {
    const [meeting] = await selectData<Meeting>(
      this.pool,
      'a meeting by manage token',
      'SELECT data FROM meetings WHERE manage_token_hash = $1',
      [hash],
    );
    return meeting;
  }

  listMeetings(filter?: MeetingFilter): Promise<Meeting[]> {
    return listMeetings(this.pool, filter);
  }

  agentMeetings(agentId: string, from: number, to: number): Promise<Meeting[]> {
    return agentMeetings(this.pool, agentId, from, to);
  }

  agentMeetingTimes(agentId: string, from: number, to: number): Promise<MeetingTime[]> {
    return this.times.read(agentId, from, to);
  }

  meetingsDue(
    statuses: Array<Meeting['status']>,
    before: number,
    limit: number,
  ): Promise<Meeting[]> {
    return meetingsDue(this.pool, statuses, before, limit);
  }

  meetingsReassigning(before: number, limit: number): Promise<Meeting[]> {
    return meetingsReassigning(this.pool, before, limit);
  }

  async countMeetings(queries: MeetingCountQuery[]): Promise<number[]> {
    refuseInvalid(meetingCountQueriesSchema, queries, 'meeting counts');
    return countMeetings(this.pool, queries);
  }

  async holdMeeting<T>(args: HoldMeetingArgs<T>): Promise<T> {
    refuseInvalid(holdMeetingSchema, args, 'hold');
    return inRotationOrder(this.pool, () => this.hold(args));
  }

  private hold<T>(args: HoldMeetingArgs<T>): Promise<T> {
    return inDecidingTransaction(this.pool, 'a meeting hold', async (client, decided) => {
      const rotation = await lockRotation(client);
      const replay =
        args.idempotencyKey === undefined
          ? undefined
          : await meetingByIdempotencyKey(client, args.idempotencyKey);
      const facts = {
        rotation,
        replay,
        upcomingForVisitor: await upcomingForVisitor(client, args.visitorEmail, args.now),
        overlapping: await overlappingAgents(client, args.probes),
        ...(args.counts === undefined ? {} : { counts: await countMeetings(client, args.counts) }),
      };
      const decision = decided(() => args.decide(facts));
      if (decision.meeting !== undefined) {
        const meeting = refuseInvalid(meetingSchema, decision.meeting, 'meeting');
        await insertMeeting(client, meeting);
      }
      if (decision.rotation !== undefined && decision.rotation !== rotation) {
        await saveRotation(client, decision.rotation);
      }
      return decision.result;
    });
  }

  releaseMeeting(
    id: string,
    _now: number,
    giveBack: (rotation: RotationState, meeting: Meeting) => RotationState,
  ): Promise<boolean> {
    return inRotationOrder(this.pool, () => this.release(id, giveBack));
  }

  private release(
    id: string,
    giveBack: (rotation: RotationState, meeting: Meeting) => RotationState,
  ): Promise<boolean> {
    return inDecidingTransaction(
      this.pool,
      `a release of meeting ${id}`,
      async (client, decided) => {
        const rotation = await lockRotation(client);
        const meeting = await meetingById(client, id, 'FOR UPDATE');
        if (meeting === undefined || meeting.status !== 'pending') return false;
        const next = decided(() => giveBack(rotation, meeting));
        await client.query('DELETE FROM meetings WHERE id = $1', [id]);
        if (next !== rotation) await saveRotation(client, next);
        return true;
      },
    );
  }

  updateMeeting(
    id: string,
    change: MeetingChange,
    now: number,
    options: MeetingUpdateOptions = {},
  ): Promise<Meeting> {
    if ((options.probes ?? []).length > 0)
      refuseInvalid(slotProbesSchema, options.probes, 'probes');
    if (options.counts !== undefined)
      refuseInvalid(meetingCountQueriesSchema, options.counts, 'meeting counts');
    return inRotationOrder(this.pool, () => this.update(id, change, now, options));
  }

  private update(
    id: string,
    change: MeetingChange,
    now: number,
    options: MeetingUpdateOptions,
  ): Promise<Meeting> {
    return inDecidingTransaction(
      this.pool,
      `an update of meeting ${id}`,
      async (client, decided) => {
        const rotation = await lockRotation(client);
        const current = await meetingById(client, id, 'FOR UPDATE');
        if (current === undefined) {
          throw new AppError('NOT_FOUND', `No meeting ${id}`, { httpStatus: 404 });
        }
        const facts = {
          rotation,
          routingSettings: await readRoutingSettings(client),
          overlaps:
            options.probe === undefined
              ? false
              : (await overlappingAgents(client, [options.probe])).size > 0,
          ...(options.probes === undefined
            ? {}
            : { overlapping: await overlappingAgents(client, options.probes) }),
          ...(options.counts === undefined
            ? {}
            : { counts: await countMeetings(client, options.counts) }),
        };
        const changed = decided(() => change(current, facts));
        const outbox = changed.outbox ?? [];
        const nextRotation = changed.rotation === rotation ? undefined : changed.rotation;
        if (changed.meeting === current && outbox.length === 0 && nextRotation === undefined) {
          return current;
        }
        const next =
          changed.meeting === current
            ? current
            : deepFreeze(refuseInvalid(meetingSchema, { ...changed.meeting, id }, 'meeting'));
        // The exclusion constraint refuses a new time that overlaps (SLOT_TAKEN); the row's own
        // old time does not count, as the lowdb store's probe excludes the meeting itself.
        if (next !== current) await replaceMeeting(client, next);
        if (outbox.length > 0) await this.enqueueOutbox(client, outbox, now);
        if (nextRotation !== undefined) await saveRotation(client, nextRotation);
        return next;
      },
    );
  }
}
