import type { Pool, PoolClient } from 'pg';
import { StoreError } from '../../errors.js';
import { assignmentSchema, type Assignment } from '../../records/assignment.js';
import { rotationStateSchema, type RotationState } from '../../records/rotation.js';
import {
  DEFAULT_ROUTING_SETTINGS,
  routingSettingsSchema,
  type RoutingSettings,
} from '../../records/routing-settings.js';
import { deepFreeze } from '../document-snapshot.js';
import { refuseInvalid } from '../record-validation.js';
import { assignmentTurnSchema } from '../store-arguments.js';
import type { AssignmentDecision, AssignmentFacts, RoutingStore } from '../types.js';
import { inDecidingTransaction, selectData } from './pg-meeting-queries.js';
import { queryRows, type Queryable } from './pg-pool.js';

/**
 * Locks the rotation's row for the rest of the transaction and returns its state (frozen).
 * Every turn, hold, give-back and meeting change takes this lock first (then meetings), so
 * they serialise across replicas and never deadlock (migrations-meetings.ts).
 */
export async function lockRotation(client: PoolClient): Promise<RotationState> {
  return readRotation(client, 'FOR UPDATE');
}

/** Each pool's chain of rotation transactions (a store's routing and meeting records share it). */
const rotationQueues = new WeakMap<Pool, Promise<unknown>>();

/**
 * Runs a transaction that takes the rotation's lock after every such transaction this process
 * called before it: turns, holds, give-backs and meeting changes of one store apply in the order
 * they were called, as in the lowdb store (a flow-step batch takes its turns in batch order),
 * and waiting callers queue here rather than each holding a pooled connection while they wait
 * for the row lock. Across replicas the row lock alone orders them.
 */
export function inRotationOrder<T>(pool: Pool, run: () => Promise<T>): Promise<T> {
  const before = rotationQueues.get(pool) ?? Promise.resolve();
  const mine = before.then(run, run);
  rotationQueues.set(
    pool,
    mine.catch(() => undefined),
  );
  return mine;
}

/** Validates and writes the rotation, inside the transaction that holds its lock. */
export async function saveRotation(client: PoolClient, input: RotationState): Promise<void> {
  const rotation = refuseInvalid(rotationStateSchema, input, 'rotation');
  await client.query('UPDATE rotation SET state = $1::jsonb WHERE id = 1', [
    JSON.stringify(rotation),
  ]);
}

async function readRotation(db: Queryable, lock = ''): Promise<RotationState> {
  const rows = await queryRows<{ state: RotationState }>(
    db,
    'the rotation',
    `SELECT state FROM rotation WHERE id = 1 ${lock}`,
  );
  const row = rows[0];
  if (row === undefined) {
    // Migration 002 inserts the row and nothing deletes it: the schema was changed by hand.
    throw new StoreError('STORE_CORRUPT', 'The rotation row is missing from the database');
  }
  return deepFreeze(row.state);
}

/** The settings as stored, or the defaults when none were saved (frozen either way). */
export async function readRoutingSettings(db: Queryable): Promise<RoutingSettings> {
  const [stored] = await selectData<RoutingSettings>(
    db,
    'the routing settings',
    'SELECT settings AS data FROM routing_settings WHERE id = 1',
  );
  return stored ?? deepFreeze({ ...DEFAULT_ROUTING_SETTINGS });
}

/**
 * The rotation, its admin settings and the assignments it made, in PostgreSQL. A turn is one
 * transaction holding the rotation's row lock: the facts are read after the lock is granted
 * (read committed: each statement sees every commit before it), so no two turns in any process
 * ever see the same rotation.
 */
export class PgRoutingRecords implements RoutingStore {
  private readonly pool: Pool;

  constructor(pool: Pool) {
    this.pool = pool;
  }

  async takeAssignmentTurn<T>(args: {
    key: string;
    keepSince: number;
    decide: (facts: AssignmentFacts) => AssignmentDecision<T>;
  }): Promise<T> {
    refuseInvalid(assignmentTurnSchema, args, 'assignment turn');
    const what = `an assignment turn for ${args.key}`;
    return inRotationOrder(this.pool, () =>
      inDecidingTransaction(this.pool, what, async (client, decided) => {
        const rotation = await lockRotation(client);
        const [previous] = await selectData<Assignment>(
          client,
          `the assignment of ${args.key}`,
          'SELECT data FROM assignments WHERE key = $1',
          [args.key],
        );
        // Runs synchronously under the lock; a throw rolls the transaction back (nothing written).
        const decision = decided(() => args.decide({ rotation, previous }));
        if (decision.assignment !== undefined) {
          const assignment = refuseInvalid(assignmentSchema, decision.assignment, 'assignment');
          if (assignment.key !== args.key) {
            throw new StoreError(
              'STORE_INVALID_RECORD',
              `The assignment of turn "${args.key}" is for "${assignment.key}"`,
            );
          }
          await client.query(
            `INSERT INTO assignments (key, assigned_at, data) VALUES ($1, $2, $3::jsonb)
           ON CONFLICT (key) DO UPDATE SET assigned_at = excluded.assigned_at, data = excluded.data`,
            [assignment.key, assignment.assignedAt, JSON.stringify(assignment)],
          );
          // Housekeeping on the way, as the lowdb store does: by the index, only the old rows.
          await client.query('DELETE FROM assignments WHERE assigned_at < $1', [args.keepSince]);
        }
        if (decision.rotation !== undefined && decision.rotation !== rotation) {
          await saveRotation(client, decision.rotation);
        }
        return decision.result;
      }),
    );
  }

  async routingState(): Promise<{
    lastAgentId: string | undefined;
    pointers: Record<string, string>;
    totals: Record<string, number>;
  }> {
    const { lastAgentId, pointers, totals } = await readRotation(this.pool);
    return { lastAgentId, pointers: { ...pointers }, totals: { ...totals } };
  }

  rotationState(): Promise<RotationState> {
    return readRotation(this.pool);
  }

  routingSettings(): Promise<RoutingSettings> {
    return readRoutingSettings(this.pool);
  }

  async saveRoutingSettings(input: RoutingSettings): Promise<RoutingSettings> {
    const settings = refuseInvalid(routingSettingsSchema, input, 'routing settings');
    await queryRows(
      this.pool,
      'a save of the routing settings',
      `INSERT INTO routing_settings (id, settings) VALUES (1, $1::jsonb)
       ON CONFLICT (id) DO UPDATE SET settings = excluded.settings`,
      [JSON.stringify(settings)],
    );
    return deepFreeze(settings);
  }

  async getAssignment(key: string): Promise<Assignment | undefined> {
    const sql = 'SELECT data FROM assignments WHERE key = $1';
    const rows = await queryRows<{ data: Assignment }>(this.pool, `the assignment of ${key}`, sql, [
      key,
    ]);
    return rows[0]?.data;
  }
}
