import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exitCodeOf, spawnTs } from '../helpers/spawn-service.js';
import { TEST_SECRETS } from '../helpers/test-service.js';

// Issue 10, "Bad input and failure": an unreachable database at start-up is a clear error
// naming which, and exit 1. The process is the real one (src/main.ts), as an operator runs it.

const PASSWORD = 'pw-never-shown-7f3a';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postgres-startup-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A port nothing listens on: one the system just gave us and we closed again. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the service on `databaseUrl`; resolves with its exit code and everything it printed. */
async function start(databaseUrl: string): Promise<{ code: number | null; output: string }> {
  const child = spawnTs('src/main.ts', {
    ...TEST_SECRETS,
    DATABASE_URL: databaseUrl,
    // Were the database reached, the service would listen: on a free port, with its sandbox.
    DATA_FILE: join(dir, 'store.json'),
    PORT: '0',
    SANDBOX_PORT: '0',
    SANDBOX_LEADS: '0',
  });
  const code = await exitCodeOf(child);
  return { code, output: child.output() };
}

describe('DATABASE_URL at start-up', () => {
  it('when nothing listens at the database port, then the service exits 1 with DATABASE_UNREACHABLE naming DATABASE_URL and the host, never the password', async () => {
    const port = await closedPort();

    const { code, output } = await start(`postgres://postgres:${PASSWORD}@127.0.0.1:${port}/test`);

    expect(code).toBe(1);
    // The code the README names comes first.
    expect(output).toContain(
      `DATABASE_UNREACHABLE: PostgreSQL at postgres://postgres@127.0.0.1:${port}/test (DATABASE_URL) is unreachable: `,
    );
    expect(output).toContain('ECONNREFUSED');
    expect(output).not.toContain(PASSWORD);
    // A clear message, not a crash: no stack trace.
    expect(output).not.toMatch(/^\s+at /m);
  });

  it("when the database does not exist, then the service exits 1 with DATABASE_MISSING, the server's reason and how to create it, never the password", async () => {
    const missing = `mc_missing_${randomBytes(4).toString('hex')}`;

    const { code, output } = await start(
      `postgres://postgres:${PASSWORD}@127.0.0.1:5432/${missing}`,
    );

    expect(code).toBe(1);
    expect(output).toContain(
      `DATABASE_MISSING: PostgreSQL at postgres://postgres@127.0.0.1:5432/${missing} (DATABASE_URL)`,
    );
    expect(output).toContain(`database "${missing}" does not exist (3D000)`);
    expect(output).toContain(`createdb ${missing}`);
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toMatch(/^\s+at /m);
  });

  it("when the role does not exist, then the service exits 1 with DATABASE_LOGIN_REFUSED and the server's reason, never the password", async () => {
    // Trust authentication (the test server) still refuses a role that does not exist: 28000.
    const role = `mc_nosuchrole_${randomBytes(4).toString('hex')}`;

    const { code, output } = await start(`postgres://${role}:${PASSWORD}@127.0.0.1:5432/test`);

    expect(code).toBe(1);
    expect(output).toContain(
      `DATABASE_LOGIN_REFUSED: PostgreSQL at postgres://${role}@127.0.0.1:5432/test (DATABASE_URL) refused the login: `,
    );
    expect(output).toContain(`role "${role}" does not exist (28000)`);
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toMatch(/^\s+at /m);
  });
});
