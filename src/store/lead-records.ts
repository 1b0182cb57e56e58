import { z } from 'zod';
import { StoreError } from '../errors.js';
import { copyJsonValue, NOT_JSON } from './json-value.js';
import { LeadEmailIndex } from './lead-index.js';
import type { StoreDocument } from './store-document.js';
import {
  storedLeadSchema,
  type LeadChangesOutcome,
  type LeadUpsert,
  type StoredLead,
} from './types.js';

export interface LeadChanges {
  upserts?: LeadUpsert[];
  deletes?: number[];
}

/**
 * The changes as they were written: what the lead journal records, and replay applies again.
 * `upserts` are the leads as stored (a merge's fields already laid over the stored ones), and
 * only those written: replayed in order over the same state, each is written again as it was.
 */
export interface AppliedLeadChanges {
  upserts: StoredLead[];
  deletes: number[];
}

/** A validated upsert: the lead as given, and whether its fields go over the stored ones. */
export interface ParsedLeadUpsert {
  lead: StoredLead;
  merge: boolean;
}

const leadIdSchema = z.number().int().positive();
/**
 * A lead without its fields. The fields are checked while they are copied (parseUpsert): a
 * zod record over them copied them once more, at about a tenth of the lead webhook's own CPU
 * time per call (bench/webhooks.ts).
 */
const leadEnvelopeSchema = storedLeadSchema.omit({ fields: true });

/**
 * The leads collection: reads go through the email index and the deleted-id set, writes go
 * through `apply`, which the store calls inside `DocumentDb.update` so all three stay in step.
 * A stored lead is frozen and never changed: an upsert puts a new object in its place, so a
 * write serialising a snapshot of the leads over many event-loop turns sees none of it.
 */
export class LeadRecords {
  private readonly doc: StoreDocument;
  private readonly index: LeadEmailIndex;
  /** Mirror of doc.deletedLeadIds for O(1) checks. */
  private readonly deleted: Set<number>;

  constructor(doc: StoreDocument) {
    this.doc = doc;
    this.index = LeadEmailIndex.build(doc.leads.values());
    this.deleted = new Set(doc.deletedLeadIds);
  }

  get(id: number): StoredLead | undefined {
    const lead = this.doc.leads.get(id);
    return lead === undefined ? undefined : copyLead(lead);
  }

  /** Newest observation first; ties broken by the higher (newer) id, so the order is stable. */
  findByEmail(email: string): StoredLead[] {
    return this.index
      .idsFor(email)
      .flatMap((id) => this.doc.leads.get(id) ?? [])
      .sort((a, b) => b.observedAt - a.observedAt || b.id - a.id)
      .map(copyLead);
  }

  count(): number {
    return this.index.size;
  }

  /** Ascending ids of leads last observed before `ms`: a full scan, for the sweep after a full copy. */
  idsObservedBefore(ms: number): number[] {
    const ids: number[] = [];
    for (const lead of this.doc.leads.values()) if (lead.observedAt < ms) ids.push(lead.id);
    return ids.sort((a, b) => a - b);
  }

  /**
   * Validates every change first and only then mutates, so a bad record changes nothing, and
   * returns the changes as written and what each upsert did.
   * Semantics: an upsert replaces the stored fields with the state observed at `observedAt`
   * (Marketo omits null fields, so an absent field means null), or with `merge` lays its fields
   * over the stored ones; an upsert older than the stored observation is ignored; a deleted id
   * is remembered and never re-inserted; a delete wins over an upsert of the same id in the
   * same batch. `deleted`: how many stored leads the deletes removed (a delete of a lead the
   * copy never held, or already removed, counts 0).
   */
  apply(
    changes: LeadChanges,
  ): AppliedLeadChanges & { deleted: number; outcome: LeadChangesOutcome } {
    const parsed = (changes.upserts ?? []).map(parseLeadUpsert);
    const deletes = (changes.deletes ?? []).map(parseLeadDeleteId);
    const { leads, deletedLeadIds } = this.doc;
    const upserts: StoredLead[] = [];
    const outcome: LeadChangesOutcome = { created: [], ignored: [] };

    for (const { lead, merge } of parsed) {
      const stored = leads.get(lead.id);
      const older = stored !== undefined && lead.observedAt < stored.observedAt;
      // An older merge only fills fields the stored state lacks (see mergeOlder).
      const filled = older && merge ? mergeOlder(stored, lead) : undefined;
      if (this.deleted.has(lead.id) || (older && filled === undefined)) {
        outcome.ignored.push(lead.id);
        continue;
      }
      if (stored === undefined) outcome.created.push(lead.id);
      // Both objects are frozen copies, so the merged one may share their values.
      const written =
        filled ??
        (merge && stored !== undefined
          ? Object.freeze({ ...lead, fields: Object.freeze({ ...stored.fields, ...lead.fields }) })
          : lead);
      leads.set(written.id, written);
      this.index.set(written);
      upserts.push(written);
    }
    let deleted = 0;
    for (const id of deletes) {
      if (leads.delete(id)) deleted += 1;
      this.index.remove(id);
      if (!this.deleted.has(id)) {
        this.deleted.add(id);
        deletedLeadIds.push(id);
      }
    }
    return { upserts, deletes, deleted, outcome };
  }
}

/** Validates and copies one upsert (shared with the PostgreSQL store, for the same messages). */
export function parseLeadUpsert(upsert: LeadUpsert, position: number): ParsedLeadUpsert {
  const merge: unknown = (upsert as { merge?: unknown }).merge;
  if (merge !== undefined && typeof merge !== 'boolean') {
    throw invalid(`upsert #${position}: merge must be true or false`);
  }
  return { lead: parseUpsert(upsert, position), merge: merge === true };
}

function parseUpsert(upsert: LeadUpsert, position: number): StoredLead {
  const parsed = leadEnvelopeSchema.safeParse(upsert);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`upsert #${position}: ${issue?.path.join('.')} ${issue?.message}`);
  }
  const given: unknown = (upsert as { fields?: unknown }).fields;
  if (!isFieldRecord(given)) {
    throw invalid(`upsert #${position}: fields must be a plain object of field values`);
  }
  // Copy without undefined values, so memory and file stores hold the same thing after a
  // round trip, and refuse values JSON cannot hold: one bigint would make every later write
  // of the document fail, not only this one. The copy is deep: the caller's objects stay the
  // caller's, and the stored lead is all frozen.
  const fields: Record<string, unknown> = {};
  // Object.keys, not Object.entries: no array per field, a third of the time (bench/webhooks.ts).
  for (const name of Object.keys(given)) {
    const value = given[name];
    if (value === undefined) continue;
    const copy = copyJsonValue(value);
    if (copy === NOT_JSON) {
      throw invalid(`upsert #${position} (lead ${upsert.id}): field ${name} is not a JSON value`);
    }
    fields[name] = copy;
  }
  const { id, observedAt, source } = parsed.data;
  return Object.freeze({ id, fields: Object.freeze(fields), observedAt, source });
}

/** A plain object (not an array, a Date, a Map, a class instance) with string keys only. */
function isFieldRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (
    (proto === Object.prototype || proto === null) &&
    Object.getOwnPropertySymbols(value).length === 0
  );
}

export function parseLeadDeleteId(id: number, position: number): number {
  if (!leadIdSchema.safeParse(id).success) {
    throw invalid(`delete #${position}: ${String(id)} is not a lead id`);
  }
  return id;
}

function invalid(detail: string): StoreError {
  return new StoreError('STORE_INVALID_RECORD', `Lead change refused, nothing written: ${detail}`);
}

/** Callers get their own copy, free to change: the stored lead is frozen and shared with writes. */
function copyLead(lead: StoredLead): StoredLead {
  const fields: Record<string, unknown> = {};
  for (const name of Object.keys(lead.fields)) {
    const value = lead.fields[name];
    fields[name] = typeof value === 'object' && value !== null ? structuredClone(value) : value;
  }
  return { ...lead, fields };
}

/**
 * A merge observed before the stored state (two webhooks of one lead answered in another order
 * than Marketo sent them, or by different replicas): its fields are news unless the stored,
 * newer state has them, so it fills the fields the stored state lacks and changes none it holds
 * (the newer value wins field by field, as far as a lead-wide observation time can tell). The
 * lead keeps its observation and source. Undefined when it adds nothing: ignored.
 */
function mergeOlder(stored: StoredLead, lead: StoredLead): StoredLead | undefined {
  const added = Object.keys(lead.fields).filter((key) => !Object.hasOwn(stored.fields, key));
  if (added.length === 0) return undefined;
  return Object.freeze({
    ...stored,
    fields: Object.freeze({ ...lead.fields, ...stored.fields }),
  });
}
