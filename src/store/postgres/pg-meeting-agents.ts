import type { Pool } from 'pg';
import { AppError } from '../../errors.js';
import { mapPgError } from './pg-errors.js';
import { agentSchema, type Agent } from '../../records/meeting-contract.js';
import { deepFreeze } from '../document-snapshot.js';
import type { AgentStore } from '../meeting-store-types.js';
import { refuseInvalid } from '../record-validation.js';
import {
  countRows,
  inDecidingTransaction,
  pgFailure,
  selectData,
  UNIQUE_VIOLATION,
} from './pg-meeting-queries.js';
import { inTransaction, type Queryable } from './pg-pool.js';

/**
 * Agents in PostgreSQL, in rotation order (`position`: a new agent is appended, a reorder
 * rewrites the order; migrations-meetings.ts). Emails are unique case-insensitively, by a unique
 * index, so two replicas saving one email at once cannot both succeed.
 */
export class PgMeetingAgents implements AgentStore {
  private readonly pool: Pool;

  constructor(pool: Pool) {
    this.pool = pool;
  }

  listAgents(): Promise<Agent[]> {
    return selectData<Agent>(
      this.pool,
      'the agents',
      'SELECT data FROM agents ORDER BY position, id',
    );
  }

  async getAgent(id: string): Promise<Agent | undefined> {
    const [agent] = await selectData<Agent>(
      this.pool,
      `agent ${id}`,
      'SELECT data FROM agents WHERE id = $1',
      [id],
    );
    return agent;
  }

  findAgentByEmail(email: string): Promise<Agent | undefined> {
    return findByEmail(this.pool, email);
  }

  async saveAgent(input: Agent): Promise<void> {
    await writeAgent(this.pool, input);
  }

  updateAgent(id: string, change: (agent: Agent) => Agent): Promise<Agent> {
    return inDecidingTransaction(this.pool, `an update of agent ${id}`, async (client, decided) => {
      const [current] = await selectData<Agent>(
        client,
        `agent ${id}`,
        'SELECT data FROM agents WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (current === undefined) {
        throw new AppError('NOT_FOUND', `No agent ${id}`, { httpStatus: 404 });
      }
      const next = decided(() => change(current));
      if (next === current) return current;
      return writeAgent(client, { ...next, id });
    });
  }

  async deleteAgent(id: string): Promise<boolean> {
    const sql = 'DELETE FROM agents WHERE id = $1 RETURNING id';
    return (await countRows(this.pool, `a delete of agent ${id}`, sql, [id])) > 0;
  }

  reorderAgents(ids: string[]): Promise<void> {
    return inTransaction(this.pool, 'a reorder of the agents', async (client) => {
      // No agent may be created or deleted between the check and the reorder; reads go on.
      await client.query('LOCK TABLE agents IN EXCLUSIVE MODE');
      const { rows } = await client.query<{ id: string }>('SELECT id FROM agents');
      const known = new Set(rows.map((row) => row.id));
      if (
        new Set(ids).size !== ids.length ||
        ids.length !== known.size ||
        ids.some((id) => !known.has(id))
      ) {
        throw new AppError('VALIDATION_FAILED', 'order must list every agent id exactly once', {
          httpStatus: 400,
          field: 'order',
        });
      }
      // Positions 1..n: below any position the identity gives a new agent later.
      await client.query(
        `UPDATE agents SET position = ordered.n
         FROM unnest($1::text[]) WITH ORDINALITY AS ordered(id, n)
         WHERE agents.id = ordered.id`,
        [ids],
      );
    });
  }
}

async function findByEmail(db: Queryable, email: string): Promise<Agent | undefined> {
  // The schema lower-cases with JavaScript's rules: compare with those, not the database's.
  const [agent] = await selectData<Agent>(
    db,
    'an agent by email',
    'SELECT data FROM agents WHERE lower(email) = $1',
    [email.toLowerCase()],
  );
  return agent;
}

/** Creates (appended to the rotation) or replaces, keeping the agent's place. */
async function writeAgent(db: Queryable, input: Agent): Promise<Agent> {
  const agent = deepFreeze(refuseInvalid(agentSchema, input, 'agent'));
  const other = await findByEmail(db, agent.email);
  if (other !== undefined && other.id !== agent.id) throw emailTaken(other.id, agent.email);
  try {
    await db.query(
      `INSERT INTO agents (id, email, data) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (id) DO UPDATE SET email = excluded.email, data = excluded.data`,
      [agent.id, agent.email, JSON.stringify(agent)],
    );
  } catch (error) {
    // Another replica saved the email between the check and the insert.
    const failure = pgFailure(error);
    if (failure?.code === UNIQUE_VIOLATION && failure.constraint === 'agents_email_lower') {
      throw emailTaken(undefined, agent.email, error);
    }
    throw mapPgError(error, `a save of agent ${agent.id}`);
  }
  return agent;
}

function emailTaken(otherId: string | undefined, email: string, cause?: unknown): AppError {
  const who = otherId === undefined ? 'Another agent' : `Agent ${otherId}`;
  return new AppError('AGENT_EMAIL_TAKEN', `${who} already has email ${email}`, {
    httpStatus: 409,
    field: 'email',
    cause,
  });
}
