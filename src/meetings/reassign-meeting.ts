import { AppError } from '../errors.js';
import type { Agent, Meeting } from '../records/meeting-contract.js';
import { pickHold } from '../routing/hold-pick.js';
import type { RoutingPlan } from '../routing/meeting-routing.js';
import { giveBack, giveBackMeeting, NO_POOL, takeTurn } from '../routing/rotation-state.js';
import type { BookingDeps } from './book-meeting.js';
import { calendarDown, refusal } from './book-meeting.js';
import {
  candidateOf,
  capCounts,
  cappedAgents,
  meetingCandidate,
  meetingProbes,
  type MeetingCandidate,
} from './hold-decision.js';
import { checkAgentSlot, type AgentCheck } from './meeting-availability.js';
import { meetingActivityItem } from './meeting-events-outbox.js';
import { leadAgentItem } from './meeting-lead-fields.js';
import { releaseBookedActivity } from './meeting-link.js';
import { assertTransition, meetingEventCount, type MeetingActor } from './meeting-status.js';
import { withLength } from './meeting-types.js';
import { activityPayload, eventInput } from './meeting-writes.js';
import { reassignPlans } from './reassign-plans.js';
import { reassignedNotices } from '../notifications/notification-items.js';

type ReassignDeps = Omit<BookingDeps, 'ids' | 'links'>;

export interface ReassignArgs {
  meeting: Meeting;
  /** The meeting's agent, who cannot take the new time, and why (their AgentCheck). */
  from: Agent;
  reason: string;
  start: number;
  by: MeetingActor;
}

/** The plan's pick found nobody free under the lock: the next plan is tried. */
class NobodyFree extends Error {}

/**
 * A reschedule to a time the meeting's agent is no longer free for gives the meeting to
 * another agent by the same routing (reassign-plans.ts), as a booking would pick them: each
 * agent's hours and calendar are checked with no cache, then the store picks the next free
 * agent of the plan's rotation under the rotation's lock, taking the pool's turn (the turn a
 * new booking would take) and moving the meeting in one write (Chili Piper's and HubSpot's
 * "reassign when the owner is unavailable"). The new agent's calendar event is made next; if
 * that fails the meeting goes back to its agent and time. Then the event is confirmed with the
 * reschedule's Marketo activity (naming the new agent), and the old agent's event is removed.
 * The meeting keeps its id, manage links and visitor; its history says who had it.
 */
export async function reassignMeeting(deps: ReassignDeps, args: ReassignArgs): Promise<Meeting> {
  const { meeting, from, start } = args;
  const [agents, rules, accounts] = await Promise.all([
    deps.store.listAgents(),
    deps.store.listRoutingRules(),
    deps.store.listAccountRoutes(),
  ]);
  const plans = reassignPlans(meeting, agents, rules, accounts);
  const byId = new Map(agents.map((agent) => [agent.id, agent]));
  const minutes = Math.round((meeting.end - meeting.start) / 60_000);
  const now = deps.clock.now();
  const checks = new Map<string, Promise<AgentCheck>>();
  const seen: AgentCheck[] = [{ ok: false, reason: args.reason } as AgentCheck];
  for (const plan of plans) {
    const candidates = await Promise.all(
      plan.agentIds.flatMap((id) => {
        const agent = byId.get(id);
        if (agent === undefined) return [];
        let check = checks.get(id);
        if (check === undefined && id !== from.id) {
          check = checkAgentSlot(deps, withLength(agent, minutes), start, now, { fresh: true });
          checks.set(id, check);
        }
        return [candidateFor(withLength(agent, minutes), check, args)];
      }),
    );
    seen.push(...candidates.map((c): AgentCheck => (c.eligible ? { ok: true } : refused(c))));
    if (!candidates.some((c) => c.eligible)) continue;
    let held: { meeting: Meeting; to: MeetingCandidate };
    try {
      held = await holdFor(deps, args, plan, candidates);
    } catch (error) {
      if (error instanceof NobodyFree) continue;
      throw error;
    }
    return confirm(deps, args, held);
  }
  throw refusal(seen);
}

const refused = (c: MeetingCandidate): AgentCheck =>
  ({ ok: false, reason: c.reason ?? 'busy' }) as AgentCheck;

async function candidateFor(
  agent: Agent,
  check: Promise<AgentCheck> | undefined,
  args: ReassignArgs,
): Promise<MeetingCandidate> {
  // The meeting's own agent is in the plan (its place in the rotation counts) but not free.
  const verdict: AgentCheck =
    check === undefined ? ({ ok: false, reason: args.reason } as AgentCheck) : await check;
  return meetingCandidate(agent, verdict, { start: args.start, excludeMeetingId: args.meeting.id });
}

/** The store's pick and move, in one write under the rotation's lock. */
async function holdFor(
  deps: ReassignDeps,
  args: ReassignArgs,
  plan: RoutingPlan,
  candidates: MeetingCandidate[],
): Promise<{ meeting: Meeting; to: MeetingCandidate }> {
  const { meeting, from, start, by } = args;
  const now = deps.clock.now();
  let to: MeetingCandidate | undefined;
  const moved = await deps.store.updateMeeting(
    meeting.id,
    (current, facts) => {
      assertTransition(current, 'rescheduled', now);
      if (current.updatedAt !== meeting.updatedAt) throw meetingChanged();
      const pick = pickHold(
        {
          rotation: facts.rotation,
          overlapping: facts.overlapping ?? new Set(),
          capped: cappedAgents(candidates, facts.counts ?? []),
        },
        { candidates, mode: plan.mode, pool: plan.pool },
      );
      if (pick.outcome === 'taken') throw new NobodyFree();
      to = candidateOf({ candidates }, pick.candidate.id);
      const booked = releaseBookedActivity(current, now);
      const {
        providerEventId: _oldEvent,
        meetingUrl: _oldLink,
        bufferBeforeMs: _oldBuffer,
        ...rest
      } = booked.meeting;
      const end = start + to.durationMs;
      const next: Meeting = {
        ...rest,
        status: 'rescheduled',
        agentId: to.id,
        agentName: to.name,
        agentEmail: to.email,
        start,
        end,
        bufferAfterMs: to.bufferAfterMs,
        ...((to.bufferBeforeMs ?? 0) > 0 ? { bufferBeforeMs: to.bufferBeforeMs } : {}),
        provider: to.provider,
        routing: {
          rule: plan.rule,
          ...(plan.ruleName === undefined ? {} : { ruleName: plan.ruleName }),
          pool: plan.pool,
          skipped: pick.skipped,
          ...(plan.account === undefined ? {} : { account: plan.account }),
          ...(pick.weight === undefined ? {} : { weight: pick.weight }),
          ...pick.memo,
          ...(current.routing.identity === undefined ? {} : { identity: current.routing.identity }),
          reassignedFrom: { agentId: from.id, reason: args.reason },
        },
        history: [
          ...current.history,
          {
            status: 'rescheduled',
            at: now,
            by,
            start,
            end,
            note: `reassigned from ${from.name} to ${to.name}`,
          },
        ],
        updatedAt: now,
      };
      // The new agent takes the pool's turn; the old one's count goes down by the meeting.
      const rotation = giveBack(pick.rotation, { pool: NO_POOL, agentId: from.id });
      return { meeting: next, outbox: booked.outbox, rotation };
    },
    now,
    {
      probes: meetingProbes(candidates, start).map((p) => ({ ...p, excludeId: meeting.id })),
      counts: capCounts(candidates),
    },
  );
  return { meeting: moved, to: to! };
}

/**
 * The new agent's event, then the meeting confirmed with it and the reschedule's activity, then
 * the old agent's event removed. A failed create puts the meeting back as it was.
 */
async function confirm(
  deps: ReassignDeps,
  args: ReassignArgs,
  held: { meeting: Meeting; to: MeetingCandidate },
): Promise<Meeting> {
  const { meeting: original, from } = args;
  const agent = await deps.store.getAgent(held.to.id);
  let event: Awaited<ReturnType<ReassignDeps['calendars']['createEvent']>>;
  try {
    if (agent === undefined) throw new Error(`agent ${held.to.id} is gone`);
    event = await deps.calendars.createEvent(agent, eventInput(agent, held.meeting));
  } catch (error) {
    if (agent !== undefined) await deps.calendars.cancelEventOfMeeting(agent, held.meeting.id);
    await putBack(deps, original, held.meeting);
    throw calendarDown(error);
  }
  const now = deps.clock.now();
  let overtaken = false;
  const confirmed = await deps.store.updateMeeting(
    held.meeting.id,
    (current) => {
      // Changed meanwhile (another replica cancelled it): the new event is not its event.
      if (current.updatedAt !== held.meeting.updatedAt) {
        overtaken = true;
        return { meeting: current };
      }
      const next: Meeting = {
        ...current,
        providerEventId: event.eventId,
        ...(event.meetingUrl === undefined ? {} : { meetingUrl: event.meetingUrl }),
        updatedAt: now,
      };
      const seq = meetingEventCount(next);
      const lead = deps.agentLeadFields && leadAgentItem(next, deps.agentLeadFields);
      return {
        meeting: next,
        outbox: [
          meetingActivityItem(activityPayload(next, seq, now)),
          // The lead's agent fields follow the meeting (a key of its own per change).
          ...(lead === undefined ? [] : [{ ...lead, dedupeKey: `${lead.dedupeKey}#${seq}` }]),
          // The old agent's cancellation and the new agent's booking, by email.
          ...reassignedNotices(original, next, now),
        ],
      };
    },
    now,
  );
  if (overtaken) {
    await deps.calendars.cancelEventOfMeeting(agent!, held.meeting.id);
    throw meetingChanged();
  }
  deps.onEnqueued?.();
  if (original.providerEventId !== undefined) {
    await deps.calendars.cancelEvent(from, original.providerEventId).catch((error: unknown) =>
      // The meeting is with its new agent already; the old event is the old agent's to remove.
      deps.logger.warn(
        { err: error, meetingId: original.id, agentId: from.id },
        'reassigned meeting: the previous agent’s calendar event could not be removed',
      ),
    );
  }
  deps.logger.info(
    { meetingId: original.id, from: from.id, to: held.to.id, rule: confirmed.routing.rule },
    'meeting reassigned on reschedule',
  );
  return confirmed;
}

/** The meeting back with its agent and time, the turn given back and the old count restored. */
async function putBack(deps: ReassignDeps, original: Meeting, moved: Meeting): Promise<void> {
  const now = deps.clock.now();
  await deps.store
    .updateMeeting(
      original.id,
      (current, facts) => {
        if (current.updatedAt !== moved.updatedAt) return { meeting: current };
        const back = giveBackMeeting(facts.rotation, moved);
        return {
          meeting: { ...original, updatedAt: now },
          rotation: takeTurn(back, NO_POOL, original.agentId),
        };
      },
      now,
    )
    .catch((error: unknown) =>
      deps.logger.error(
        { err: error, meetingId: original.id },
        'reassigned meeting could not be put back after its calendar event failed',
      ),
    );
}

function meetingChanged(): AppError {
  return new AppError('MEETING_CHANGED', 'The meeting changed meanwhile: reload it and try again', {
    httpStatus: 409,
  });
}
