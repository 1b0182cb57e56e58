import { z } from 'zod';
import { AppError } from '../errors.js';
import { NO_POOL, pointerOf, takeTurn, type RotationState } from '../routing/rotation-state.js';
import { pickNextAgent } from '../routing/round-robin.js';
import { routingSettingsSchema, type RoutingSettings } from '../records/routing-settings.js';
import type { Changed } from './document-db.js';
import { deepFreeze } from './document-snapshot.js';
import { refuseInvalid } from './record-validation.js';
import type { StoreDocument } from './store-document.js';
import {
  assignmentSchema,
  routingAgentSchema,
  type Assignment,
  type RoutingStore,
} from './types.js';

export type RoundRobinArgs = Parameters<RoutingStore['assignRoundRobin']>[0];
export type RoundRobinResult = Awaited<ReturnType<RoutingStore['assignRoundRobin']>>;

/** How long an assignment is kept, at least: longer than any sensible repeat window. */
export const ASSIGNMENT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** No sweep of old assignments below this many. */
const MIN_ASSIGNMENTS_BEFORE_PRUNE = 1_000;

const roundRobinArgsSchema = z.object({
  key: z.string().min(1),
  agents: z.array(routingAgentSchema),
  now: z.number(),
  repeatWindowMs: z.number().nonnegative(),
  source: assignmentSchema.shape.source,
  pool: z.string().min(1).optional(),
  rule: z.string().min(1).optional(),
  ordered: z.boolean().optional(),
});

/**
 * The rotation (`doc.routing`: pointer and totals, one frozen value replaced on each turn), its
 * admin settings (`doc.routingSettings`) and the assignments it made (`doc.assignments`, frozen,
 * by key). `assign` is a mutator for
 * `DocumentDb.updateIfChanged`: it reads the pointer and writes it back in one synchronous
 * call, so no other caller can take the same turn in between (research D4, lowdb #478).
 */
export class RoutingRecords {
  private readonly doc: StoreDocument;
  /**
   * Old assignments are swept when the map grows past this; afterwards it is set to twice
   * what remained, so a busy week (many assignments all younger than the retention) costs an
   * amortised O(1) per assignment, not a scan of every assignment on every call.
   */
  private pruneAbove = MIN_ASSIGNMENTS_BEFORE_PRUNE;

  constructor(doc: StoreDocument) {
    this.doc = doc;
  }

  state(): {
    lastAgentId: string | undefined;
    pointers: Record<string, string>;
    totals: Record<string, number>;
  } {
    const { lastAgentId, pointers, totals } = this.doc.routing;
    return { lastAgentId, pointers: { ...pointers }, totals: { ...totals } };
  }

  /** Frozen: a caller cannot change it in place. */
  rotation(): RotationState {
    return this.doc.routing;
  }

  settings(): RoutingSettings {
    return this.doc.routingSettings;
  }

  saveSettings(input: RoutingSettings): Changed<RoutingSettings> {
    const settings = deepFreeze(refuseInvalid(routingSettingsSchema, input, 'routing settings'));
    this.doc.routingSettings = settings;
    return { result: settings, changed: true };
  }

  get(key: string): Assignment | undefined {
    const assignment = this.doc.assignments.get(key);
    return assignment === undefined ? undefined : { ...assignment };
  }

  /** Validates, then either repeats the key's recent assignment or takes the next turn. */
  assign(input: RoundRobinArgs): Changed<RoundRobinResult> {
    const args = refuseInvalid(roundRobinArgsSchema, input, 'round-robin assignment');
    const { assignments } = this.doc;

    const previous = assignments.get(args.key);
    // A clock that stepped back gives a negative age: still a repeat, never a second agent.
    if (previous !== undefined && args.now - previous.assignedAt < args.repeatWindowMs) {
      return { result: { assignment: { ...previous }, repeated: true }, changed: false };
    }

    const pool = args.pool ?? 'default';
    const agent = args.ordered
      ? args.agents.find((a) => a.active)
      : pickNextAgent(args.agents, pointerOf(this.doc.routing, pool));
    if (agent === undefined) {
      throw new AppError('NO_AGENTS', 'No active agent to route to', { httpStatus: 503 });
    }
    const assignment: Assignment = Object.freeze({
      key: args.key,
      agentId: agent.id,
      agentName: agent.name,
      agentEmail: agent.email,
      rule: args.rule ?? 'round-robin',
      assignedAt: args.now,
      source: args.source,
    });
    this.doc.routing = deepFreeze(
      takeTurn(this.doc.routing, args.ordered ? NO_POOL : pool, agent.id, {
        order: args.agents.map((a) => a.id),
        assignment: true,
      }),
    );
    assignments.set(args.key, assignment);
    this.pruneOld(args.now - Math.max(ASSIGNMENT_RETENTION_MS, args.repeatWindowMs));
    return { result: { assignment: { ...assignment }, repeated: false }, changed: true };
  }

  /** Deletes assignments made before `cutoff` once the map has grown past `pruneAbove`. */
  private pruneOld(cutoff: number): void {
    const { assignments } = this.doc;
    if (assignments.size <= this.pruneAbove) return;
    for (const [key, assignment] of assignments) {
      if (assignment.assignedAt < cutoff) assignments.delete(key);
    }
    this.pruneAbove = Math.max(MIN_ASSIGNMENTS_BEFORE_PRUNE, 2 * assignments.size);
  }
}
