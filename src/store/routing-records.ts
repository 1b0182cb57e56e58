import { StoreError } from '../errors.js';
import { assignmentSchema, type Assignment } from '../records/assignment.js';
import { rotationStateSchema, type RotationState } from '../records/rotation.js';
import { routingSettingsSchema, type RoutingSettings } from '../records/routing-settings.js';
import type { Changed } from './document-db.js';
import { deepFreeze } from './document-snapshot.js';
import { refuseInvalid } from './record-validation.js';
import { assignmentTurnSchema } from './store-arguments.js';
import type { StoreDocument } from './store-document.js';
import type { AssignmentDecision, AssignmentFacts } from './types.js';

/** No sweep of old assignments below this many. */
const MIN_ASSIGNMENTS_BEFORE_PRUNE = 1_000;

export interface AssignmentTurnArgs<T> {
  key: string;
  keepSince: number;
  decide: (facts: AssignmentFacts) => AssignmentDecision<T>;
}

/**
 * The rotation (`doc.routing`: pointers, turns and totals, one frozen value replaced on each
 * turn), its admin settings (`doc.routingSettings`) and the assignments made (`doc.assignments`,
 * frozen, by key). The store decides nothing here: `takeTurn` reads the facts, runs the
 * caller's decision and writes its outcome in one synchronous call, a mutator for
 * `DocumentDb.updateIfChanged`, so no other caller can take the same turn in between (research
 * D4, lowdb #478).
 */
export class RoutingRecords {
  private readonly doc: StoreDocument;
  /**
   * Old assignments are swept when the map grows past this; afterwards it is set to twice
   * what remained, so a busy week (many assignments all younger than `keepSince`) costs an
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

  /**
   * One turn for `args.key`: the decision sees the rotation and the key's last assignment, and
   * what it returns is validated whole before anything is written, so a refusal (or an error
   * the decision throws) leaves the document as it was.
   */
  takeTurn<T>(args: AssignmentTurnArgs<T>): Changed<T> {
    refuseInvalid(assignmentTurnSchema, args, 'assignment turn');
    const previous = this.get(args.key);
    const decision = args.decide({ rotation: this.doc.routing, previous });
    const assignment =
      decision.assignment === undefined
        ? undefined
        : deepFreeze(refuseInvalid(assignmentSchema, decision.assignment, 'assignment'));
    if (assignment !== undefined && assignment.key !== args.key) {
      throw new StoreError(
        'STORE_INVALID_RECORD',
        `The assignment of turn "${args.key}" is for "${assignment.key}"`,
      );
    }
    const rotation = validRotation(decision.rotation, this.doc.routing);
    if (rotation !== undefined) this.doc.routing = rotation;
    if (assignment !== undefined) {
      this.doc.assignments.set(assignment.key, assignment);
      this.pruneOld(args.keepSince);
    }
    return {
      result: decision.result,
      changed: rotation !== undefined || assignment !== undefined,
    };
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

/** A decided rotation, validated and frozen; undefined when the decision left it alone. */
export function validRotation(
  rotation: RotationState | undefined,
  current: RotationState,
): RotationState | undefined {
  return rotation === undefined || rotation === current
    ? undefined
    : deepFreeze(refuseInvalid(rotationStateSchema, rotation, 'rotation'));
}
