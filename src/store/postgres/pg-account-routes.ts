import type { Pool } from 'pg';
import { accountRoutesSchema, type AccountRoute } from '../../records/account-routing.js';
import type { AccountRoutingStore } from '../meeting-store-types.js';
import { refuseInvalid } from '../record-validation.js';
import { selectData } from './pg-meeting-queries.js';
import { inTransaction } from './pg-pool.js';

/**
 * The account list in PostgreSQL (migration 4, migrations-account-routing.ts): read in upload
 * order; replaced whole in one transaction holding the table's EXCLUSIVE lock, so two uploads
 * apply one after the other and a reader sees one list or the other.
 */
export class PgAccountRoutes implements AccountRoutingStore {
  private readonly pool: Pool;

  constructor(pool: Pool) {
    this.pool = pool;
  }

  listAccountRoutes(): Promise<AccountRoute[]> {
    return selectData<AccountRoute>(
      this.pool,
      'the account list',
      'SELECT data FROM account_routes ORDER BY position',
    );
  }

  async replaceAccountRoutes(input: AccountRoute[]): Promise<void> {
    const routes = refuseInvalid(accountRoutesSchema, input, 'account list');
    await inTransaction(this.pool, 'a replace of the account list', async (client) => {
      await client.query('LOCK TABLE account_routes IN EXCLUSIVE MODE');
      await client.query('DELETE FROM account_routes');
      if (routes.length === 0) return;
      await client.query(
        `INSERT INTO account_routes (match, position, agent_id, data)
         SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::jsonb[])`,
        [
          routes.map((r) => r.match),
          routes.map((_r, i) => i),
          routes.map((r) => r.agentId),
          routes.map((r) => JSON.stringify(r)),
        ],
      );
    });
  }
}
