import type { AccountRoute } from '../records/account-routing.js';
import type { Agent, Meeting, RoutingRule } from '../records/meeting-contract.js';
import type { OAuthState } from '../records/oauth-state.js';
import type { NewOutboxItem } from '../records/outbox-item.js';
import type { RotationState } from '../records/rotation.js';
import type { RoutingSettings } from '../records/routing-settings.js';

/**
 * The store's interfaces for agents, meetings, routing rules and calendar connects. Stores
 * store; capabilities decide: a hold or a change reads its facts under the rotation's lock,
 * runs the capability's synchronous decision on them, and writes the outcome in one
 * transaction. The lowdb store does it in one event-loop turn; the PostgreSQL store in one
 * transaction holding the rotation's row lock, with an exclusion constraint on (agent, time
 * range with buffer) for active meetings, so the database itself refuses a double booking.
 */

export interface AgentStore {
  /** In rotation order. */
  listAgents(): Promise<Agent[]>;
  getAgent(id: string): Promise<Agent | undefined>;
  findAgentByEmail(email: string): Promise<Agent | undefined>;
  /** Creates (appended to the rotation) or replaces. Refuses a second agent with the same email. */
  saveAgent(agent: Agent): Promise<void>;
  /** Applies `change` to the current agent, read under a lock, in one step (no lost update). */
  updateAgent(id: string, change: (agent: Agent) => Agent): Promise<Agent>;
  deleteAgent(id: string): Promise<boolean>;
  /** Sets the rotation order; `ids` must be a permutation of the agents' ids. */
  reorderAgents(ids: string[]): Promise<void>;
}

export interface RoutingRuleStore {
  /** Highest priority first, then oldest. */
  listRoutingRules(): Promise<RoutingRule[]>;
  getRoutingRule(id: string): Promise<RoutingRule | undefined>;
  saveRoutingRule(rule: RoutingRule): Promise<void>;
  deleteRoutingRule(id: string): Promise<boolean>;
}

export interface AccountRoutingStore {
  /** The account list (records/account-routing.ts), in the order it was uploaded. */
  listAccountRoutes(): Promise<AccountRoute[]>;
  /**
   * Replaces the whole list in one write: readers see the old list or the new one, never a
   * mix. An invalid entry, or a match listed twice, is refused (STORE_INVALID_RECORD) and
   * nothing changes. The store does not check the agents: the admin route does.
   */
  replaceAccountRoutes(routes: AccountRoute[]): Promise<void>;
}

export interface OAuthStateStore {
  saveOAuthState(state: OAuthState): Promise<void>;
  /**
   * Returns the state and deletes it, in one write: a state is good for one callback only. An
   * unknown, used or expired state gives undefined. Expired states are swept on the way.
   */
  consumeOAuthState(state: string, now: number): Promise<OAuthState | undefined>;
}

/** A time an agent would hold: the store says whether it overlaps an active meeting. */
export interface SlotProbe {
  agentId: string;
  start: number;
  end: number;
  bufferAfterMs: number;
  /** Held free before `start` too (the agent's buffer before); absent is 0. */
  bufferBeforeMs?: number;
  /** A meeting not to count (the one being moved). */
  excludeId?: string;
}

/**
 * Meetings of an agent to count: those starting in [from, to) that are not cancelled (pending
 * holds, booked, rescheduled, completed and no-show ones all count), less `excludeId`. A plain
 * count: what a count means (a cap of meetings a day or a week, in the agent's time zone) is
 * routing's (routing/agent-limits.ts).
 */
export interface MeetingCountQuery {
  agentId: string;
  from: number;
  to: number;
  excludeId?: string;
}

/**
 * The facts a hold is decided on, read under the rotation's lock. Overlap is the store's one
 * rule about time: an active meeting m of the agent overlaps a probe p when
 * `p.start - p.bufferBeforeMs < m.end + m.bufferAfterMs &&
 *  m.start - m.bufferBeforeMs < p.end + p.bufferAfterMs`: each holds its time widened by its own
 * buffers before and after (Dynamic Chat's "buffer after meetings", Calendly's and cal.com's
 * "before event" buffer; calendar/availability.ts). An absent buffer before is 0.
 */
export interface HoldFacts {
  rotation: RotationState;
  /** The meeting an earlier request with the same idempotency key made, if any. */
  replay: Meeting | undefined;
  /** Active meetings of the visitor's email that end after `now`. */
  upcomingForVisitor: number;
  /** Agents whose probe overlaps an active meeting. */
  overlapping: ReadonlySet<string>;
  /** The answers to the hold's `counts`, in their order (absent when none were asked). */
  counts?: readonly number[];
}

/** What a hold's decision wants written: the meeting (status `pending`) and the rotation. */
export interface HoldDecision<T> {
  result: T;
  meeting?: Meeting;
  rotation?: RotationState;
}

export interface HoldMeetingArgs<T> {
  idempotencyKey?: string;
  /** Lower-cased, as stored on the meeting. */
  visitorEmail: string;
  now: number;
  /** One per candidate agent: the slot each would hold. */
  probes: SlotProbe[];
  /** Meetings to count under the same lock (facts.counts), e.g. for an agent's caps. */
  counts?: MeetingCountQuery[];
  decide: (facts: HoldFacts) => HoldDecision<T>;
}

/** The facts a change of one meeting is decided on, read under the rotation's lock. */
export interface MeetingChangeFacts {
  rotation: RotationState;
  routingSettings: RoutingSettings;
  /** Whether the change's `probe` overlaps another active meeting (false without a probe). */
  overlaps: boolean;
  /**
   * Agents whose probe among the change's `probes` overlaps another active meeting of theirs
   * a meeting given to another agent (a reassigning reschedule)
   * picks among candidates as a hold does. Present only when `probes` were given.
   */
  overlapping?: ReadonlySet<string>;
  /** The answers to the change's `counts`, in their order (present only when given). */
  counts?: readonly number[];
}

/** A change to one meeting: a synchronous decision on the current value and the facts. */
export type MeetingChange = (
  current: Meeting,
  facts: MeetingChangeFacts,
) => {
  meeting: Meeting;
  outbox?: NewOutboxItem[];
  /** The rotation after the change (a turn given back, rotation-state.ts `giveBack`). */
  rotation?: RotationState;
};

export interface MeetingUpdateOptions {
  probe?: SlotProbe;
  probes?: SlotProbe[];
  counts?: MeetingCountQuery[];
}

/** What availability needs of an active meeting: the time it holds, buffers included. */
export interface MeetingTime {
  id: string;
  start: number;
  end: number;
  bufferBeforeMs: number;
  bufferAfterMs: number;
}

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
   * Books a slot atomically: under the rotation's lock, reads the facts (HoldFacts), runs
   * `decide` (meetings/ and routing/ decide: a replay, a visitor at their limit, which agent),
   * and stores the meeting and rotation it returns in one durable transaction. The insert
   * itself fails with ConflictError SLOT_TAKEN when the meeting overlaps another active
   * meeting of its agent, whatever the decision thought; a meeting id that exists fails with
   * MEETING_EXISTS. An error `decide` throws changes nothing.
   */
  holdMeeting<T>(args: HoldMeetingArgs<T>): Promise<T>;
  /**
   * Gives up a `pending` hold (the calendar event could not be made): the meeting is deleted
   * and the rotation becomes what `giveBack` makes of it (routing/rotation-state.ts), in one
   * transaction under the rotation's lock. Returns false when the meeting is not pending.
   */
  releaseMeeting(
    id: string,
    now: number,
    giveBack: (rotation: RotationState, meeting: Meeting) => RotationState,
  ): Promise<boolean>;
  /**
   * Applies `change` to the meeting (read under the rotation's lock, with `probe` checked for
   * overlap) and writes the meeting, its outbox items and the rotation it returns in one
   * transaction. An error `change` throws changes nothing. A changed time that overlaps
   * another active meeting fails with SLOT_TAKEN at the write too. `probes` are checked like a
   * hold's (facts.overlapping), `counts` answered like a hold's (facts.counts).
   */
  updateMeeting(
    id: string,
    change: MeetingChange,
    now: number,
    options?: MeetingUpdateOptions,
  ): Promise<Meeting>;
  /** The answer to each query (MeetingCountQuery), in order: a read, no lock. */
  countMeetings(queries: MeetingCountQuery[]): Promise<number[]>;
  getMeeting(id: string): Promise<Meeting | undefined>;
  findMeetingByManageTokenHash(hash: string): Promise<Meeting | undefined>;
  /** Newest start first. */
  listMeetings(filter?: MeetingFilter): Promise<Meeting[]>;
  /** Active meetings of an agent overlapping [from, to), for availability. */
  agentMeetings(agentId: string, from: number, to: number): Promise<Meeting[]>;
  /**
   * The times of the meetings agentMeetings answers, in its order, without the rest of each
   * record: what every slots call and booking reads for every agent it considers (reading whole
   * meetings there cost about half of a booking's CPU; bench/booking.ts).
   */
  agentMeetingTimes(agentId: string, from: number, to: number): Promise<MeetingTime[]>;
  /** Meetings in `statuses` whose end (or, for `pending`, creation) is before `before`. */
  meetingsDue(
    statuses: Array<Meeting['status']>,
    before: number,
    limit: number,
  ): Promise<Meeting[]>;
  /**
   * Meetings still marked `reassigning` whose mark was set before `before` (a move a crash
   * interrupted), oldest mark first, at most `limit`.
   */
  meetingsReassigning(before: number, limit: number): Promise<Meeting[]>;
}

export interface MeetingStores
  extends AgentStore, RoutingRuleStore, AccountRoutingStore, OAuthStateStore, MeetingStore {}
