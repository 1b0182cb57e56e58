import type { Agent, Meeting, MeetingType } from '../records/meeting-contract.js';
import { agentCaps, reachedCap, type CapReason } from '../routing/agent-limits.js';
import {
  holdProbes,
  pickHold,
  type HoldCandidate,
  type HoldPickArgs,
  type SkippedAgent,
} from '../routing/hold-pick.js';
import type {
  HoldDecision,
  HoldFacts,
  HoldMeetingArgs,
  MeetingCountQuery,
  SlotProbe,
} from '../store/meeting-store-types.js';

/** Everything of the meeting but what the pick decides (the agent, its length and buffers). */
export type MeetingDraft = Omit<
  Meeting,
  'agentId' | 'agentName' | 'agentEmail' | 'bufferAfterMs' | 'bufferBeforeMs' | 'provider' | 'end'
>;

/**
 * A candidate as routing sees it, with what the meeting takes from the agent besides: the
 * buffer held before it (routing's probes know only the buffer after; holdMeetingArgs adds it)
 * and the meeting type the agent offers under the id asked for.
 */
export interface MeetingCandidate extends HoldCandidate {
  /** Absent is 0. */
  bufferBeforeMs?: number;
  meetingType?: Meeting['meetingType'];
}

/**
 * An agent as a candidate for a slot at `start`: free or not by their check (hours, calendar,
 * out of office; `verdict`), with their weight and their caps at that slot (counted by the
 * store under the hold's lock). `agent` is at the meeting's length (meetingMinutes).
 */
export function meetingCandidate(
  agent: Agent,
  verdict: { ok: true } | { ok: false; reason: string },
  args: { start: number; meetingType?: MeetingType | undefined; excludeMeetingId?: string },
): MeetingCandidate {
  const caps = agentCaps(agent, args.start, args.excludeMeetingId);
  return {
    id: agent.id,
    name: agent.name,
    email: agent.email,
    bufferAfterMs: agent.bufferAfterMinutes * 60_000,
    bufferBeforeMs: (agent.bufferBeforeMinutes ?? 0) * 60_000,
    ...(args.meetingType === undefined ? {} : { meetingType: { ...args.meetingType } }),
    durationMs: agent.meetingMinutes * 60_000,
    provider: agent.calendar.provider,
    eligible: verdict.ok,
    ...(verdict.ok ? {} : { reason: verdict.reason }),
    ...(agent.weight === undefined ? {} : { weight: agent.weight }),
    ...(caps.length === 0 ? {} : { caps }),
  };
}

export interface HoldRequest extends HoldPickArgs {
  candidates: readonly MeetingCandidate[];
  /** Status `pending`; its routing's `skipped` is added to by the pick. */
  meeting: MeetingDraft;
  now: number;
  /** Refuse (`visitor-limit`) when the visitor's email holds this many meetings to come. */
  maxPerVisitor?: number | undefined;
}

export type HoldResult =
  | { outcome: 'held'; meeting: Meeting }
  /** The idempotency key matched an earlier meeting: it is returned as is. */
  | { outcome: 'replayed'; meeting: Meeting }
  /** No candidate is free at that time (any more). */
  | { outcome: 'taken'; skipped: SkippedAgent[] }
  /** The visitor's email holds `maxPerVisitor` meetings to come already. */
  | { outcome: 'visitor-limit' };

/**
 * The booking rules of a hold, in order: a request whose idempotency key made a meeting gets
 * that meeting back (`replayed`); a visitor at their limit of meetings to come is refused
 * (`visitor-limit`); else routing's pick (routing/hold-pick.ts) holds the slot for the first
 * free candidate (`held`, with the meeting and the rotation to write) or finds none (`taken`).
 */
export function decideHold(facts: HoldFacts, request: HoldRequest): HoldDecision<HoldResult> {
  if (facts.replay !== undefined) return { result: { outcome: 'replayed', meeting: facts.replay } };
  if (request.maxPerVisitor !== undefined && facts.upcomingForVisitor >= request.maxPerVisitor) {
    return { result: { outcome: 'visitor-limit' } };
  }
  const capped = cappedAgents(request.candidates, facts.counts ?? []);
  const pick = pickHold({ ...facts, capped }, request);
  if (pick.outcome === 'taken') return { result: pick };
  const { memo } = pick;
  const candidate = candidateOf(request, pick.candidate.id);
  const draft = request.meeting;
  const meeting: Meeting = {
    ...draft,
    end: draft.start + candidate.durationMs,
    agentId: candidate.id,
    agentName: candidate.name,
    agentEmail: candidate.email,
    bufferAfterMs: candidate.bufferAfterMs,
    // Only when there is one, so meetings without stay as they were stored before.
    ...((candidate.bufferBeforeMs ?? 0) > 0 ? { bufferBeforeMs: candidate.bufferBeforeMs } : {}),
    ...(candidate.meetingType === undefined ? {} : { meetingType: candidate.meetingType }),
    provider: candidate.provider,
    routing: {
      ...draft.routing,
      skipped: withoutRepeats([...draft.routing.skipped, ...pick.skipped]),
      ...(pick.weight === undefined ? {} : { weight: pick.weight }),
      ...memo,
    },
  };
  return { result: { outcome: 'held', meeting }, meeting, rotation: pick.rotation };
}

/** Each agent passed over once per reason (a fallback passes the account's agent again). */
function withoutRepeats(skipped: readonly SkippedAgent[]): SkippedAgent[] {
  const seen = new Set<string>();
  return skipped.filter(({ agentId, reason }) => {
    const key = `${agentId}\n${reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The store's hold for `request`: the facts to read (one probe per eligible candidate) and the decision. */
export function holdMeetingArgs(request: HoldRequest): HoldMeetingArgs<HoldResult> {
  const { meeting } = request;
  return {
    ...(meeting.idempotencyKey === undefined ? {} : { idempotencyKey: meeting.idempotencyKey }),
    visitorEmail: meeting.visitor.email,
    now: request.now,
    probes: meetingProbes(request.candidates, meeting.start),
    ...(capCounts(request.candidates).length === 0
      ? {}
      : { counts: capCounts(request.candidates) }),
    decide: (facts) => decideHold(facts, request),
  };
}

/** What the store counts for the eligible candidates' caps, in candidate and cap order. */
export function capCounts(candidates: readonly HoldCandidate[]): MeetingCountQuery[] {
  return candidates.flatMap((c) => (c.eligible ? (c.caps ?? []).map((cap) => cap.query) : []));
}

/**
 * Candidates at a cap, by the counts the store answered for `capCounts(candidates)` under its
 * lock: a hold made meanwhile counts, so concurrent bookings never pass a cap.
 */
export function cappedAgents(
  candidates: readonly HoldCandidate[],
  counts: readonly number[],
): Map<string, CapReason> {
  const capped = new Map<string, CapReason>();
  let at = 0;
  for (const candidate of candidates) {
    if (!candidate.eligible) continue;
    const caps = candidate.caps ?? [];
    const reason = reachedCap(caps, counts.slice(at, at + caps.length));
    at += caps.length;
    if (reason !== undefined) capped.set(candidate.id, reason);
  }
  return capped;
}

/** Routing's probes (holdProbes), each with its candidate's buffer before. */
export function meetingProbes(candidates: readonly MeetingCandidate[], start: number): SlotProbe[] {
  const before = new Map(candidates.map((c) => [c.id, c.bufferBeforeMs]));
  return holdProbes(candidates, start).map((probe) => {
    const bufferBeforeMs = before.get(probe.agentId) ?? 0;
    return bufferBeforeMs > 0 ? { ...probe, bufferBeforeMs } : probe;
  });
}

/** The request's own candidate of that id: the pick hands back routing's view of it. */
export function candidateOf(
  request: { candidates: readonly MeetingCandidate[] },
  id: string,
): MeetingCandidate {
  return request.candidates.find((c) => c.id === id)!;
}
