import { z } from 'zod';
import { StoreError } from '../errors.js';
import { LeadEmailIndex } from './lead-index.js';
import type { StoreDocument } from './store-document.js';
import { storedLeadSchema, type LeadUpsert, type StoredLead } from './types.js';

export interface LeadChanges {
  upserts?: LeadUpsert[];
  deletes?: number[];
}

const leadIdSchema = z.number().int().positive();

/**
 * The leads collection: reads go through the email index and the deleted-id set, writes go
 * through `apply`, which the store calls inside `DocumentDb.update` so all three stay in step.
 */
export class LeadRecords {
  private readonly doc: StoreDocument;
  private readonly index: LeadEmailIndex;
  /** Mirror of doc.deletedLeadIds for O(1) checks. */
  private readonly deleted: Set<number>;

  constructor(doc: StoreDocument) {
    this.doc = doc;
    this.index = LeadEmailIndex.build(Object.values(doc.leads));
    this.deleted = new Set(doc.deletedLeadIds);
  }

  get(id: number): StoredLead | undefined {
    const lead = this.doc.leads[String(id)];
    return lead === undefined ? undefined : copyLead(lead);
  }

  /** Newest observation first; ties broken by the higher (newer) id, so the order is stable. */
  findByEmail(email: string): StoredLead[] {
    return this.index
      .idsFor(email)
      .flatMap((id) => this.doc.leads[String(id)] ?? [])
      .sort((a, b) => b.observedAt - a.observedAt || b.id - a.id)
      .map(copyLead);
  }

  count(): number {
    return this.index.size;
  }

  /** Ascending ids of leads last observed before `ms`: a full scan, for the sweep after a full copy. */
  idsObservedBefore(ms: number): number[] {
    const ids: number[] = [];
    for (const lead of Object.values(this.doc.leads)) if (lead.observedAt < ms) ids.push(lead.id);
    return ids.sort((a, b) => a - b);
  }

  /**
   * Validates every change first and only then mutates, so a bad record changes nothing.
   * Semantics: an upsert replaces the stored fields with the state observed at `observedAt`
   * (Marketo omits null fields, so an absent field means null); an upsert older than the stored
   * observation is ignored; a deleted id is remembered and never re-inserted; a delete wins
   * over an upsert of the same id in the same batch.
   */
  apply(changes: LeadChanges): void {
    const upserts = (changes.upserts ?? []).map(parseUpsert);
    const deletes = (changes.deletes ?? []).map(parseDeleteId);
    const { leads, deletedLeadIds } = this.doc;

    for (const upsert of upserts) {
      if (this.deleted.has(upsert.id)) continue;
      const key = String(upsert.id);
      const stored = leads[key];
      if (stored !== undefined && upsert.observedAt < stored.observedAt) continue;
      leads[key] = upsert;
      this.index.set(upsert);
    }
    for (const id of deletes) {
      delete leads[String(id)];
      this.index.remove(id);
      if (!this.deleted.has(id)) {
        this.deleted.add(id);
        deletedLeadIds.push(id);
      }
    }
  }
}

function parseUpsert(upsert: LeadUpsert, position: number): StoredLead {
  const parsed = storedLeadSchema.safeParse(upsert);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`upsert #${position}: ${issue?.path.join('.')} ${issue?.message}`);
  }
  // Copy without undefined values, so memory and file stores hold the same thing after a
  // round trip, and refuse values JSON cannot hold: one bigint would make every later write
  // of the document fail, not only this one.
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parsed.data.fields)) {
    if (value === undefined) continue;
    if (!isJsonValue(value, 0)) {
      throw invalid(`upsert #${position} (lead ${upsert.id}): field ${name} is not a JSON value`);
    }
    fields[name] = value;
  }
  return { ...parsed.data, fields };
}

function parseDeleteId(id: number, position: number): number {
  if (!leadIdSchema.safeParse(id).success) {
    throw invalid(`delete #${position}: ${String(id)} is not a lead id`);
  }
  return id;
}

function isJsonValue(value: unknown, depth: number): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (depth > 32 || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false; // Date, Map, class instances
  return Object.values(value).every((item) => item === undefined || isJsonValue(item, depth + 1));
}

function invalid(detail: string): StoreError {
  return new StoreError('STORE_INVALID_RECORD', `Lead change refused, nothing written: ${detail}`);
}

/** Callers get their own copy: changing it must not change the store without a write. */
function copyLead(lead: StoredLead): StoredLead {
  return { ...lead, fields: { ...lead.fields } };
}
