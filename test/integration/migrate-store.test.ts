import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxItem } from '../../src/records/outbox-item.js';
import { createJsonFileStore } from '../../src/store/index.js';
import { runMigrateStoreCommand } from '../../src/store/postgres/pg-import-command.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/types.js';
import { event, FIXTURE_LEADS, writeFilledJsonStore } from '../helpers/migrate-store-fixture.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.js';
import { T0 } from '../helpers/store-decisions.js';
import { createTempDir } from '../helpers/store-fixtures.js';

/**
 * `npm run migrate:store` in-process (runMigrateStoreCommand): a JSON-file store with data in
 * every collection is copied into a database of this run's own, and the two stores, read
 * through the Store interface, answer alike; a second run changes nothing. PostgreSQL must
 * run (CI starts it): these tests fail rather than skip without it.
 */

/** The JSON store the suite copies (withBothStores opens it). */
let currentFile = '';

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function migrate(env: Record<string, string | undefined>, batchSize = 7): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMigrateStoreCommand(
    env,
    { info: (line) => out.push(line), error: (line) => err.push(line) },
    { batchSize },
  );
  return { code, out, err };
}

/** Everything the Store interface reads back, leases aside (a claim does not move). */
async function readAll(store: Store) {
  const leadIds = Array.from({ length: FIXTURE_LEADS + 1 }, (_, i) => i + 1);
  const outbox = await store.listOutbox();
  return {
    leads: await Promise.all(leadIds.map((id) => store.getLead(id))),
    byEmail: await store.findLeadsByEmail('shared@example.com'),
    count: await store.countLeads(),
    observedBefore: await store.leadIdsObservedBefore(Number.MAX_SAFE_INTEGER),
    sync: await store.loadSyncState(),
    usage: await store.loadUsage(),
    instance: await store.loadInstance(),
    rotation: await store.rotationState(),
    routingSettings: await store.routingSettings(),
    assignment: await store.getAssignment('lead:1'),
    agents: await store.listAgents(),
    agentByEmail: await store.findAgentByEmail('AGENT2@example.com'),
    rules: await store.listRoutingRules(),
    meetings: await store.listMeetings(),
    byToken: await store.findMeetingByManageTokenHash('hash-m1'),
    due: await store.meetingsDue(['pending'], Number.MAX_SAFE_INTEGER, 10),
    outbox: outbox.map(withoutLease),
    byDedupeKey: withoutLease((await store.findOutboxItem('key-dead'))!),
    configuration: await store.getChatConfiguration(),
    dialogues: await store.listDialogues(),
    revision: await store.chatRevision(),
    stats: await store.dialogueStats('d1'),
    visitor: await store.findVisitorEmail({ mktoTrk: 'trk-conv-0001' }),
    conversations: await store.listConversations({ limit: 10 }),
    conversation: await store.getConversation('conv-0001'),
    dialogueVersion: await store.getDialogueVersion('d1', 1),
  };
}

function withoutLease({ lease: _lease, ...item }: OutboxItem): Omit<OutboxItem, 'lease'> {
  return item;
}

describe('npm run migrate:store (in-process)', () => {
  let temp: Awaited<ReturnType<typeof createTempDir>>;
  let file: string;
  const databases: TestDatabase[] = [];
  const newDatabase = async () => {
    const database = await createTestDatabase();
    databases.push(database);
    return database;
  };

  beforeAll(async () => {
    temp = await createTempDir();
    file = path.join(temp.dir, 'store.json');
    currentFile = file;
    await writeFilledJsonStore(file);
  });

  afterAll(async () => {
    await Promise.all(databases.map((database) => database.drop()));
    await temp.remove();
  });

  describe('when a filled JSON store is copied into an empty database', () => {
    let target: TestDatabase;
    let first: Run;

    beforeAll(async () => {
      target = await newDatabase();
      first = await migrate({ DATA_FILE: file, DATABASE_URL: target.url });
    });

    it('then it exits 0 and prints a table where every count agrees', () => {
      expect(first.err).toEqual([]);
      expect(first.code).toBe(0);
      const table = first.out.join('\n');
      for (const [collection, n] of [
        ['leads', FIXTURE_LEADS],
        ['deleted lead ids', 1],
        ['agents', 3],
        ['meetings', 2],
        ['outbox items (pending)', 3],
        ['outbox items (done)', 1],
        ['outbox items (dead)', 1],
        ['dialogues', 2],
        ['dialogue stats', 1],
        ['chat event ids', 2],
        ['visitor links', 2],
        ['held chat events', 1],
        ['conversations', 2],
        ['dialogue versions', 1],
      ] as const) {
        expect(table).toMatch(new RegExp(`${escape(collection)}\\s+${n}\\s+${n}\\n`));
      }
      expect(first.out.at(-1)).toMatch(/every count agrees/);
    });

    it('then the PostgreSQL store reads back what the JSON store reads, without the claim', async () => {
      await withBothStores(target.url, async (json, postgres) => {
        const expected = await readAll(json);
        expect(await readAll(postgres)).toEqual(expected);
        expect(expected.leads.filter(Boolean)).toHaveLength(FIXTURE_LEADS);
        expect(expected.outbox.map((item) => item.status).sort()).toEqual([
          'dead',
          'done',
          'pending',
          'pending',
          'pending',
        ]);
        expect((await json.listOutbox()).some((item) => item.lease !== undefined)).toBe(true);
        expect((await postgres.listOutbox()).every((item) => item.lease === undefined)).toBe(true);
      });
    });

    it('then a second run adds nothing: no doubles, the same counts, the same reads', async () => {
      const second = await migrate({ DATA_FILE: file, DATABASE_URL: target.url }, 5_000);

      expect(second.err).toEqual([]);
      expect(second.code).toBe(0);
      const table = (run: Run) =>
        run.out.filter((line) => !/^Copied|^ {2}leads:|^The database already holds/.test(line));
      expect(table(second)).toEqual(table(first));
      // The first copy wrote everything: the second adds leads only, and says so.
      expect(second.out).toContainEqual(expect.stringMatching(/^The database already holds/));
      await withBothStores(target.url, async (json, postgres) => {
        expect(await readAll(postgres)).toEqual(await readAll(json));
      });
    });

    it('then the database remembers what the file remembered, and a claim is due again', async () => {
      await withBothStores(target.url, async (json, postgres) => {
        // The item claimed in the file has no lease any more: it is claimed at once.
        const claimed = await postgres.claimOutbox({ now: T0 + 100, limit: 10, leaseMs: 1 });
        expect(claimed.map((item) => item.dedupeKey).sort()).toEqual([
          'chat:event-0001',
          'key-claimed',
        ]);
        // A recorded event is not recorded twice; a deleted lead does not come back.
        const replay = { event: event('conv-0001', 'event-0001'), now: T0 + 20, counters: {} };
        expect(await postgres.recordChatEvent(replay)).toBe(false);
        const lead = (await json.getLead(1))!;
        await postgres.applyLeadChanges({
          upserts: [{ ...lead, id: FIXTURE_LEADS + 1, observedAt: T0 + 99 }],
        });
        expect(await postgres.getLead(FIXTURE_LEADS + 1)).toBeUndefined();
        expect(await postgres.consumeOAuthState('state-1', T0)).toMatchObject({ agentId: 'a1' });
        // A new agent joins the end of the rotation, after the copied order.
        const [first] = await json.listAgents();
        await postgres.saveAgent({ ...first!, id: 'a9', email: 'agent9@example.com' });
        expect((await postgres.listAgents()).map((agent) => agent.id)).toEqual([
          'a2',
          'a3',
          'a1',
          'a9',
        ]);
      });
    });

    it('then a run after the service wrote to the database reports what the file does not hold, keeps it, and exits 0', async () => {
      const again = await migrate({ DATA_FILE: file, DATABASE_URL: target.url });

      // The database holds every row of the file plus its own: that is no failure.
      expect(again.err).toEqual([]);
      expect(again.code).toBe(0);
      expect(again.out.at(-1)).toMatch(/every row of the file is in the database/);
      expect(again.out.find((line) => line.startsWith('agents'))).toMatch(
        /agents\s+3\s+4\s+<< the database holds 1 more \(not from this file; kept\)/,
      );
    });
  });

  it('when the database records another Marketo instance, then nothing is copied and the message says why', async () => {
    const target = await newDatabase();
    const postgres = await createPostgresStore({ connectionString: target.url });
    await postgres.saveInstance({
      id: 'munchkin:123-ABC-456',
      boundAt: new Date(T0).toISOString(),
    });
    await postgres.close();

    const run = await migrate({ DATA_FILE: file, DATABASE_URL: target.url });

    expect(run.code).toBe(1);
    expect(run.err.join('\n')).toMatch(/holds the data of .*123-ABC-456.*Nothing was copied/);
    expect(await countRows(target.url, 'leads')).toBe(0);
  });

  it('when the database holds more leads than the file, then the table reports them, keeps them and exits 0', async () => {
    const target = await newDatabase();
    await migrate({ DATA_FILE: file, DATABASE_URL: target.url });
    const postgres = await createPostgresStore({ connectionString: target.url });
    await postgres.applyLeadChanges({
      upserts: [{ id: 900, fields: {}, observedAt: T0, source: 'webhook' }],
    });
    await postgres.close();

    const run = await migrate({ DATA_FILE: file, DATABASE_URL: target.url });

    expect(run.err).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.out.find((line) => line.startsWith('leads'))).toMatch(
      /1 more \(not from this file; kept\)/,
    );
    expect(await countRows(target.url, 'leads')).toBe(FIXTURE_LEADS + 1);
  });

  it.each([
    [
      'DATA_FILE names no file',
      () => ({
        DATA_FILE: path.join(temp.dir, 'none.json'),
        DATABASE_URL: 'postgres://x@127.0.0.1/x',
      }),
      /none\.json \(DATA_FILE\) does not exist/,
    ],
    ['DATABASE_URL is unset', () => ({ DATA_FILE: file }), /DATABASE_URL is not set/],
    [
      'DATABASE_URL is unreachable',
      () => ({ DATA_FILE: file, DATABASE_URL: 'postgres://mover:s3cret@127.0.0.1:1/nowhere' }),
      /Cannot reach the database at DATABASE_URL \(postgres:\/\/mover@127\.0\.0\.1:1\/nowhere\)/,
    ],
  ])('when %s, then it exits 1 with a clear message and no password', async (_, env, message) => {
    const run = await migrate(env());
    expect(run.code).toBe(1);
    expect(run.err.join('\n')).toMatch(message);
    expect(run.err.join('\n')).not.toContain('s3cret');
  });
});

async function withBothStores(
  url: string,
  work: (json: Store, postgres: Store) => Promise<void>,
): Promise<void> {
  const json = await createJsonFileStore({ file: currentFile });
  const postgres = await createPostgresStore({ connectionString: url });
  try {
    await work(json, postgres);
  } finally {
    await json.close();
    await postgres.close();
  }
}

async function countRows(url: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM ${table}`);
    return result.rows[0]!.n;
  } finally {
    await client.end();
  }
}

function escape(text: string): string {
  return text.replace(/[()]/g, (c) => `\\${c}`);
}
