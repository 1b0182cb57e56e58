import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MIGRATE_STORE_HELP,
  runMigrateStoreCommand,
} from '../../src/store/postgres/pg-import-command.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/types.js';
import { writeFilledJsonStore } from '../helpers/migrate-store-fixture.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.js';
import { nextInLine, T0 } from '../helpers/store-decisions.js';
import { createTempDir } from '../helpers/store-fixtures.js';

/**
 * `npm run migrate:store` run again after the service has used the database (the outside
 * review's finding): the copy only adds what the database lacks, so an outbox item delivered
 * since is not `pending` again (it would reach Marketo twice), a turn taken is not lost, a
 * cancelled meeting stays cancelled, and usage and sync state do not go back. PostgreSQL must
 * run (CI starts it).
 */

async function migrate(env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMigrateStoreCommand(env, {
    info: (line) => out.push(line),
    error: (line) => err.push(line),
  });
  return { code, out, err };
}

/** What the service changed, as the Store interface reads it back. */
async function readChanged(store: Store) {
  return {
    outbox: await store.listOutbox(),
    rotation: await store.rotationState(),
    assignment: await store.getAssignment('lead:2'),
    meetings: await store.listMeetings(),
    usage: await store.loadUsage(),
    sync: await store.loadSyncState(),
    routingSettings: await store.routingSettings(),
    configuration: await store.getChatConfiguration(),
    revision: await store.chatRevision(),
    leads: await store.countLeads(),
  };
}

describe('migrate:store run again after the service used the database', () => {
  let temp: Awaited<ReturnType<typeof createTempDir>>;
  let file: string;
  let target: TestDatabase;
  let before: Awaited<ReturnType<typeof readChanged>>;
  let again: Awaited<ReturnType<typeof migrate>>;
  let deliveredId = '';

  beforeAll(async () => {
    temp = await createTempDir();
    file = path.join(temp.dir, 'store.json');
    await writeFilledJsonStore(file);
    target = await createTestDatabase();
    const first = await migrate({ DATA_FILE: file, DATABASE_URL: target.url });
    expect(first.code).toBe(0);

    // The service runs on the database: delivers an outbox item, takes a turn, cancels a
    // meeting, counts usage, moves the sync on, changes settings and publishes chat.
    const postgres = await createPostgresStore({ connectionString: target.url });
    try {
      const [claimed] = await postgres.claimOutbox({ now: T0 + 100, limit: 1, leaseMs: 60_000 });
      deliveredId = claimed!.id;
      await postgres.completeOutbox({
        id: claimed!.id,
        leaseToken: claimed!.lease!.token,
        now: T0 + 101,
      });
      await postgres.takeAssignmentTurn({
        key: 'lead:2',
        keepSince: 0,
        decide: nextInLine('lead:2', T0 + 102),
      });
      await postgres.updateMeeting(
        'm1',
        (meeting) => ({ meeting: { ...meeting, status: 'cancelled', updatedAt: T0 + 103 } }),
        T0 + 103,
      );
      await postgres.saveUsage({ day: '2026-11-25', calls: 7, errorsByCode: {} });
      const sync = await postgres.loadSyncState();
      await postgres.commitSync({ upserts: [], state: { ...sync, lastSuccessAt: 'later' } });
      await postgres.saveRoutingSettings({ cancellationReturnsTurn: false });
      const configuration = (await postgres.getChatConfiguration())!;
      await postgres.saveChatConfiguration({
        ...configuration,
        chatEnabled: !configuration.chatEnabled,
      });
      before = await readChanged(postgres);
    } finally {
      await postgres.close();
    }

    again = await migrate({ DATA_FILE: file, DATABASE_URL: target.url });
  });

  afterAll(async () => {
    await target.drop();
    await temp.remove();
  });

  it('then nothing the service wrote goes back', async () => {
    const postgres = await createPostgresStore({ connectionString: target.url });
    try {
      const after = await readChanged(postgres);
      expect(after).toEqual(before);
      const delivered = after.outbox.find((item) => item.id === deliveredId);
      expect(delivered).toMatchObject({ status: 'done' });
      expect(after.meetings.find((meeting) => meeting.id === 'm1')?.status).toBe('cancelled');
      expect(after.assignment).toBeDefined();
      expect(after.usage).toMatchObject({ day: '2026-11-25', calls: 7 });
      // Nothing delivered is due again: only what was pending before the re-run is claimed.
      const due = await postgres.claimOutbox({ now: T0 + 200, limit: 10, leaseMs: 1 });
      expect(due.map((item) => item.id)).not.toContain(deliveredId);
    } finally {
      await postgres.close();
    }
  });

  it('then it exits 0 and the table says which records the database kept as its own', () => {
    expect(again.err).toEqual([]);
    expect(again.code).toBe(0);
    const line = (name: string) => again.out.find((text) => text.startsWith(`${name} `));
    for (const kept of [
      'sync state',
      'usage',
      'rotation',
      'routing settings',
      'chat configuration',
      'chat revision (value)',
    ]) {
      expect(line(kept)).toMatch(/<< kept \(the database's own\)$/);
    }
    expect(line('outbox items')).toMatch(/^outbox items\s+5\s+5$/);
    expect(line('outbox items (done)')).toMatch(/1\s+2\s+<< the database's own progress/);
    expect(again.out.at(-1)).toMatch(/every row of the file is in the database/);
    expect(MIGRATE_STORE_HELP.join(' ')).toMatch(
      /before the first start on the database\. A re-run only adds leads the database lacks/,
    );
    expect(again.out.join('\n')).toMatch(/already holds state of its own .*only leads were copied/);
  });

  it('when the database holds an item of its own under the dedupe key of one of the file, then only leads are copied and the run says so', async () => {
    // A database with state of its own (here one outbox item) gets the file's leads only: a
    // row of the file it lacks may be one the service deleted since, and must not come back.
    const other = await createTestDatabase();
    try {
      const postgres = await createPostgresStore({ connectionString: other.url });
      try {
        await postgres.enqueueOutbox(
          [{ kind: 'marketo-activity', dedupeKey: 'key-waiting', payload: { own: true } }],
          T0,
        );
      } finally {
        await postgres.close();
      }

      const run = await migrate({ DATA_FILE: file, DATABASE_URL: other.url });

      expect(run.code).toBe(0);
      expect(run.out.join('\n')).toMatch(/already holds state of its own .*only leads were copied/);
      expect(run.out.find((text) => text.startsWith('outbox items '))).toMatch(
        /^outbox items\s+5\s+1\s+<< kept \(the database's own\)$/,
      );
      const check = await createPostgresStore({ connectionString: other.url });
      try {
        expect((await check.listOutbox()).map((item) => item.dedupeKey)).toEqual(['key-waiting']);
        expect(await check.countLeads()).toBeGreaterThan(0);
      } finally {
        await check.close();
      }
    } finally {
      await other.drop();
    }
  });
});
