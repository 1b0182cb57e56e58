/**
 * Migration 004: account routing (records/account-routing.ts). One row per entry, `match`
 * normalised (lower case) and unique, `position` the order of the upload. An upload replaces the
 * whole list in one transaction that first takes the table's EXCLUSIVE lock
 * (pg-account-routes.ts): two uploads never interleave, and readers see the old list or the
 * new one. Numbered 4 after 5 was applied elsewhere: migrate.ts applies every version not yet
 * recorded, in ascending order, so a database at 1, 2, 3, 5 takes 4 next.
 */
export const ACCOUNT_ROUTING_MIGRATION_NAME = 'account-routing';

export const ACCOUNT_ROUTING_MIGRATION_SQL = `
CREATE TABLE account_routes (
  match text PRIMARY KEY,
  position integer NOT NULL,
  agent_id text NOT NULL,
  data jsonb NOT NULL
);
-- "Is this agent named by an account?" when an agent is deleted (agent-removal.ts).
CREATE INDEX account_routes_agent ON account_routes (agent_id);
`;
