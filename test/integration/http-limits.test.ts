import { connect } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, type ListenLimits } from '../../src/http/listen.js';
import { TEST_SECRETS, useSandboxServices } from '../helpers/test-service.js';

const services = useSandboxServices();
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Short limits, so a stalled client is cut within a fraction of a second. */
const LIMITS: ListenLimits = {
  requestTimeoutMs: 400,
  headersTimeoutMs: 300,
  keepAliveTimeoutMs: 300,
  checkEveryMs: 50,
};

async function serve() {
  const service = await services.open({ SYNC_ENABLED: 'false' });
  const { server, port } = await listen(service.app, {
    port: 0,
    host: '127.0.0.1',
    limits: LIMITS,
  });
  servers.push(server);
  return { port, service };
}

/** Sends `bytes` and never more; resolves with what the server said and how long it held on. */
function stall(port: number, bytes: string): Promise<{ answer: string; heldMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.once('error', reject);
    socket.once('close', () => resolve({ answer, heldMs: performance.now() - started }));
  });
}

describe('a slow or stalled client', () => {
  it('when the headers never finish, then the connection is answered 408 and closed once the headers time runs out', async () => {
    const { port } = await serve();
    const { answer, heldMs } = await stall(port, 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(heldMs).toBeLessThan(5_000);
  });

  it('when a webhook body promises more bytes than it sends, then the call ends with 408 within the request time, nothing is stored, and the service still answers', async () => {
    const { port, service } = await serve();
    const { answer, heldMs } = await stall(
      port,
      'POST /webhooks/marketo/lead HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `X-Webhook-Secret: ${TEST_SECRETS.WEBHOOK_SECRET}\r\nContent-Length: 1000\r\n\r\n` +
        '{"id": 777001, "email": "slow@example.com"',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(heldMs).toBeLessThan(5_000);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(await service.store.getLead(777001)).toBeUndefined();
  });
});
