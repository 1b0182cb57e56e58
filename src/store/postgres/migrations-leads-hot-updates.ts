/**
 * Migration 008: lead updates without index writes. Every webhook merge and every incremental
 * sync page rewrites `observed_at`, and the index on it made each such update write a new entry
 * into all three of the table's indexes (a column an index covers changed, so PostgreSQL cannot
 * make it a heap-only "HOT" update). That index served one query, the sweep for leads a full
 * copy did not see (leadIdsObservedBefore), run once at the end of each full copy, where a
 * sequential scan costs about a second at 1,000,000 leads against a copy that takes minutes to
 * hours. Without it, and with a tenth of each new page left free (fillfactor 90) so the new
 * version of a row fits beside the old one, an update that keeps the lead's email touches only
 * its heap page: the server's CPU for an upsert fell by a fifth to a third (bench/webhooks.ts).
 * The fillfactor applies to pages written from now on (a full copy, or a table rewritten).
 */
export const LEADS_HOT_UPDATES_MIGRATION_NAME = 'leads-hot-updates';

export const LEADS_HOT_UPDATES_MIGRATION_SQL = `
DROP INDEX IF EXISTS leads_observed_at;
ALTER TABLE leads SET (fillfactor = 90);
`;
