import type { z } from 'zod';
import { StoreError } from '../errors.js';
import type { DocumentDb } from './document-db.js';
import { LeadRecords, type LeadChanges } from './lead-records.js';
import {
  syncStateSchema,
  usageStateSchema,
  type Store,
  type StoredLead,
  type SyncState,
  type UsageState,
} from './types.js';

/**
 * The lowdb implementation of `Store`, over a JSON file or lowdb's Memory adapter (the same
 * class, so one contract suite covers both). `db` is public so that later collections can be
 * built on the same document and the same group commit.
 */
export class LowdbStore implements Store {
  readonly db: DocumentDb;
  private readonly leads: LeadRecords;

  constructor(db: DocumentDb) {
    this.db = db;
    this.leads = new LeadRecords(db.data);
  }

  getLead(id: number): StoredLead | undefined {
    return this.leads.get(id);
  }

  findLeadsByEmail(email: string): StoredLead[] {
    return this.leads.findByEmail(email);
  }

  countLeads(): number {
    return this.leads.count();
  }

  leadIdsObservedBefore(ms: number): number[] {
    return this.leads.idsObservedBefore(ms);
  }

  applyLeadChanges(changes: LeadChanges): Promise<void> {
    return this.db.update(() => this.leads.apply(changes));
  }

  loadSyncState(): SyncState {
    // A deep copy: the sync job edits its copy freely and commits it with the page.
    return structuredClone(this.db.data.sync);
  }

  commitSync(batch: LeadChanges & { state: SyncState }): Promise<void> {
    return this.db.update((doc) => {
      // Parse before applying the leads so an invalid state leaves the document untouched;
      // zod returns a fresh object, so the caller's later edits do not leak into the store.
      const state = parseOrRefuse(syncStateSchema, batch.state, 'sync state');
      this.leads.apply(batch);
      doc.sync = state;
    });
  }

  loadUsage(): UsageState | undefined {
    const { usage } = this.db.data;
    return usage === undefined ? undefined : { ...usage };
  }

  saveUsage(usage: UsageState): Promise<void> {
    return this.db.update((doc) => {
      doc.usage = parseOrRefuse(usageStateSchema, usage, 'usage');
    });
  }

  flush(): Promise<void> {
    return this.db.flush();
  }

  close(): Promise<void> {
    return this.db.close();
  }

  sizeBytes(): number {
    return this.db.sizeBytes();
  }
}

function parseOrRefuse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new StoreError(
    'STORE_INVALID_RECORD',
    `Invalid ${what} refused, nothing written: ${issue?.path.join('.')} ${issue?.message}`,
  );
}
