import type { MarketoApi, RecordResult } from '../clients/marketo/types.js';
import { createRecordBatcher, type RecordBatcher } from './record-batcher.js';

/** An email to create or find a lead by, with field values to write on it (captured answers). */
export interface LeadUpsert {
  email: string;
  fields?: Readonly<Record<string, string>>;
}

/**
 * Creates or finds leads by email for activity write-backs (chat events, meetings) and writes
 * captured field values: records submitted together go out as one Sync Leads call
 * (createOrUpdate on email, up to 300), with one record per email (fields merged, later values
 * winning), so two writes of one new visitor in a batch never make two leads.
 */
export function createLeadUpsertBatcher(
  marketo: Pick<MarketoApi, 'syncLeads'>,
): RecordBatcher<string | LeadUpsert, RecordResult> {
  return createRecordBatcher<string | LeadUpsert, RecordResult>({
    send: async (records) => {
      const upserts = records.map((r) => (typeof r === 'string' ? { email: r } : r));
      const merged = new Map<string, Record<string, unknown>>();
      for (const { email, fields } of upserts) {
        merged.set(email, { ...merged.get(email), ...fields, email });
      }
      const unique = [...merged.keys()];
      const results = await marketo.syncLeads(
        unique.map((email) => merged.get(email)!),
        { lookupField: 'email', action: 'createOrUpdate' },
      );
      const byEmail = new Map(unique.map((email, i) => [email, results[i]]));
      return upserts.map(({ email }) => byEmail.get(email) ?? { status: 'skipped' });
    },
  });
}
