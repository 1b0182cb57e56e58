import type { Pool } from 'pg';
import { routingRuleSchema, type RoutingRule } from '../../records/meeting-contract.js';
import { oauthStateSchema, type OAuthState } from '../../records/oauth-state.js';
import type { OAuthStateStore, RoutingRuleStore } from '../meeting-store-types.js';
import { refuseInvalid } from '../record-validation.js';
import { countRows, selectData } from './pg-meeting-queries.js';
import { queryRows } from './pg-pool.js';

/**
 * Routing rules and pending calendar connects (OAuth states) in PostgreSQL: the admin's small
 * collections around the meetings, each change one statement.
 */
export class PgMeetingRules implements RoutingRuleStore, OAuthStateStore {
  private readonly pool: Pool;

  constructor(pool: Pool) {
    this.pool = pool;
  }

  listRoutingRules(): Promise<RoutingRule[]> {
    // Ids compare bytewise ("C"), which equals the lowdb store's localeCompare on the ids the
    // admin API makes (`rule_` and lower-case hex); ties on priority and creation only.
    return selectData<RoutingRule>(
      this.pool,
      'the routing rules',
      'SELECT data FROM routing_rules ORDER BY priority DESC, created_at, id COLLATE "C"',
    );
  }

  async getRoutingRule(id: string): Promise<RoutingRule | undefined> {
    const [rule] = await selectData<RoutingRule>(
      this.pool,
      `routing rule ${id}`,
      'SELECT data FROM routing_rules WHERE id = $1',
      [id],
    );
    return rule;
  }

  async saveRoutingRule(input: RoutingRule): Promise<void> {
    const rule = refuseInvalid(routingRuleSchema, input, 'routing rule');
    await queryRows(
      this.pool,
      `a save of routing rule ${rule.id}`,
      `INSERT INTO routing_rules (id, priority, created_at, data) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (id) DO UPDATE
       SET priority = excluded.priority, created_at = excluded.created_at, data = excluded.data`,
      [rule.id, rule.priority, rule.createdAt, JSON.stringify(rule)],
    );
  }

  async deleteRoutingRule(id: string): Promise<boolean> {
    const sql = 'DELETE FROM routing_rules WHERE id = $1 RETURNING id';
    return (await countRows(this.pool, `a delete of routing rule ${id}`, sql, [id])) > 0;
  }

  async saveOAuthState(input: OAuthState): Promise<void> {
    const state = refuseInvalid(oauthStateSchema, input, 'oauth state');
    await queryRows(
      this.pool,
      'a save of an OAuth state',
      `INSERT INTO oauth_states (state, expires_at, data) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (state) DO UPDATE SET expires_at = excluded.expires_at, data = excluded.data`,
      [state.state, state.expiresAt, JSON.stringify(state)],
    );
  }

  async consumeOAuthState(state: string, now: number): Promise<OAuthState | undefined> {
    // One statement: the state and every expired one go together, and of two callbacks with
    // the same state only the one whose DELETE took the row gets it.
    const [usable] = await selectData<OAuthState>(
      this.pool,
      'an OAuth state',
      `WITH gone AS (
         DELETE FROM oauth_states WHERE state = $1 OR expires_at <= $2
         RETURNING state, expires_at, data
       )
       SELECT data FROM gone WHERE state = $1 AND expires_at > $2`,
      [state, now],
    );
    return usable;
  }
}
