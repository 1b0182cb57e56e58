import { AppError, ConflictError } from '../errors.js';
import {
  agentSchema,
  isActiveMeeting,
  meetingSchema,
  routingRuleSchema,
} from '../records/meeting-contract.js';
import type { Agent, Meeting, RoutingRule } from '../records/meeting-contract.js';
import type { Changed } from './document-db.js';
import { deepFreeze } from './document-snapshot.js';
import { oauthStateSchema, type OAuthState } from '../records/oauth-state.js';
import type {
  HoldMeetingArgs,
  HoldMeetingResult,
  MeetingChange,
  MeetingFilter,
} from './meeting-store-types.js';
import { rotationStart } from '../routing/round-robin.js';
import { giveBack, NO_POOL, pointerOf, takeTurn, turnMemo } from '../routing/rotation-state.js';
import type { OutboxRecords } from './outbox-records.js';
import { refuseInvalid } from './record-validation.js';
import type { StoreDocument } from './store-document.js';

/**
 * Agents, meetings, routing rules and OAuth states in the store document. Every method that
 * changes something is a synchronous mutator for `DocumentDb.update(IfChanged)`: the check
 * (is the slot free? is the key new? whose turn is it?) and the write happen in one event-loop
 * turn, so concurrent bookings cannot interleave between them (research D4). Values are frozen
 * and replaced, never changed in place (store-document.ts).
 */
export class MeetingRecords {
  private readonly doc: StoreDocument;
  private readonly outbox: OutboxRecords;
  /** Secondary indexes, rebuilt on open and kept in step by every mutator. */
  private readonly byAgent = new Map<string, Set<string>>();
  private readonly byIdempotencyKey = new Map<string, string>();
  private readonly byTokenHash = new Map<string, string>();
  private readonly byVisitorEmail = new Map<string, Set<string>>();

  constructor(doc: StoreDocument, outbox: OutboxRecords) {
    this.doc = doc;
    this.outbox = outbox;
    for (const meeting of doc.meetings.values()) this.index(meeting);
  }

  /* Agents --------------------------------------------------------------------------------- */

  listAgents(): Agent[] {
    return [...this.doc.agents.values()];
  }

  getAgent(id: string): Agent | undefined {
    return this.doc.agents.get(id);
  }

  findAgentByEmail(email: string): Agent | undefined {
    const wanted = email.toLowerCase();
    for (const agent of this.doc.agents.values()) if (agent.email === wanted) return agent;
    return undefined;
  }

  saveAgent(input: Agent): Changed<void> {
    const agent = deepFreeze(refuseInvalid(agentSchema, input, 'agent'));
    const other = this.findAgentByEmail(agent.email);
    if (other !== undefined && other.id !== agent.id) {
      throw new AppError(
        'AGENT_EMAIL_TAKEN',
        `Agent ${other.id} already has email ${agent.email}`,
        {
          httpStatus: 409,
          field: 'email',
        },
      );
    }
    this.doc.agents.set(agent.id, agent);
    return { result: undefined, changed: true };
  }

  updateAgent(id: string, change: (agent: Agent) => Agent): Changed<Agent> {
    const current = this.doc.agents.get(id);
    if (current === undefined)
      throw new AppError('NOT_FOUND', `No agent ${id}`, { httpStatus: 404 });
    const next = change(current);
    if (next === current) return { result: current, changed: false };
    this.saveAgent({ ...next, id });
    return { result: this.doc.agents.get(id)!, changed: true };
  }

  deleteAgent(id: string): Changed<boolean> {
    const deleted = this.doc.agents.delete(id);
    return { result: deleted, changed: deleted };
  }

  reorderAgents(ids: string[]): Changed<void> {
    const { agents } = this.doc;
    const unique = new Set(ids);
    if (
      unique.size !== ids.length ||
      ids.length !== agents.size ||
      ids.some((id) => !agents.has(id))
    ) {
      throw new AppError('VALIDATION_FAILED', 'order must list every agent id exactly once', {
        httpStatus: 400,
        field: 'order',
      });
    }
    const ordered = ids.map((id) => agents.get(id)!);
    agents.clear();
    for (const agent of ordered) agents.set(agent.id, agent);
    return { result: undefined, changed: true };
  }

  /* Routing rules -------------------------------------------------------------------------- */

  listRules(): RoutingRule[] {
    return [...this.doc.routingRules.values()].sort(
      (a, b) => b.priority - a.priority || a.createdAt - b.createdAt || a.id.localeCompare(b.id),
    );
  }

  getRule(id: string): RoutingRule | undefined {
    return this.doc.routingRules.get(id);
  }

  saveRule(input: RoutingRule): Changed<void> {
    const rule = deepFreeze(refuseInvalid(routingRuleSchema, input, 'routing rule'));
    this.doc.routingRules.set(rule.id, rule);
    return { result: undefined, changed: true };
  }

  deleteRule(id: string): Changed<boolean> {
    const deleted = this.doc.routingRules.delete(id);
    return { result: deleted, changed: deleted };
  }

  /* OAuth states --------------------------------------------------------------------------- */

  saveOAuthState(input: OAuthState): Changed<void> {
    const state = deepFreeze(refuseInvalid(oauthStateSchema, input, 'oauth state'));
    this.doc.oauthStates.set(state.state, state);
    return { result: undefined, changed: true };
  }

  consumeOAuthState(state: string, now: number): Changed<OAuthState | undefined> {
    const { oauthStates } = this.doc;
    const found = oauthStates.get(state);
    let changed = oauthStates.delete(state);
    for (const [key, value] of oauthStates) {
      if (value.expiresAt <= now) changed = oauthStates.delete(key) || changed;
    }
    const usable = found !== undefined && found.expiresAt > now ? found : undefined;
    return { result: usable, changed };
  }

  /* Meetings ------------------------------------------------------------------------------- */

  getMeeting(id: string): Meeting | undefined {
    return this.doc.meetings.get(id);
  }

  findByTokenHash(hash: string): Meeting | undefined {
    const id = this.byTokenHash.get(hash);
    return id === undefined ? undefined : this.doc.meetings.get(id);
  }

  list(filter: MeetingFilter = {}): Meeting[] {
    const source =
      filter.agentId === undefined
        ? this.doc.meetings.values()
        : [...(this.byAgent.get(filter.agentId) ?? [])].map((id) => this.doc.meetings.get(id)!);
    const out: Meeting[] = [];
    for (const meeting of source) {
      if (filter.status !== undefined && meeting.status !== filter.status) continue;
      if (filter.from !== undefined && meeting.start < filter.from) continue;
      if (filter.to !== undefined && meeting.start >= filter.to) continue;
      out.push(meeting);
    }
    out.sort((a, b) => b.start - a.start || a.id.localeCompare(b.id));
    return filter.limit === undefined ? out : out.slice(0, filter.limit);
  }

  agentMeetings(agentId: string, from: number, to: number): Meeting[] {
    const out: Meeting[] = [];
    for (const id of this.byAgent.get(agentId) ?? []) {
      const meeting = this.doc.meetings.get(id)!;
      if (
        isActiveMeeting(meeting) &&
        meeting.start < to &&
        meeting.end + meeting.bufferAfterMs > from
      ) {
        out.push(meeting);
      }
    }
    return out.sort((a, b) => a.start - b.start);
  }

  due(statuses: Array<Meeting['status']>, before: number, limit: number): Meeting[] {
    const wanted = new Set(statuses);
    const out: Meeting[] = [];
    for (const meeting of this.doc.meetings.values()) {
      if (!wanted.has(meeting.status)) continue;
      const at = meeting.status === 'pending' ? meeting.createdAt : meeting.end;
      if (at < before) out.push(meeting);
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * A new meeting [start, end) with `bufferAfterMs` conflicts with an active meeting m of the
   * same agent when they overlap once each is extended by its own buffer after: no meeting may
   * start within the buffer after another ends (Dynamic Chat's "buffer after meetings").
   */
  hasConflict(args: {
    agentId: string;
    start: number;
    end: number;
    bufferAfterMs: number;
    excludeId?: string;
  }): boolean {
    for (const id of this.byAgent.get(args.agentId) ?? []) {
      if (id === args.excludeId) continue;
      const m = this.doc.meetings.get(id)!;
      if (!isActiveMeeting(m)) continue;
      if (args.start < m.end + m.bufferAfterMs && m.start < args.end + args.bufferAfterMs)
        return true;
    }
    return false;
  }

  hold(args: HoldMeetingArgs): Changed<HoldMeetingResult> {
    const key = args.meeting.idempotencyKey;
    const earlierId = key === undefined ? undefined : this.byIdempotencyKey.get(key);
    if (earlierId !== undefined) {
      return {
        result: { outcome: 'replayed', meeting: this.doc.meetings.get(earlierId)! },
        changed: false,
      };
    }
    if (this.doc.meetings.has(args.meeting.id)) {
      throw new ConflictError('MEETING_EXISTS', `Meeting ${args.meeting.id} exists`);
    }
    if (
      args.maxPerVisitor !== undefined &&
      this.upcomingOf(args.meeting.visitor.email, args.now) >= args.maxPerVisitor
    ) {
      return { result: { outcome: 'visitor-limit' }, changed: false };
    }
    const order = args.candidates.map((c) => c.id);
    const start =
      args.mode === 'rotation' ? rotationStart(order, pointerOf(this.doc.routing, args.pool)) : 0;
    const skipped: Array<{ agentId: string; reason: string }> = [];
    for (let step = 0; step < args.candidates.length; step += 1) {
      const candidate = args.candidates[(start + step) % args.candidates.length]!;
      if (!candidate.eligible) {
        skipped.push({ agentId: candidate.id, reason: candidate.reason ?? 'unavailable' });
        continue;
      }
      const end = args.meeting.start + candidate.durationMs;
      const conflict = this.hasConflict({
        agentId: candidate.id,
        start: args.meeting.start,
        end,
        bufferAfterMs: candidate.bufferAfterMs,
      });
      if (conflict) {
        skipped.push({ agentId: candidate.id, reason: 'booked' });
        continue;
      }
      const meeting = this.insert({
        ...args.meeting,
        end,
        agentId: candidate.id,
        agentName: candidate.name,
        agentEmail: candidate.email,
        bufferAfterMs: candidate.bufferAfterMs,
        provider: candidate.provider,
        routing: {
          ...args.meeting.routing,
          skipped: [...args.meeting.routing.skipped, ...skipped],
          ...(args.mode === 'rotation' ? turnMemo(this.doc.routing, args.pool) : {}),
        },
      });
      this.doc.routing = deepFreeze(
        takeTurn(this.doc.routing, args.mode === 'rotation' ? args.pool : NO_POOL, candidate.id, {
          order,
        }),
      );
      return { result: { outcome: 'held', meeting }, changed: true };
    }
    return { result: { outcome: 'taken', skipped }, changed: false };
  }

  release(id: string): Changed<boolean> {
    const meeting = this.doc.meetings.get(id);
    if (meeting === undefined || meeting.status !== 'pending')
      return { result: false, changed: false };
    this.remove(meeting);
    this.doc.routing = deepFreeze(
      giveBack(this.doc.routing, { ...meeting.routing, agentId: meeting.agentId }),
    );
    return { result: true, changed: true };
  }

  update(id: string, change: MeetingChange, now: number): Changed<Meeting> {
    const current = this.doc.meetings.get(id);
    if (current === undefined)
      throw new AppError('NOT_FOUND', `No meeting ${id}`, { httpStatus: 404 });
    const { meeting, outbox, giveBackTurn } = change(current, {
      hasConflict: (args) => this.hasConflict(args),
      routingSettings: this.doc.routingSettings,
    });
    if (meeting === current && (outbox === undefined || outbox.length === 0)) {
      return { result: current, changed: false };
    }
    const next = deepFreeze(refuseInvalid(meetingSchema, { ...meeting, id }, 'meeting'));
    // The outbox first: it validates too, and a refusal must leave the meeting unchanged.
    if (outbox !== undefined && outbox.length > 0) this.outbox.enqueue(outbox, now);
    this.remove(current);
    this.doc.meetings.set(id, next);
    this.index(next);
    if (giveBackTurn === true) {
      this.doc.routing = deepFreeze(
        giveBack(this.doc.routing, { ...current.routing, agentId: current.agentId }),
      );
    }
    return { result: next, changed: true };
  }

  /* Internals ------------------------------------------------------------------------------ */

  private insert(input: Meeting): Meeting {
    const meeting = deepFreeze(refuseInvalid(meetingSchema, input, 'meeting'));
    this.doc.meetings.set(meeting.id, meeting);
    this.index(meeting);
    return meeting;
  }

  private remove(meeting: Meeting): void {
    this.doc.meetings.delete(meeting.id);
    this.byAgent.get(meeting.agentId)?.delete(meeting.id);
    if (meeting.idempotencyKey !== undefined) this.byIdempotencyKey.delete(meeting.idempotencyKey);
    this.byTokenHash.delete(meeting.manageTokenHash);
    this.byVisitorEmail.get(meeting.visitor.email)?.delete(meeting.id);
  }

  private index(meeting: Meeting): void {
    let mine = this.byVisitorEmail.get(meeting.visitor.email);
    if (mine === undefined) this.byVisitorEmail.set(meeting.visitor.email, (mine = new Set()));
    mine.add(meeting.id);
    let ids = this.byAgent.get(meeting.agentId);
    if (ids === undefined) this.byAgent.set(meeting.agentId, (ids = new Set()));
    ids.add(meeting.id);
    if (meeting.idempotencyKey !== undefined)
      this.byIdempotencyKey.set(meeting.idempotencyKey, meeting.id);
    this.byTokenHash.set(meeting.manageTokenHash, meeting.id);
  }

  /** Active meetings of this visitor email that have not ended. */
  private upcomingOf(email: string, now: number): number {
    let count = 0;
    for (const id of this.byVisitorEmail.get(email) ?? []) {
      const meeting = this.doc.meetings.get(id)!;
      if (isActiveMeeting(meeting) && meeting.end > now) count += 1;
    }
    return count;
  }
}
