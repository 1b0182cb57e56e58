import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeOf, spawnTs, waitForOutput } from '../helpers/spawn-service.js';

const children: Array<ReturnType<typeof spawnTs>> = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('npm run sandbox', () => {
  it('when started, then it serves Marketo tokens to the sandbox client and exits 0 on SIGTERM', async () => {
    const child = spawnTs('src/cli/sandbox.ts', { SANDBOX_PORT: '0', SANDBOX_LEADS: '10' });
    children.push(child);
    const [, url] = await waitForOutput(child, /Marketo sandbox at (http:\/\/\S+) with 10 demo/);
    const res = await fetch(`${url}/identity/oauth/token?grant_type=client_credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'client_id=sandbox-client&client_secret=sandbox-secret',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ token_type: 'bearer' });
    child.kill('SIGTERM');
    expect(await exitCodeOf(child)).toBe(0);
  });

  it('when SANDBOX_PORT is not a port, then it says so and exits 1', async () => {
    const child = spawnTs('src/cli/sandbox.ts', { SANDBOX_PORT: 'abc' });
    children.push(child);
    expect(await exitCodeOf(child)).toBe(1);
    expect(child.output()).toContain('SANDBOX_PORT must be a port number (got "abc")');
  });
});
