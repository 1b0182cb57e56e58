import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createShiftedClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { runOutboxOnce } from '../../src/outbox/run-outbox-once.js';
import { createService, type Service } from '../../src/service.js';
import { MARKETO_RELAY } from '../../src/service-outbox.js';
import { ADMIN_AUTH, createTestConfig } from './test-service.js';

/**
 * The service as `npm start` runs it with no Marketo settings (createService, the composition
 * root of src/main.ts: a JSON file store in a folder of its own, the built-in sandbox Marketo on
 * a free port, the seeded demo agents and dialogue), listening on a free loopback port that is
 * also its PUBLIC_BASE_URL, for a browser to visit. What main.ts would add is left out on
 * purpose, so the test decides when things happen:
 * - no start(): no cron sync, no outbox workers, no meeting job; `sync()` runs the lead sync
 *   and `drainOutbox()` delivers the outbox by hand, pass after pass as the relays would;
 * - the clock is injected: real time shifted to `startAt` (a weekday morning), so slots,
 *   report days and activity dates do not depend on when the test runs; the browser gets the
 *   same time (see conversation-journey.ts);
 * - the Munchkin lookup never gives up waiting, so the sandbox's answer decides who the visitor
 *   is, never the machine's speed.
 */
export interface JourneyService {
  /** `http://127.0.0.1:<port>`, the service's PUBLIC_BASE_URL. */
  base: string;
  service: Service;
  clock: ReturnType<typeof createShiftedClock>;
  /** The built-in sandbox Marketo's address (its REST API and `/_sandbox/` control API). */
  sandboxUrl: string;
  /** One admin API call with the admin token; the parsed JSON answer (or the text). */
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<AdminAnswer<T>>;
  /** Runs the lead sync once to its end. */
  sync(): Promise<void>;
  /** Runs every outbox relay's passes until nothing is due; how many items were delivered. */
  drainOutbox(): Promise<number>;
  /** A Marketo REST call to the sandbox with a token of the sandbox's API user. */
  marketo<T = unknown>(method: string, path: string): Promise<T>;
  close(): Promise<void>;
}

export interface AdminAnswer<T> {
  status: number;
  body: T;
  contentType: string;
}

/** The sandbox's API user (src/runtime.ts gives the service the same one). */
const SANDBOX_CLIENT = { id: 'sandbox-client', secret: 'sandbox-secret' };

export async function openJourneyService(
  options: { startAt: number; env?: Record<string, string> } = { startAt: Date.now() },
): Promise<JourneyService> {
  const dir = await mkdtemp(join(tmpdir(), 'journey-'));
  // The port first: PUBLIC_BASE_URL names it (the widget's script tag, links in activities).
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clock = createShiftedClock(options.startAt - Date.now());
  const config = createTestConfig({
    DATA_FILE: join(dir, 'store.json'),
    PUBLIC_BASE_URL: base,
    SANDBOX_PORT: '0',
    SANDBOX_LEADS: '20',
    ...options.env,
  });
  const service = await createService(config, {
    clock,
    logger: silentLogger,
    munchkinWait: () => new Promise<void>(() => undefined),
  });
  handle = service.app;
  const sandboxUrl = service.sandbox!.url;

  const relay = { store: service.store, clock, logger: silentLogger, random: () => 0 };
  let token: string | undefined;

  return {
    base,
    service,
    clock,
    sandboxUrl,
    async admin<T>(method: string, path: string, body?: unknown) {
      const isCsv = typeof body === 'string';
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...ADMIN_AUTH,
          ...(body === undefined
            ? {}
            : { 'Content-Type': isCsv ? 'text/csv' : 'application/json' }),
        },
        ...(body === undefined ? {} : { body: isCsv ? body : JSON.stringify(body) }),
      });
      const contentType = res.headers.get('content-type') ?? '';
      const text = await res.text();
      const parsed = contentType.includes('json') && text !== '' ? JSON.parse(text) : text;
      return { status: res.status, body: parsed as T, contentType };
    },
    async sync() {
      const report = await service.runner.start('api').done;
      if (report.outcome !== 'succeeded') {
        throw new Error(`the lead sync did not succeed: ${JSON.stringify(report)}`);
      }
    },
    async drainOutbox() {
      let done = 0;
      for (let pass = 0; pass < 20; pass += 1) {
        let claimed = 0;
        // Every relay the service has (Marketo writes, flow-step callbacks, any added later).
        for (const [name, handlers] of Object.entries(service.outbox.handlers)) {
          const report = await runOutboxOnce(
            relay,
            handlers,
            name === 'marketo' ? MARKETO_RELAY : undefined,
          );
          if (report.retried > 0 || report.dead > 0) {
            throw new Error(`an outbox delivery failed on ${name}: ${JSON.stringify(report)}`);
          }
          claimed += report.claimed;
          done += report.done;
        }
        if (claimed === 0) return done;
      }
      throw new Error('the outbox still had items after 20 passes');
    },
    async marketo<T>(method: string, path: string) {
      if (token === undefined) {
        const res = await fetch(
          `${sandboxUrl}/identity/oauth/token?grant_type=client_credentials` +
            `&client_id=${SANDBOX_CLIENT.id}&client_secret=${SANDBOX_CLIENT.secret}`,
        );
        token = ((await res.json()) as { access_token: string }).access_token;
      }
      const res = await fetch(`${sandboxUrl}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}` },
      });
      const body = (await res.json()) as { success: boolean; errors?: unknown } & T;
      if (!body.success) throw new Error(`Marketo ${path}: ${JSON.stringify(body.errors)}`);
      return body;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await service.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
