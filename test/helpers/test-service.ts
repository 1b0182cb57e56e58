import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createService, type Service, type ServiceOverrides } from '../../src/service.js';
import { createSyncHarness, type SyncHarness } from './sync-harness.js';

/** The service's secrets, set so none is generated into a file beside the store. */
export const TEST_SECRETS = {
  ADMIN_TOKEN: 'admin-token-for-tests-0123456789',
  WEBHOOK_SECRET: 'webhook-secret-0123456789abcdef',
  SSFS_API_KEY: 'ssfs-api-key-0123456789abcdef',
  TOKEN_ENCRYPTION_KEY: '0123456789abcdef'.repeat(4),
};

export const ADMIN_AUTH = { Authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` };

/** The configuration of a test service: the secrets above, then `env` as the environment. */
export function createTestConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ ...TEST_SECRETS, ...env });
}

/**
 * The whole service as src/main.ts builds it (createService), without listening, silent, over a
 * sync harness's memory store and loopback sandbox (the harness closes them).
 */
export function createHarnessService(
  harness: SyncHarness,
  env: Record<string, string> = {},
  overrides: ServiceOverrides = {},
) {
  return createService(createTestConfig(env), {
    logger: silentLogger,
    runtime: {
      store: harness.store,
      marketo: harness.marketo,
      sandbox: { url: harness.server.url },
    },
    ...overrides,
  });
}

/**
 * Services as `npm run dev` starts them with no Marketo settings (a JSON file in a temporary
 * folder of the test's own, the built-in sandbox on a free port), silent; each test's are
 * stopped and its folder removed after it.
 */
export function useSandboxServices() {
  let dir = '';
  const services: Service[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'service-'));
  });
  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    /** This test's folder, holding the data file. */
    dir: () => dir,
    async open(env: Record<string, string> = {}, overrides: ServiceOverrides = {}) {
      const config = createTestConfig({
        DATA_FILE: join(dir, 'store.json'),
        SANDBOX_PORT: '0',
        SANDBOX_LEADS: '20',
        ...env,
      });
      const service = await createService(config, { logger: silentLogger, ...overrides });
      services.push(service);
      return service;
    },
  };
}

/**
 * A sync harness and the whole service over it (createHarnessService), opened by the test and
 * stopped, with the harness closed, after each test.
 */
export function useHarnessService() {
  let opened: { harness: SyncHarness; service: Service } | undefined;
  afterEach(async () => {
    await opened?.service.stop();
    await opened?.harness.close();
    opened = undefined;
  });
  return {
    async open(
      harnessOptions: Parameters<typeof createSyncHarness>[0] = {},
      env: Record<string, string> = {},
      overrides: ServiceOverrides = {},
    ) {
      const harness = await createSyncHarness(harnessOptions);
      try {
        opened = { harness, service: await createHarnessService(harness, env, overrides) };
      } catch (error) {
        await harness.close();
        throw error;
      }
      return opened;
    },
  };
}
