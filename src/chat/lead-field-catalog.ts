import type { LeadFieldDescription, MarketoApi } from '../clients/marketo/types.js';
import type { Clock } from '../deps.js';
import type { Logger } from '../logger.js';

/**
 * The lead fields Marketo describes (Describe Lead, one API call), for the publish check of the
 * fields answers are written to: a field Marketo does not have, or one it does not let the API
 * write, would fail every write of that answer, silently, in the outbox. Read when a publish
 * needs it and kept an hour per Marketo client (fields are added in Marketo's admin, rarely);
 * when Marketo cannot be asked, publishing goes on with the names' syntax checked only and a
 * warning says so, so an outage of Marketo never blocks a marketer's publish.
 */
export const LEAD_FIELD_CATALOG_TTL_MS = 60 * 60 * 1000;

const cached = new WeakMap<object, { at: number; fields: Promise<LeadFieldDescription[]> }>();

export async function describedLeadFields(
  marketo: Pick<MarketoApi, 'describeLeadFields'>,
  clock: Clock,
  logger: Logger,
): Promise<LeadFieldDescription[] | undefined> {
  const now = clock.now();
  let entry = cached.get(marketo);
  if (entry === undefined || now - entry.at > LEAD_FIELD_CATALOG_TTL_MS) {
    entry = { at: now, fields: marketo.describeLeadFields() };
    cached.set(marketo, entry);
  }
  try {
    return await entry.fields;
  } catch (error) {
    // Not kept: the next publish asks again.
    if (cached.get(marketo) === entry) cached.delete(marketo);
    logger.warn({ err: error }, 'Describe Lead failed: captured fields checked by syntax only');
    return undefined;
  }
}
