import type { Agent, Meeting, RoutingRule } from '../meetings/meeting-contract.js';
import type { RoutingSettings } from '../routing/routing-settings.js';
import type { OAuthState } from './meeting-document.js';
import type { NewOutboxItem } from './types.js';

/**
 * The store's interfaces for agents, meetings, routing rules and calendar connects. The lowdb
 * store implements them with synchronous mutators (meeting-records.ts), so every check-then-write
 * below is atomic; a PostgreSQL store does the same in one transaction, with an exclusion
 * constraint on (agent, time range) for active meetings.
 */

export interface AgentStore {
  /** In rotation order. */
  listAgents(): Agent[];
  getAgent(id: string): Agent | undefined;
  findAgentByEmail(email: string): Agent | undefined;
  /** Creates (appended to the rotation) or replaces. Refuses a second agent with the same email. */
  saveAgent(agent: Agent): Promise<void>;
  /** Applies `change` to the current agent in one synchronous step (no lost update). */
  updateAgent(id: string, change: (agent: Agent) => Agent): Promise<Agent>;
  deleteAgent(id: string): Promise<boolean>;
  /** Sets the rotation order; `ids` must be a permutation of the agents' ids. */
  reorderAgents(ids: string[]): Promise<void>;
}

export interface RoutingRuleStore {
  /** Highest priority first, then oldest. */
  listRoutingRules(): RoutingRule[];
  getRoutingRule(id: string): RoutingRule | undefined;
  saveRoutingRule(rule: RoutingRule): Promise<void>;
  deleteRoutingRule(id: string): Promise<boolean>;
}

export interface OAuthStateStore {
  saveOAuthState(state: OAuthState): Promise<void>;
  /**
   * Returns the state and deletes it, in one write: a state is good for one callback only. An
   * unknown, used or expired state gives undefined. Expired states are swept on the way.
   */
  consumeOAuthState(state: string, now: number): Promise<OAuthState | undefined>;
}

/** An agent considered for a slot, in rotation order, with what the caller found about them. */
export interface HoldCandidate {
  id: string;
  name: string;
  email: string;
  bufferAfterMs: number;
  /** The agent's meeting length: the meeting ends `durationMs` after its start. */
  durationMs: number;
  /** The agent's calendar provider, recorded on the meeting. */
  provider: Meeting['provider'];
  /** Free per working hours and calendar; the store adds the check against stored meetings. */
  eligible: boolean;
  /** Why not eligible (`busy`, `disconnected`, `inactive`, `outside-hours`), for the record. */
  reason?: string;
}

export interface HoldMeetingArgs {
  /** Everything of the meeting but the agent, which the store picks. Status `pending`. */
  meeting: Omit<
    Meeting,
    'agentId' | 'agentName' | 'agentEmail' | 'bufferAfterMs' | 'provider' | 'end'
  >;
  candidates: HoldCandidate[];
  /**
   * `rotation`: the first eligible, free candidate after the pool's pointer, which then moves
   * to that agent (strict round robin). `ordered`: the first eligible, free candidate as given
   * (the lead's owner, an agent asked for); the pointer does not move.
   */
  mode: 'rotation' | 'ordered';
  /** The rotation's pointer key: `default` or `rule:<id>`; `none` for `ordered`. */
  pool: string;
  now: number;
  /** Refuse (`visitor-limit`) when the visitor's email holds this many meetings to come. */
  maxPerVisitor?: number;
}

export type HoldMeetingResult =
  | { outcome: 'held'; meeting: Meeting }
  /** The idempotency key matched an earlier meeting: it is returned as is. */
  | { outcome: 'replayed'; meeting: Meeting }
  /** No candidate is free at that time (any more). */
  | { outcome: 'taken'; skipped: Array<{ agentId: string; reason: string }> }
  /** The visitor's email holds `maxPerVisitor` meetings to come already. */
  | { outcome: 'visitor-limit' };

/** A change to one meeting, made synchronously inside the store's mutator. */
export type MeetingChange = (
  current: Meeting,
  ctx: {
    /** Whether `agentId` has an active meeting other than `excludeId` in conflict with [start, end). */
    hasConflict(args: {
      agentId: string;
      start: number;
      end: number;
      bufferAfterMs: number;
      excludeId?: string;
    }): boolean;
    /** The rotation's settings as they are at this change. */
    routingSettings: RoutingSettings;
  },
) => {
  meeting: Meeting;
  outbox?: NewOutboxItem[];
  /** Gives the meeting's turn back to its rotation (rotation-state.ts `giveBack`), atomically. */
  giveBackTurn?: boolean;
};

export interface MeetingFilter {
  agentId?: string;
  status?: Meeting['status'];
  /** Meetings starting in [from, to). */
  from?: number;
  to?: number;
  limit?: number;
}

export interface MeetingStore {
  /**
   * Books a slot atomically: returns the meeting of an earlier request with the same
   * idempotency key; else picks the agent (see `mode`), checks no active meeting of that
   * agent conflicts (with buffers), stores the meeting as given (status `pending`, holding
   * the slot), counts it in the agent's total and, for `rotation`, moves the pool's pointer to
   * that agent; all in one
   * durable write. Two concurrent holds of one slot can never both pick the same agent.
   */
  holdMeeting(args: HoldMeetingArgs): Promise<HoldMeetingResult>;
  /**
   * Gives up a `pending` hold (the calendar event could not be made): the meeting is deleted,
   * the agent's total goes back, and the pool's pointer goes back to where it was if no other
   * turn was taken since. Returns false when the meeting is not pending.
   */
  releaseMeeting(id: string, now: number): Promise<boolean>;
  /**
   * Applies `change` to the meeting and enqueues its outbox items in one write. `change` runs
   * synchronously on the current value; an error it throws changes nothing.
   */
  updateMeeting(id: string, change: MeetingChange, now: number): Promise<Meeting>;
  getMeeting(id: string): Meeting | undefined;
  findMeetingByManageTokenHash(hash: string): Meeting | undefined;
  /** Newest start first. */
  listMeetings(filter?: MeetingFilter): Meeting[];
  /** Active meetings of an agent overlapping [from, to), for availability. */
  agentMeetings(agentId: string, from: number, to: number): Meeting[];
  /** Meetings in `statuses` whose end (or, for `pending`, creation) is before `before`. */
  meetingsDue(statuses: Array<Meeting['status']>, before: number, limit: number): Meeting[];
}

export interface MeetingStores
  extends AgentStore, RoutingRuleStore, OAuthStateStore, MeetingStore {}
