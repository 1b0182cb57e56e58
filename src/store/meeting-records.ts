import { AppError, ConflictError } from '../errors.js';
import { isActiveMeeting, meetingSchema, type Meeting } from '../records/meeting-contract.js';
import type { Changed } from './document-db.js';
import { deepFreeze } from './document-snapshot.js';
import type { RotationState } from '../records/rotation.js';
import type {
  HoldMeetingArgs,
  MeetingChange,
  MeetingCountQuery,
  MeetingFilter,
  MeetingUpdateOptions,
  MeetingTime,
  SlotProbe,
} from './meeting-store-types.js';
import type { OutboxRecords } from './outbox-records.js';
import { refuseInvalid } from './record-validation.js';
import {
  holdMeetingSchema,
  meetingCountQueriesSchema,
  slotProbesSchema,
} from './store-arguments.js';
import { validRotation } from './routing-records.js';
import type { StoreDocument } from './store-document.js';

/**
 * Meetings in the store document (agents, routing rules and OAuth states: agent-records.ts).
 * Every method that changes something is a synchronous mutator for `DocumentDb.update(IfChanged)`: the facts a
 * decision needs (is the slot free? is the key new? whose turn is it?), the caller's decision
 * and the write happen in one event-loop turn, so concurrent bookings cannot interleave between
 * them (research D4). The store decides nothing: meetings/ and routing/ pass their decisions. Values are frozen
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
        meeting.start - (meeting.bufferBeforeMs ?? 0) < to &&
        meeting.end + meeting.bufferAfterMs > from
      ) {
        out.push(meeting);
      }
    }
    return out.sort((a, b) => a.start - b.start);
  }

  agentMeetingTimes(agentId: string, from: number, to: number): MeetingTime[] {
    return this.agentMeetings(agentId, from, to).map((m) => ({
      id: m.id,
      start: m.start,
      end: m.end,
      bufferBeforeMs: m.bufferBeforeMs ?? 0,
      bufferAfterMs: m.bufferAfterMs,
    }));
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

  reassigning(before: number, limit: number): Meeting[] {
    const out: Meeting[] = [];
    for (const meeting of this.doc.meetings.values()) {
      const since = meeting.reassigning?.since;
      if (since !== undefined && since < before) out.push(meeting);
    }
    out.sort((a, b) => a.reassigning!.since - b.reassigning!.since || a.id.localeCompare(b.id));
    return out.slice(0, limit);
  }

  /**
   * Whether `probe` overlaps an active meeting of its agent, each widened by its own buffers
   * before and after: no meeting's time with its buffers may meet another's (Dynamic Chat's
   * "buffer after meetings"; a buffer before). The store's one rule about time
   * (meeting-store-types.ts HoldFacts); a meeting stored without a buffer before has 0.
   */
  overlaps(probe: SlotProbe): boolean {
    const from = probe.start - (probe.bufferBeforeMs ?? 0);
    const until = probe.end + probe.bufferAfterMs;
    for (const id of this.byAgent.get(probe.agentId) ?? []) {
      if (id === probe.excludeId) continue;
      const m = this.doc.meetings.get(id)!;
      if (!isActiveMeeting(m)) continue;
      if (from < m.end + m.bufferAfterMs && m.start - (m.bufferBeforeMs ?? 0) < until) return true;
    }
    return false;
  }

  /** Meetings of the agent starting in [from, to), not cancelled, less the excluded one. */
  count(query: MeetingCountQuery): number {
    let count = 0;
    for (const id of this.byAgent.get(query.agentId) ?? []) {
      if (id === query.excludeId) continue;
      const m = this.doc.meetings.get(id)!;
      if (m.status !== 'cancelled' && m.start >= query.from && m.start < query.to) count += 1;
    }
    return count;
  }

  counts(queries: readonly MeetingCountQuery[]): number[] {
    refuseInvalid(meetingCountQueriesSchema, queries, 'meeting counts');
    return queries.map((query) => this.count(query));
  }

  /**
   * Reads the facts of a hold, runs the caller's decision on them and stores the meeting and
   * rotation it returns. Everything is checked before anything is written, so a refusal (or an
   * error the decision throws) leaves the document as it was.
   */
  hold<T>(args: HoldMeetingArgs<T>): Changed<T> {
    refuseInvalid(holdMeetingSchema, args, 'hold');
    const key = args.idempotencyKey;
    const replayId = key === undefined ? undefined : this.byIdempotencyKey.get(key);
    const overlapping = new Set<string>();
    for (const probe of args.probes) if (this.overlaps(probe)) overlapping.add(probe.agentId);
    const decision = args.decide({
      rotation: this.doc.routing,
      replay: replayId === undefined ? undefined : this.doc.meetings.get(replayId),
      upcomingForVisitor: this.upcomingOf(args.visitorEmail, args.now),
      overlapping,
      ...(args.counts === undefined ? {} : { counts: args.counts.map((q) => this.count(q)) }),
    });
    const meeting = decision.meeting === undefined ? undefined : this.insertable(decision.meeting);
    const rotation = validRotation(decision.rotation, this.doc.routing);
    if (meeting !== undefined) this.insert(meeting);
    if (rotation !== undefined) this.doc.routing = rotation;
    return { result: decision.result, changed: meeting !== undefined || rotation !== undefined };
  }

  release(
    id: string,
    giveBack: (rotation: RotationState, meeting: Meeting) => RotationState,
  ): Changed<boolean> {
    const meeting = this.doc.meetings.get(id);
    if (meeting === undefined || meeting.status !== 'pending')
      return { result: false, changed: false };
    const rotation = validRotation(giveBack(this.doc.routing, meeting), this.doc.routing);
    this.remove(meeting);
    if (rotation !== undefined) this.doc.routing = rotation;
    return { result: true, changed: true };
  }

  update(
    id: string,
    change: MeetingChange,
    now: number,
    options: MeetingUpdateOptions = {},
  ): Changed<Meeting> {
    const probes = options.probes ?? [];
    if (probes.length > 0) refuseInvalid(slotProbesSchema, probes, 'probes');
    const counts = options.counts === undefined ? undefined : this.counts(options.counts);
    const current = this.doc.meetings.get(id);
    if (current === undefined)
      throw new AppError('NOT_FOUND', `No meeting ${id}`, { httpStatus: 404 });
    const decided = change(current, {
      rotation: this.doc.routing,
      routingSettings: this.doc.routingSettings,
      overlaps: options.probe === undefined ? false : this.overlaps(options.probe),
      ...(options.probes === undefined
        ? {}
        : {
            overlapping: new Set(probes.filter((p) => this.overlaps(p)).map((p) => p.agentId)),
          }),
      ...(counts === undefined ? {} : { counts }),
    });
    const rotation = validRotation(decided.rotation, this.doc.routing);
    const outbox = decided.outbox ?? [];
    if (decided.meeting === current && outbox.length === 0 && rotation === undefined) {
      return { result: current, changed: false };
    }
    const next =
      decided.meeting === current
        ? current
        : deepFreeze(refuseInvalid(meetingSchema, { ...decided.meeting, id }, 'meeting'));
    if (next !== current && claimsNewTime(current, next) && this.overlaps(probeOf(next))) {
      throw slotTaken(next);
    }
    // The outbox last of the checks: it validates too, and a refusal must change nothing.
    if (outbox.length > 0) this.outbox.enqueue(outbox, now);
    if (next !== current) {
      this.remove(current);
      this.doc.meetings.set(id, next);
      this.index(next);
    }
    if (rotation !== undefined) this.doc.routing = rotation;
    return { result: next, changed: true };
  }

  /* Internals ------------------------------------------------------------------------------ */

  /**
   * A decided new meeting, validated and frozen, or a refusal: its id or idempotency key is
   * taken (MEETING_EXISTS), or it overlaps an active meeting of its agent (SLOT_TAKEN), whatever
   * the decision thought (the PostgreSQL store's unique index and exclusion constraint).
   */
  private insertable(input: Meeting): Meeting {
    const meeting = deepFreeze(refuseInvalid(meetingSchema, input, 'meeting'));
    const key = meeting.idempotencyKey;
    if (this.doc.meetings.has(meeting.id)) {
      throw new ConflictError('MEETING_EXISTS', `Meeting ${meeting.id} exists`);
    }
    if (key !== undefined && this.byIdempotencyKey.has(key)) {
      throw new ConflictError('MEETING_EXISTS', `A meeting with idempotency key ${key} exists`);
    }
    if (isActiveMeeting(meeting) && this.overlaps(probeOf(meeting))) throw slotTaken(meeting);
    return meeting;
  }

  private insert(meeting: Meeting): void {
    this.doc.meetings.set(meeting.id, meeting);
    this.index(meeting);
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

function probeOf(meeting: Meeting): SlotProbe {
  const { agentId, start, end, bufferAfterMs, id } = meeting;
  return {
    agentId,
    start,
    end,
    bufferAfterMs,
    bufferBeforeMs: bufferBeforeOf(meeting),
    excludeId: id,
  };
}

const bufferBeforeOf = (meeting: Meeting): number => meeting.bufferBeforeMs ?? 0;

/** Whether `next` holds time `current` did not: active again, or another agent or time. */
function claimsNewTime(current: Meeting, next: Meeting): boolean {
  if (!isActiveMeeting(next)) return false;
  return (
    !isActiveMeeting(current) ||
    next.agentId !== current.agentId ||
    next.start !== current.start ||
    next.end !== current.end ||
    next.bufferAfterMs !== current.bufferAfterMs ||
    bufferBeforeOf(next) !== bufferBeforeOf(current)
  );
}

function slotTaken(meeting: Meeting): ConflictError {
  return new ConflictError(
    'SLOT_TAKEN',
    `Agent ${meeting.agentId} already has a meeting overlapping ${new Date(meeting.start).toISOString()}`,
  );
}
