import type { AgentCalendars } from '../calendar/agent-calendars.js';
import type { Clock, Ids } from '../deps.js';
import { AppError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { planRouting, type RoutingPlan } from '../routing/meeting-routing.js';
import type { MeetingStores } from '../store/meeting-store-types.js';
import { commitHold } from './commit-hold.js';
import { holdMeetingArgs, meetingCandidate } from './hold-decision.js';
import { findAccount } from '../records/account-routing.js';
import type { SkippedAgent } from '../routing/hold-pick.js';
import { agentForType, agentsOfferingType, offeredType } from './meeting-types.js';
import type { ChatStore, LeadStore } from '../store/types.js';
import { currentChatConfiguration } from '../chat/default-configuration.js';
import { acceptVisitorEmail } from '../chat/visitor-email.js';
import type { MunchkinLookup } from '../chat/munchkin-lookup.js';
import { identifyBooker, type BookingIdentity } from './booking-identity.js';
import type { BookingRequest } from './booking-contract.js';
import { checkAgentSlot, type AgentCheck } from './meeting-availability.js';
import { calendarDown, refusal } from './booking-refusals.js';

export { calendarDown, refusal, SlotTakenError } from './booking-refusals.js';
import type { Agent, Meeting } from '../records/meeting-contract.js';
import type { ManageLinks } from './manage-links.js';
import type { AgentLeadFields } from './meeting-lead-fields.js';

export interface BookingDeps {
  store: MeetingStores & LeadStore & Pick<ChatStore, 'getChatConfiguration'>;
  calendars: AgentCalendars;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  links: ManageLinks;
  /** The lead field naming the owner's email (ROUTING_OWNER_FIELD); owner routing is off when absent. */
  ownerField?: string;
  /** The chat's Munchkin lookup (booking-identity.ts); absent: every booking routes as typed. */
  munchkin?: MunchkinLookup | undefined;
  /** Called when a Marketo write-back was enqueued (kick the outbox worker). */
  onEnqueued?: () => void;
  /** Lead fields that receive the assigned agent (MEETING_AGENT_EMAIL_FIELD / _NAME_FIELD). */
  agentLeadFields?: AgentLeadFields;
  /**
   * Meetings to come one email may hold (MEETING_MAX_PER_VISITOR, default 3): the email is not
   * verified, so this bounds what one person can put in agents' calendars and invite others to.
   */
  maxMeetingsPerVisitor?: number;
  /** MEETING_NO_SHOW_GRACE_MS: how long after its end a completed meeting may become no-show. */
  noShowGraceMs?: number;
  /** Told of each meeting booked, once it is confirmed (the service's metrics). */
  onBooked?: () => void;
}

const DEFAULT_MAX_MEETINGS_PER_VISITOR = 3;

/** How many agents a booking tries when the chosen one turns out busy at commit or fails. */
const MAX_ATTEMPTS = 3;

/**
 * Books a meeting (research E4, §7.1): idempotent on the visitor's key; the agent is chosen by
 * routing among those free for the slot; the slot is held atomically in the store (no agent is
 * ever double-booked, whatever the concurrency), re-checked against the agent's calendar with no
 * cache, then the calendar event is made with an id derived from the meeting (a retry cannot
 * make two) and the meeting is confirmed with its Marketo activity in one store write. When the
 * calendar fails the hold is given back: no half-made meeting.
 */
export async function bookMeeting(
  deps: BookingDeps,
  request: BookingRequest,
): Promise<{ meeting: Meeting; replayed: boolean }> {
  const now = deps.clock.now();
  const start = Date.parse(request.start);
  if (start <= now) throw new ValidationError('start: the slot is in the past', 'start');
  // The booking creates or links the lead: the chat's email rules apply (blocked domains).
  acceptVisitorEmail(await currentChatConfiguration(deps.store), request.email, 'email');

  const [agents, rules, accounts, agentId, booker] = await Promise.all([
    deps.store.listAgents(),
    deps.store.listRoutingRules(),
    deps.store.listAccountRoutes(),
    requestedAgentId(deps.store, request),
    identifyBooker(deps, request),
  ]);
  // A meeting type: routing only among the agents who offer it (400 naming meetingType when
  // nobody does, or not the agent asked for).
  const offering = agentsOfferingType(agents, request.meetingType, agentId);
  const plans = planRouting({
    agents: offering,
    rules,
    lead: booker.routingLead,
    // The domain is the address typed; the company is stored lead data, so only a proven
    // visitor's (booking-identity.ts), like the owner.
    account: findAccount(accounts, {
      email: request.email,
      company: booker.routingLead?.['company'],
    }),
    // The owner is stored lead data: only for a proven visitor (booking-identity.ts).
    ...(deps.ownerField === undefined || booker.identity !== 'cookie'
      ? {}
      : { ownerField: deps.ownerField }),
    ...(agentId === undefined ? {} : { agentId }),
  });

  const byId = new Map(agents.map((agent) => [agent.id, agent]));
  const excluded = new Map<string, string>();
  const seen: AgentCheck[] = [];
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const held = await holdFirstFree(deps, request, plans, byId, start, booker, excluded, seen);
    if (held.outcome === 'replayed')
      return { meeting: checkReplay(held.meeting, request, start), replayed: true };
    if (held.outcome === 'none') break;
    const { meeting } = held;
    // Read again: the check may have stored a rotated calendar grant on the agent.
    const agent = await deps.store.getAgent(meeting.agentId);
    if (agent === undefined) {
      throw new AppError('NOT_FOUND', `No agent ${meeting.agentId}`, { httpStatus: 404 });
    }
    const confirmed = await confirmHold(deps, agent, meeting, excluded);
    if (confirmed !== undefined) return { meeting: confirmed, replayed: false };
  }
  throw refusal(seen);
}

type HoldOutcome =
  | { outcome: 'held'; meeting: Meeting }
  | { outcome: 'replayed'; meeting: Meeting }
  | { outcome: 'none' };

async function holdFirstFree(
  deps: BookingDeps,
  request: BookingRequest,
  plans: RoutingPlan[],
  byId: ReadonlyMap<string, Agent>,
  start: number,
  { leadId, identity }: BookingIdentity,
  excluded: ReadonlyMap<string, string>,
  seen: AgentCheck[],
): Promise<HoldOutcome> {
  const now = deps.clock.now();
  const checks = new Map<string, Promise<AgentCheck>>();
  const check = (agent: Agent) => {
    let pending = checks.get(agent.id);
    if (pending === undefined)
      checks.set(agent.id, (pending = checkAgentSlot(deps, agent, start, now)));
    return pending;
  };
  const sized = (agent: Agent) => agentForType(agent, request.meetingType);
  // Why the account's agent could not take it, carried into the fallback's decision.
  let carried: SkippedAgent[] = [];
  const account = plans.find((plan) => plan.account !== undefined)?.account;
  for (const plan of plans) {
    // Each agent at the length of the type asked for (their own length without one).
    const agents = plan.agentIds.flatMap((id) => {
      const agent = byId.get(id);
      return agent === undefined ? [] : [sized(agent)];
    });
    // The plan's calendars are asked at once, not one after the other.
    const verdicts = await Promise.all(
      agents.map((agent) =>
        excluded.has(agent.id)
          ? Promise.resolve<AgentCheck>({ ok: false, reason: 'busy' })
          : check(agent),
      ),
    );
    const candidates = agents.map((agent, index) => {
      const verdict = verdicts[index]!;
      seen.push(verdict);
      const reason = verdict.ok ? undefined : (excluded.get(agent.id) ?? verdict.reason);
      return meetingCandidate(agent, reason === undefined ? { ok: true } : { ok: false, reason }, {
        start,
        meetingType:
          request.meetingType === undefined ? undefined : offeredType(agent, request.meetingType),
      });
    });
    const passOn = (skipped: SkippedAgent[]) => {
      if (plan.rule === 'account') carried = skipped;
    };
    // With nobody free the store is still asked when there is a key: the visitor's own meeting
    // may be what fills the slot, and a retry must get it back (replayed), not SLOT_TAKEN.
    const anyEligible = candidates.some((c) => c.eligible);
    if (candidates.length === 0 || (!anyEligible && request.idempotencyKey === undefined)) {
      passOn(candidates.map((c) => ({ agentId: c.id, reason: c.reason ?? 'unavailable' })));
      continue;
    }
    const id = deps.ids.next();
    const result = await deps.store.holdMeeting(
      holdMeetingArgs({
        maxPerVisitor: deps.maxMeetingsPerVisitor ?? DEFAULT_MAX_MEETINGS_PER_VISITOR,
        mode: plan.mode,
        pool: plan.pool,
        now,
        candidates,
        meeting: {
          id,
          status: 'pending',
          start,
          visitor: {
            email: request.email,
            ...(request.name === undefined ? {} : { name: request.name }),
            timeZone: request.timeZone,
            ...(request.locale === undefined ? {} : { locale: request.locale }),
            ...(request.anonymousId === undefined ? {} : { anonymousId: request.anonymousId }),
          },
          ...(leadId === undefined ? {} : { leadId }),
          ...(request.dialogueId === undefined ? {} : { dialogueId: request.dialogueId }),
          ...(request.conversationId === undefined
            ? {}
            : { conversationId: request.conversationId }),
          routing: {
            rule: plan.rule,
            ...(plan.ruleName === undefined ? {} : { ruleName: plan.ruleName }),
            pool: plan.pool,
            skipped: [...carried],
            ...(account === undefined ? {} : { account }),
            identity,
          },
          ...(request.idempotencyKey === undefined
            ? {}
            : { idempotencyKey: request.idempotencyKey }),
          manageTokenHash: deps.links.hash(deps.links.token(id)),
          history: [{ status: 'pending', at: now, by: 'visitor' }],
          createdAt: now,
          updatedAt: now,
        },
      }),
    );
    if (result.outcome === 'visitor-limit') throw visitorLimit();
    if (result.outcome === 'taken') {
      passOn(result.skipped);
      continue;
    }
    return result;
  }
  return { outcome: 'none' };
}

/**
 * Re-checks the held slot with no cache and confirms the booking, or gives the agent up: the
 * caller tries the next (the agent is excluded) unless the calendar itself is down, which
 * refuses the booking clearly.
 */
async function confirmHold(
  deps: BookingDeps,
  agent: Agent,
  meeting: Meeting,
  excluded: Map<string, string>,
): Promise<Meeting | undefined> {
  const result = await commitHold(deps, agent, meeting);
  if (result.ok) {
    deps.logger.info(
      {
        meetingId: meeting.id,
        agentId: agent.id,
        rule: meeting.routing.rule,
        provider: agent.calendar.provider,
      },
      'meeting booked',
    );
    deps.onBooked?.();
    return result.meeting;
  }
  if (result.reason === 'calendar-unavailable') throw calendarDown();
  if (result.reason === 'calendar-failed') {
    deps.logger.warn(
      { err: result.error, agentId: agent.id, meetingId: meeting.id },
      'calendar event not created: booking refused',
    );
    throw calendarDown(result.error);
  }
  excluded.set(agent.id, result.reason);
  return undefined;
}

function visitorLimit(): AppError {
  return new AppError(
    'TOO_MANY_MEETINGS',
    'This email has as many meetings to come as one visitor may book: cancel one to book another',
    { httpStatus: 409, field: 'email' },
  );
}

/** The agent a booking card names, by id or email; 400 naming the field when unknown. */
export async function requestedAgentId(
  store: Pick<MeetingStores, 'getAgent' | 'findAgentByEmail'>,
  request: { agentId?: string | undefined; agentEmail?: string | undefined },
): Promise<string | undefined> {
  if (request.agentId !== undefined) {
    if ((await store.getAgent(request.agentId)) === undefined) {
      throw new ValidationError(`agentId: no agent ${request.agentId}`, 'agentId');
    }
    return request.agentId;
  }
  if (request.agentEmail !== undefined) {
    const agent = await store.findAgentByEmail(request.agentEmail);
    if (agent === undefined) {
      throw new ValidationError(`agentEmail: no agent ${request.agentEmail}`, 'agentEmail');
    }
    return agent.id;
  }
  return undefined;
}

const idempotencyKeyReused = () =>
  new AppError(
    'IDEMPOTENCY_KEY_REUSED',
    'This idempotency key was used for another booking: use a new key for a new booking',
    { httpStatus: 422, field: 'idempotencyKey' },
  );

export type BookOnce = (
  request: BookingRequest,
) => Promise<{ meeting: Meeting; replayed: boolean }>;

/**
 * `bookMeeting` for the routes: the same idempotency key twice in this process joins the first
 * booking rather than racing it and is answered as a replay of it (another replica's is caught
 * by the store's key index); the same key for another booking is refused, as the store would.
 */
export function createBookOnce(deps: BookingDeps): BookOnce {
  const inFlight = new Map<string, { fingerprint: string; booking: ReturnType<BookOnce> }>();
  return (request) => {
    const key = request.idempotencyKey;
    const fingerprint = `${request.email}|${Date.parse(request.start)}|${request.meetingType ?? ''}`;
    const running = key === undefined ? undefined : inFlight.get(key);
    if (running !== undefined) {
      if (running.fingerprint !== fingerprint) return Promise.reject(idempotencyKeyReused());
      // A request that joins is a retry of the first, and answers as a retry that came after
      // it would (200, `replayed`): only the request that made the meeting is a 201.
      return running.booking.then(({ meeting }) => ({ meeting, replayed: true }));
    }
    const booking = bookMeeting(deps, request);
    if (key !== undefined) {
      inFlight.set(key, { fingerprint, booking });
      void booking.finally(() => inFlight.delete(key)).catch(() => undefined);
    }
    return booking;
  };
}

/** The same key with another request is a client bug, not a replay (Stripe's rule). */
function checkReplay(meeting: Meeting, request: BookingRequest, start: number): Meeting {
  if (
    meeting.visitor.email !== request.email ||
    meeting.start !== start ||
    meeting.meetingType?.id !== request.meetingType
  ) {
    throw idempotencyKeyReused();
  }
  if (meeting.status === 'pending') {
    throw new AppError(
      'BOOKING_IN_PROGRESS',
      'This booking is still being made: retry in a moment',
      {
        httpStatus: 409,
        retryable: true,
        field: 'idempotencyKey',
      },
    );
  }
  return meeting;
}
