import type { Agent, Meeting } from '../records/meeting-contract.js';
import { pickHold } from '../routing/hold-pick.js';
import type { RoutingPlan } from '../routing/meeting-routing.js';
import { giveBack, NO_POOL } from '../routing/rotation-state.js';
import { refusal } from './book-meeting.js';
import {
  candidateOf,
  capCounts,
  cappedAgents,
  meetingCandidate,
  meetingProbes,
  type MeetingCandidate,
} from './hold-decision.js';
import { checkAgentSlot, type AgentCheck } from './meeting-availability.js';
import { releaseBookedActivity } from './meeting-link.js';
import { assertTransition, type MeetingActor } from './meeting-status.js';
import { withLength } from './meeting-types.js';
import { finishReassign, meetingChanged, type ReassignDeps } from './reassign-confirm.js';
import { reassignPlans } from './reassign-plans.js';

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
 * "reassign when the owner is unavailable"), marked `reassigning` with what it was. Then
 * finishReassign (reassign-confirm.ts): the new agent's calendar event (if that fails the
 * meeting goes back to its agent and time), the confirmation with the reschedule's Marketo
 * activity (naming the new agent) and emails, the old agent's event removed, the mark dropped.
 * A crash on the way leaves the mark, and the meetings' job finishes the move the same way
 * (reassign-recovery.ts). The meeting keeps its id, manage links and visitor; its history says
 * who had it.
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
    const done = await finishReassign(deps, held.meeting);
    if (!done.ok) throw done.error;
    deps.logger.info(
      { meetingId: meeting.id, from: from.id, to: held.to.id, rule: done.meeting.routing.rule },
      'meeting reassigned on reschedule',
    );
    return done.meeting;
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
        reassigning: { since: now, from: movedFields(booked.meeting) },
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

/** What the move changes, as it was: kept on the mark (meeting-contract.ts `reassigning`). */
function movedFields(meeting: Meeting): NonNullable<Meeting['reassigning']>['from'] {
  return {
    status: meeting.status === 'pending' ? 'booked' : meeting.status,
    agentId: meeting.agentId,
    agentName: meeting.agentName,
    agentEmail: meeting.agentEmail,
    start: meeting.start,
    end: meeting.end,
    bufferAfterMs: meeting.bufferAfterMs,
    ...(meeting.bufferBeforeMs === undefined ? {} : { bufferBeforeMs: meeting.bufferBeforeMs }),
    provider: meeting.provider,
    ...(meeting.providerEventId === undefined ? {} : { providerEventId: meeting.providerEventId }),
    ...(meeting.meetingUrl === undefined ? {} : { meetingUrl: meeting.meetingUrl }),
    routing: meeting.routing,
  };
}
