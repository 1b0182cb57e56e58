import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonFileStore } from '../../src/store/index.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { FIXTURE_LEADS, writeFilledJsonStore } from '../helpers/migrate-store-fixture.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.js';
import { spawnTs } from '../helpers/spawn-service.js';
import { createTempDir } from '../helpers/store-fixtures.js';

/**
 * `src/cli/migrate-store.ts` (npm run migrate:store) as its own process, once end to end and
 * once against a file whose lock a running process holds. PostgreSQL must run (CI starts it).
 */
describe('migrate:store CLI', () => {
  let temp: Awaited<ReturnType<typeof createTempDir>>;
  let file: string;
  let target: TestDatabase;

  beforeAll(async () => {
    temp = await createTempDir();
    file = path.join(temp.dir, 'store.json');
    await writeFilledJsonStore(file);
    target = await createTestDatabase();
  });

  afterAll(async () => {
    await target.drop();
    await temp.remove();
  });

  it('when run on a stopped service, then it copies the file, prints the counts and exits 0', async () => {
    const child = spawnTs('src/cli/migrate-store.ts', {
      DATA_FILE: file,
      DATABASE_URL: target.url,
    });

    expect(await finished(child)).toBe(0);
    expect(child.output()).toMatch(new RegExp(`leads\\s+${FIXTURE_LEADS}\\s+${FIXTURE_LEADS}\\n`));
    expect(child.output()).toMatch(/every count agrees/);
    expect(child.output()).toMatch(
      /before the first start on the database\. A re-run only adds leads the database lacks/,
    );
    const postgres = await createPostgresStore({ connectionString: target.url });
    try {
      expect(await postgres.countLeads()).toBe(FIXTURE_LEADS);
      expect((await postgres.listMeetings()).map((meeting) => meeting.id).sort()).toEqual([
        'm1',
        'm2',
      ]);
    } finally {
      await postgres.close();
    }
  });

  it('when the service still holds the file, then it refuses, says to stop it, and copies nothing', async () => {
    const running = await createJsonFileStore({ file });
    const empty = await createTestDatabase();
    try {
      const child = spawnTs('src/cli/migrate-store.ts', {
        DATA_FILE: file,
        DATABASE_URL: empty.url,
      });

      expect(await finished(child)).toBe(1);
      expect(child.output()).toMatch(/is in use by another process: pid \d+/);
      expect(child.output()).toMatch(/Stop the service .* before moving the store/);
      const postgres = await createPostgresStore({ connectionString: empty.url });
      expect(await postgres.countLeads()).toBe(0);
      await postgres.close();
    } finally {
      await running.close();
      await empty.drop();
    }
  });
});

/** The exit code once the output is read to its end ('close', not 'exit'). */
function finished(child: ReturnType<typeof spawnTs>): Promise<number | null> {
  return new Promise((resolve) => child.once('close', (code: number | null) => resolve(code)));
}
