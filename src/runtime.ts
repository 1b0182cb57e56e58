import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Redis } from 'ioredis';
import { bindStoreToInstance } from './bind-store-instance.js';
import { createMarketoClient, marketoDayKey } from './clients/marketo/index.js';
import { RedisCallBudget } from './clients/marketo/redis-call-budget.js';
import { createRedisDailyUsage } from './clients/marketo/redis-daily-usage.js';
import { createStoreDailyUsage } from './clients/marketo/daily-usage-port.js';
import { marketoInstanceId } from './clients/marketo/instance-id.js';
import type { MarketoApi } from './clients/marketo/types.js';
import type { Config } from './config.js';
import { systemClock, type Clock } from './deps.js';
import type { Logger } from './logger.js';
import { connectRedis } from './redis-connection.js';
import { createMarketoSandbox } from './sandbox/index.js';
import { openStore } from './open-store.js';
import type { Store } from './store/types.js';

/** Credentials the built-in sandbox accepts; only ever used against the local sandbox. */
const SANDBOX_CLIENT = { clientId: 'sandbox-client', clientSecret: 'sandbox-secret' };

export interface Runtime {
  store: Store;
  marketo: MarketoApi & { flushUsage?: () => Promise<void> };
  sandbox: { url: string } | undefined;
  /** With REDIS_URL: the connection the replicas' shared limits use. */
  redis: Redis | undefined;
  close(): Promise<void>;
}

/**
 * Builds the real dependencies shared by the service (src/main.ts) and the CLI: the store
 * (which takes the data file's lock), the Marketo client, and, when no Marketo instance is
 * configured, the built-in sandbox it talks to instead.
 */
export async function createRuntime(
  config: Config,
  logger: Logger,
  clock: Clock = systemClock,
): Promise<Runtime> {
  // First: an unreachable Redis stops the start before the store takes its lock.
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, logger) : undefined;
  const { store, location, afresh } = await openStore(config, { logger, clock }).catch(
    (error: unknown) => {
      redis?.disconnect();
      throw error;
    },
  );
  let sandboxServer: { url: string; close(): Promise<void> } | undefined;
  try {
    // Before anything reads the store or calls Marketo: a cursor of one instance sent to
    // another fails every sync (1003 Invalid nextPageToken), and its leads would be served.
    await bindStoreToInstance(store, marketoInstanceId(config.marketo.baseUrl), {
      location,
      afresh,
      clock,
      logger,
    });
    let baseUrl = config.marketo.baseUrl;
    let credentials = {
      clientId: config.marketo.clientId ?? '',
      clientSecret: config.marketo.clientSecret ?? '',
    };
    if (!baseUrl) {
      const sandbox = createMarketoSandbox({
        ...SANDBOX_CLIENT,
        seedLeads: config.sandbox.leads,
        logger,
      });
      sandboxServer = await sandbox.listen(config.sandbox.port, '127.0.0.1');
      baseUrl = sandboxServer.url;
      credentials = SANDBOX_CLIENT;
      logger.warn(
        { sandboxUrl: baseUrl, demoLeads: config.sandbox.leads },
        'SANDBOX MODE: MARKETO_BASE_URL is not set, so the service talks to the built-in Marketo sandbox (demo data, not a real instance)',
      );
    }
    const shared = redis
      ? await createSharedMarketoLimits(
          redis,
          marketoInstanceId(config.marketo.baseUrl),
          config,
          clock,
        )
      : undefined;
    const marketo = createMarketoClient({
      baseUrl,
      ...credentials,
      rateLimit: config.marketo.rateLimit,
      rateWindowMs: config.marketo.rateWindowMs,
      rateMarginMs: config.marketo.rateMarginMs,
      maxConcurrency: config.marketo.maxConcurrency,
      dailyQuota: config.marketo.dailyQuota,
      timeoutMs: config.marketo.timeoutMs,
      maxRetries: config.marketo.maxRetries,
      clock,
      logger,
      ...(shared ?? { usage: await createStoreDailyUsage(store) }),
    });
    const sandbox = sandboxServer ? { url: sandboxServer.url } : undefined;
    return {
      store,
      marketo,
      sandbox,
      redis,
      async close() {
        await marketo.flushUsage?.().catch(() => undefined);
        await shared?.budget.close();
        await store.close();
        await sandboxServer?.close();
        await redis?.quit().catch(() => undefined);
      },
    };
  } catch (error) {
    await store.close().catch(() => undefined);
    await sandboxServer?.close().catch(() => undefined);
    redis?.disconnect();
    throw error;
  }
}

/**
 * With REDIS_URL every replica of one Marketo instance shares its call budget and daily usage
 * under one key prefix, since Marketo's limits are per instance, not per process.
 */
async function createSharedMarketoLimits(
  redis: Redis,
  instanceId: string,
  config: Config,
  clock: Clock,
) {
  const keyPrefix = `${config.redisKeyPrefix}:marketo:${instanceId}`;
  const port = createRedisDailyUsage(redis, keyPrefix);
  const initial = await port.merge({
    day: marketoDayKey(clock.now()),
    calls: 0,
    errorsByCode: {},
  });
  const budget = new RedisCallBudget({
    redis,
    keyPrefix,
    rateLimit: config.marketo.rateLimit,
    rateWindowMs: config.marketo.rateWindowMs,
    rateMarginMs: config.marketo.rateMarginMs,
    maxConcurrency: config.marketo.maxConcurrency,
    clock,
  });
  return { budget, usage: { port, initial } };
}

/**
 * A secret from configuration, or, when it is unset, one generated once and kept in a 0600
 * file beside the store (`data/<name>`), so no endpoint is ever open. The log names the file,
 * never the secret. Configuration requires every secret when a real Marketo instance is set.
 */
export async function resolveSecret(
  configured: string | undefined,
  name: 'admin-token' | 'webhook-secret' | 'ssfs-api-key' | 'token-encryption-key',
  dataFile: string,
  logger: Logger,
): Promise<string> {
  if (configured) return configured;
  const file = join(dirname(dataFile), name);
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 24) {
      logger.warn({ file }, `${name} is not configured: using the generated one in this file`);
      return existing;
    }
  } catch {
    // not generated yet
  }
  // The token key is an AES-256 key: exactly 32 bytes, written as hex.
  const secret =
    name === 'token-encryption-key'
      ? randomBytes(32).toString('hex')
      : randomBytes(24).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  logger.warn({ file }, `${name} is not configured: generated one and saved it in this file`);
  return secret;
}
