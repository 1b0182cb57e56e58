import type pg from 'pg';
import type { z } from 'zod';
import { initialSyncState, syncStateSchema, type SyncState } from '../../records/sync-state.js';
import { storeInstanceSchema, type StoreInstance } from '../../records/store-instance.js';
import { refuseInvalid } from '../record-validation.js';
import type {
  StoreInstanceStore,
  SyncCommit,
  SyncStateStore,
  UsageStore,
  UsageState,
} from '../types.js';
import { usageStateSchema } from '../types.js';
import { applyParsedChanges, parseLeadChanges, type LeadChanges } from './pg-lead-records.js';
import { inTransaction, queryRows, type Queryable } from './pg-pool.js';

/**
 * The one-row records: the sync cursor (committed with its page's leads), the Marketo daily
 * usage, and the instance the data belongs to. Each is a jsonb value validated on the way in
 * with the lowdb store's schema.
 */
export class PgSingletonRecords implements SyncStateStore, UsageStore, StoreInstanceStore {
  constructor(private readonly pool: pg.Pool) {}

  async loadSyncState(): Promise<SyncState> {
    const rows = await queryRows<{ state: SyncState }>(
      this.pool,
      'the sync state read',
      'SELECT state FROM sync_state WHERE id = 1',
    );
    return rows[0]?.state ?? initialSyncState();
  }

  /** The page's leads and the cursor after them in one transaction: a crash never splits them. */
  async commitSync(batch: LeadChanges & { state: SyncState }): Promise<SyncCommit> {
    const state = refuseInvalid(syncStateSchema, batch.state, 'sync state');
    const changes = parseLeadChanges(batch);
    return inTransaction(this.pool, 'a sync page', async (client) => {
      const { deleted, outcome } = await applyParsedChanges(client, changes);
      await saveSingleton(client, 'sync_state', 'state', state);
      return { deleted, ignored: outcome.ignored };
    });
  }

  async loadUsage(): Promise<UsageState | undefined> {
    const rows = await queryRows<{ usage: UsageState }>(
      this.pool,
      'the usage read',
      'SELECT usage FROM usage WHERE id = 1',
    );
    return rows[0]?.usage;
  }

  async saveUsage(usage: UsageState): Promise<void> {
    await this.save('usage', 'usage', usageStateSchema, usage, 'usage');
  }

  async loadInstance(): Promise<StoreInstance | undefined> {
    const rows = await queryRows<{ instance: StoreInstance }>(
      this.pool,
      'the instance read',
      'SELECT instance FROM store_instance WHERE id = 1',
    );
    return rows[0]?.instance;
  }

  async saveInstance(instance: StoreInstance): Promise<void> {
    await this.save('store_instance', 'instance', storeInstanceSchema, instance, 'instance');
  }

  private async save<T>(
    table: string,
    column: string,
    schema: z.ZodType<T>,
    value: T,
    what: string,
  ): Promise<void> {
    const parsed = refuseInvalid(schema, value, what);
    await saveSingleton(this.pool, table, column, parsed, what);
  }
}

async function saveSingleton(
  db: Queryable,
  table: string,
  column: string,
  value: unknown,
  what = table,
): Promise<void> {
  await queryRows(
    db,
    `the ${what} write`,
    `INSERT INTO ${table} (id, ${column}) VALUES (1, $1::jsonb)
     ON CONFLICT (id) DO UPDATE SET ${column} = excluded.${column}`,
    [JSON.stringify(value)],
  );
}
