import type { Meeting } from '../records/meeting-contract.js';
import {
  holdProbes,
  pickHold,
  type HoldPickArgs,
  type SkippedAgent,
} from '../routing/hold-pick.js';
import type { HoldDecision, HoldFacts, HoldMeetingArgs } from '../store/meeting-store-types.js';

/** Everything of the meeting but what the pick decides (the agent, its length and buffer). */
export type MeetingDraft = Omit<
  Meeting,
  'agentId' | 'agentName' | 'agentEmail' | 'bufferAfterMs' | 'provider' | 'end'
>;

export interface HoldRequest extends HoldPickArgs {
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
  const pick = pickHold(facts, request);
  if (pick.outcome === 'taken') return { result: pick };
  const { candidate, memo } = pick;
  const draft = request.meeting;
  const meeting: Meeting = {
    ...draft,
    end: draft.start + candidate.durationMs,
    agentId: candidate.id,
    agentName: candidate.name,
    agentEmail: candidate.email,
    bufferAfterMs: candidate.bufferAfterMs,
    provider: candidate.provider,
    routing: { ...draft.routing, skipped: [...draft.routing.skipped, ...pick.skipped], ...memo },
  };
  return { result: { outcome: 'held', meeting }, meeting, rotation: pick.rotation };
}

/** The store's hold for `request`: the facts to read (one probe per eligible candidate) and the decision. */
export function holdMeetingArgs(request: HoldRequest): HoldMeetingArgs<HoldResult> {
  const { meeting } = request;
  return {
    ...(meeting.idempotencyKey === undefined ? {} : { idempotencyKey: meeting.idempotencyKey }),
    visitorEmail: meeting.visitor.email,
    now: request.now,
    probes: holdProbes(request.candidates, meeting.start),
    decide: (facts) => decideHold(facts, request),
  };
}
