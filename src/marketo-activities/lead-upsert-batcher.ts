import type { MarketoApi, RecordResult } from '../clients/marketo/types.js';
import { createRecordBatcher, type RecordBatcher } from './record-batcher.js';

/**
 * Creates or finds leads by email for activity write-backs (chat events, meetings): records
 * submitted together go out as one Sync Leads call (createOrUpdate on email, up to 300), with
 * one record per email, so two events of one new visitor in a batch never make two leads.
 */
export function createLeadUpsertBatcher(
  marketo: Pick<MarketoApi, 'syncLeads'>,
): RecordBatcher<string, RecordResult> {
  return createRecordBatcher<string, RecordResult>({
    send: async (emails) => {
      const unique = [...new Set(emails)];
      const results = await marketo.syncLeads(
        unique.map((email) => ({ email })),
        { lookupField: 'email', action: 'createOrUpdate' },
      );
      const byEmail = new Map(unique.map((email, i) => [email, results[i]]));
      return emails.map((email) => byEmail.get(email) ?? { status: 'skipped' });
    },
  });
}
