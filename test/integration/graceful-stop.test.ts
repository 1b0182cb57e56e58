import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonFileStore } from '../../src/store/index.js';
import { exitCodeOf, spawnTs, waitForOutput } from '../helpers/spawn-service.js';
import { TEST_SECRETS } from '../helpers/test-service.js';

let dir: string;
const children: Array<ReturnType<typeof spawnTs>> = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'graceful-stop-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** A raw HTTP/1.1 connection, so the test decides when each byte of the request is sent. */
function openSocket(port: number): Promise<Socket & { answer(): Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const ended = new Promise<string>((done) => socket.once('close', () => done(text)));
    socket.once('connect', () => resolve(Object.assign(socket, { answer: () => ended })));
    socket.once('error', reject);
  });
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('stopping on SIGTERM with a request in flight', () => {
  it('when SIGTERM arrives while a webhook body is half sent, then new connections are refused, the request still gets its 200, the lead is in the store, and the process exits 0 within 10 s', async () => {
    const file = join(dir, 'store.json');
    const service = spawnTs('src/main.ts', {
      ...TEST_SECRETS,
      DATA_FILE: file,
      PORT: '0',
      HOST: '127.0.0.1',
      SANDBOX_PORT: '0',
      SANDBOX_LEADS: '20',
    });
    children.push(service);
    const [, portText] = await waitForOutput(service, /listening on http:\/\/localhost:(\d+)/);
    const port = Number(portText);

    const body = JSON.stringify({ id: 4242, email: 'in-flight@example.com', firstName: 'Ada' });
    const socket = await openSocket(port);
    socket.write(
      'POST /webhooks/marketo/lead HTTP/1.1\r\n' +
        'Host: 127.0.0.1\r\n' +
        'Content-Type: application/json\r\n' +
        `X-Webhook-Secret: ${TEST_SECRETS.WEBHOOK_SECRET}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body.slice(0, 20),
    );

    const signalledAt = Date.now();
    service.kill('SIGTERM');
    await waitForOutput(service, /shutting down/);
    expect(await refusesConnections(port)).toBe(true);
    // The rest of the body goes once everything else has stopped: the store must stay open for
    // the request still in flight, and the process must wait for its answer.
    await waitForOutput(service, /waiting for requests in flight/);

    // write, not end: a client that half-closes its side aborts its own request in Node.
    socket.write(body.slice(20));
    const answer = await socket.answer();
    expect(answer, service.output().slice(-3000)).toMatch(/^HTTP\/1\.1 200 /);
    expect(await exitCodeOf(service)).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);

    const store = await createJsonFileStore({ file });
    try {
      expect((await store.getLead(4242))?.fields['email']).toBe('in-flight@example.com');
    } finally {
      await store.close();
    }
  }, 40_000);
});
