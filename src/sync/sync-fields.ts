import { AppError } from '../errors.js';
import type { SyncRun } from './sync-context.js';

const DAY_MS = 24 * 3600_000;

/**
 * Checks SYNC_FIELDS against Describe Lead, when the fields changed and otherwise once a day
 * (Adobe advises caching describe results). An unknown name stops the sync with a message
 * that says which names to fix, before any lead is copied.
 */
export async function checkSyncFields(run: SyncRun, options: { force?: boolean } = {}) {
  const { marketo, clock } = run.deps;
  const wanted = run.options.fields;
  const checkedAt = run.state.fieldsCheckedAt ? Date.parse(run.state.fieldsCheckedAt) : 0;
  const fresh = clock.now() - checkedAt < DAY_MS;
  if (!options.force && fresh && sameFields(run.state.fields, wanted)) return;

  run.report({ phase: 'checking-fields' });
  const described = await marketo.describeLeadFields();
  const types = new Map(described.map((f) => [f.name, f.dataType]));
  const unknown = wanted.filter((f) => !types.has(f));
  if (unknown.length > 0) {
    throw new AppError(
      'SYNC_FIELDS_UNKNOWN',
      `SYNC_FIELDS lists fields this Marketo instance does not have: ${unknown.join(', ')}. ` +
        'Use REST API field names (Describe Lead, or Admin > Field Management).',
      { httpStatus: 400, field: 'SYNC_FIELDS', details: { unknown } },
    );
  }
  run.fieldTypes = types;
  run.state.changeFields = changeFieldsFor(wanted, [...types.keys()]);
  run.state.fieldsCheckedAt = new Date(clock.now()).toISOString();
}

/** Longest `fields` list sent to Get Lead Changes; a GET URI over 8 KB is refused (414). */
const MAX_CHANGE_FIELDS_CHARS = 6000;

/**
 * `updatedAt` moves whenever any field of the lead changes, but Get Lead Changes only reports
 * the fields it is asked about; to keep a synced `updatedAt` true, ask about every field.
 */
export function changeFieldsFor(wanted: string[], described: string[]): string[] {
  if (!wanted.includes('updatedAt')) return wanted;
  const all = [...new Set([...wanted, ...described])].filter((f) => f !== 'id');
  return all.join(',').length <= MAX_CHANGE_FIELDS_CHARS ? all : wanted;
}

export function sameFields(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((f) => set.has(f));
}

/** True when every wanted field is already held by the local copy. */
export function fieldsCovered(held: readonly string[], wanted: readonly string[]): boolean {
  const set = new Set(held);
  return wanted.every((f) => set.has(f));
}
