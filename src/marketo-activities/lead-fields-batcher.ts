import type { MarketoApi, RecordResult } from '../clients/marketo/types.js';
import type { LeadUpsert } from './lead-upsert-batcher.js';
import { createRecordBatcher, type RecordBatcher } from './record-batcher.js';

/** One lead's captured field values, named by `email` (createOrUpdate) or Marketo `id`. */
export type LeadFieldsRecord =
  | { email: string; fields: Record<string, string> }
  | { id: number; fields: Record<string, string> };

/**
 * Writes captured field values to leads through Sync Leads, batched (record-batcher.ts: up to
 * 300 per call). By email: through `upserts`, the same lead upsert batcher the activity
 * write-backs use (lead-upsert-batcher.ts), so one visitor's lead creation and field values
 * share one record of one call. By id (a cookie lead Marketo gave no email): updateOnly on id,
 * since Marketo allows `id` only with updateOnly; two records for one id in a batch are merged.
 */
export function createLeadFieldsBatcher(
  marketo: Pick<MarketoApi, 'syncLeads'>,
  upserts: RecordBatcher<string | LeadUpsert, RecordResult>,
): RecordBatcher<LeadFieldsRecord, RecordResult> {
  const byId = createRecordBatcher<{ id: number; fields: Record<string, string> }, RecordResult>({
    send: async (records) => {
      const merged = new Map<number, Record<string, string>>();
      for (const { id, fields } of records) merged.set(id, { ...merged.get(id), ...fields });
      const ids = [...merged.keys()];
      const results = await marketo.syncLeads(
        ids.map((id) => ({ ...merged.get(id), id })),
        { lookupField: 'id', action: 'updateOnly' },
      );
      const byKey = new Map(ids.map((id, i) => [id, results[i]]));
      return records.map(({ id }) => byKey.get(id) ?? { status: 'skipped' });
    },
  });
  return {
    submit: (record) =>
      'email' in record
        ? upserts.submit({ email: record.email, fields: record.fields })
        : byId.submit(record),
  };
}
