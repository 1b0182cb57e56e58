import { afterEach } from 'vitest';
import { createMarketoClient } from '../../src/clients/marketo/index.js';
import type { MarketoApi } from '../../src/clients/marketo/types.js';
import { createSequentialIds, createShiftedClock, systemClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { createMarketoSandbox } from '../../src/sandbox/index.js';
import type { SandboxOptions } from '../../src/sandbox/sandbox-types.js';
import { createMemoryStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { runLeadSync } from '../../src/sync/lead-sync.js';
import type { SyncOptions } from '../../src/sync/sync-context.js';

export const TEST_FIELDS = [
  'email',
  'firstName',
  'lastName',
  'company',
  'country',
  'createdAt',
  'updatedAt',
];

/**
 * A sandbox Marketo over loopback (on `marketoClock` unless the test brings a clock), the real
 * client with a short window, and a store.
 */
export async function createSyncHarness(
  options: {
    sandbox?: SandboxOptions;
    client?: Partial<Parameters<typeof createMarketoClient>[0]>;
    store?: Store;
  } = {},
) {
  const marketoClock = createShiftedClock();
  const sandbox = createMarketoSandbox({
    clock: marketoClock,
    seedLeads: 1000,
    rateLimit: 100,
    rateWindowMs: 1000,
    ...options.sandbox,
  });
  const server = await sandbox.listen(0, '127.0.0.1');
  const store = options.store ?? createMemoryStore();
  const marketo = createMarketoClient({
    baseUrl: server.url,
    clientId: 'sandbox-client',
    clientSecret: 'sandbox-secret',
    rateLimit: 100,
    rateWindowMs: 1000,
    rateMarginMs: 50,
    maxConcurrency: 5,
    dailyQuota: 50_000,
    timeoutMs: 10_000,
    maxRetries: 3,
    retryMinTimeoutMs: 10,
    retryMaxTimeoutMs: 200,
    logger: silentLogger,
    ...options.client,
  });
  const ids = createSequentialIds('run');
  const deps = {
    marketo: marketo as MarketoApi,
    store,
    clock: systemClock,
    ids,
    logger: silentLogger,
  };
  const sync = (overrides: Partial<SyncOptions> = {}) =>
    runLeadSync(deps, {
      fields: TEST_FIELDS,
      fullStrategy: 'rest',
      bulkPollMs: 20,
      concurrency: 6,
      cursorOverlapMs: 60_000,
      ...overrides,
    });
  return {
    sandbox,
    marketoClock,
    server,
    store,
    marketo,
    deps,
    sync,
    close: () => server.close(),
  };
}

export type SyncHarness = Awaited<ReturnType<typeof createSyncHarness>>;

/**
 * The test's harness and cleanups (temporary directories, reopened stores), released after
 * each test.
 */
export function useSyncHarness() {
  const current = {
    harness: undefined as SyncHarness | undefined,
    cleanups: [] as Array<() => Promise<void>>,
    async open(options: Parameters<typeof createSyncHarness>[0] = {}): Promise<SyncHarness> {
      current.harness = await createSyncHarness(options);
      return current.harness;
    },
  };
  afterEach(async () => {
    await current.harness?.close();
    current.harness = undefined;
    while (current.cleanups.length) await current.cleanups.pop()!();
  });
  return current;
}

/** Every sandbox lead, reduced to the synced fields, keyed by id. */
export function expectedLeads(
  sandbox: { allLeads(): Array<Record<string, unknown> & { id: number }> },
  fields = TEST_FIELDS,
) {
  const out = new Map<number, Record<string, unknown>>();
  for (const lead of sandbox.allLeads()) {
    out.set(lead.id, Object.fromEntries(fields.map((f) => [f, lead[f] ?? null])));
  }
  return out;
}

/** The ids whose stored fields differ from the sandbox (missing, extra, or different). */
export async function differences(
  store: Store,
  sandbox: Parameters<typeof expectedLeads>[0],
  fields = TEST_FIELDS,
): Promise<number[]> {
  const expected = expectedLeads(sandbox, fields);
  const bad: number[] = [];
  for (const [id, fieldsExpected] of expected) {
    const stored = await store.getLead(id);
    if (
      !stored ||
      JSON.stringify(normalise(stored.fields, fields)) !== JSON.stringify(fieldsExpected)
    )
      bad.push(id);
  }
  if ((await store.countLeads()) !== expected.size) bad.push(-1);
  return bad;
}

function normalise(values: Record<string, unknown>, fields: string[]) {
  return Object.fromEntries(fields.map((f) => [f, values[f] ?? null]));
}
