import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMarketoSandbox,
  type FaultCounts,
  type FaultProfileInput,
} from '../../src/sandbox/index.js';
import { createRandom } from '../../src/sandbox/sandbox-seed.js';
import { createJsonFileStore } from '../../src/store/index.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createTestDatabase } from './postgres-database.js';
import { connectTestRedis, TEST_REDIS_URL } from './redis-test-prefix.js';
import { apiUserOf, pollFor } from './replicas-cluster.js';
import { startCallbackReceiver } from './soak-callbacks.js';
import {
  checkCallbacks,
  checkDeliveries,
  checkLeadCopy,
  checkLimits,
  type CallbackFindings,
  type DeliveryFindings,
  type LeadCopyFindings,
  type LimitFindings,
} from './soak-checks.js';
import { startSoakCluster } from './soak-cluster.js';
import { DEFAULT_DRAIN_ROUNDS, drainOutbox, prepare, runOutage, syncOnce } from './soak-phases.js';
import { startSoakTraffic, type SoakLedger } from './soak-traffic.js';

/**
 * One soak, start to end (test/integration/soak-*.test.ts and bench/soak.ts): a sandbox with
 * seeded random faults and an outage, the service as separate processes crashed (SIGKILL) at
 * seeded moments and started again, traffic of every kind, then the faults off, the outbox
 * drained and a last sync, and the findings of soak-checks.ts.
 */

export interface SoakOptions {
  store: 'json' | 'postgres';
  /** Service processes (replicas on PostgreSQL; 1 on the JSON store). */
  nodes: number;
  seed: number;
  /**
   * Traffic ends after this many acknowledged writes (once every kill is done), and the kills
   * fall at seeded numbers of them; Infinity: traffic runs maxChaosMs and the kills fall at
   * seeded moments of it (the benchmark).
   */
  acks: number;
  /**
   * With acks Infinity: how long the traffic runs. Otherwise the chaos may take this long and
   * 60 s more before the soak fails as too slow (it is never cut short).
   */
  maxChaosMs: number;
  kills: number;
  /** Drain rounds at most (soak-phases.ts drainOutbox; default DEFAULT_DRAIN_ROUNDS). */
  maxDrainRounds?: number;
  workers?: number;
  outageMs?: number;
  /** Marketo's limits as the service is configured (the sandbox allows ten times more). */
  rateLimit?: number;
  windowMs?: number;
  concurrency?: number;
  profile?: Omit<FaultProfileInput, 'seed'>;
  log?: (line: string) => void;
  /** Where to keep every service process's log (for a post-mortem). */
  logDir?: string;
}

export interface SoakReport {
  seed: number;
  store: SoakOptions['store'];
  wallMs: number;
  ledger: Omit<SoakLedger, 'invocations' | 'activities' | 'emails'> & {
    invocations: number;
    activities: number;
    emails: number;
  };
  faults: FaultCounts;
  kills: number;
  killedLeader: boolean;
  /** Rounds the drain took, and at most it could take. */
  drainRounds: number;
  maxDrainRounds: number;
  deliveries: DeliveryFindings;
  callbacks: CallbackFindings;
  deadLetters: number;
  /** Items still pending after the drain (0 unless a write is stuck). */
  outboxPending: number;
  leadCopy: LeadCopyFindings;
  limits: LimitFindings;
  /** Executed calls by kind: activity writes, and the look-ups before a resend. */
  activityCalls: { writes: number; pagingTokens: number; lookupPages: number };
  peakRssBytes: number;
}

/** Every kind of failure, answers lost on every path (the tests' and the benchmark's). */
export const DEFAULT_PROFILE: Omit<FaultProfileInput, 'seed'> = {
  rates: { '502': 0.04, '604': 0.04, '606': 0.04, '611': 0.04, '615': 0.04 },
  lostAnswer: 0.1,
};

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const rateLimit = options.rateLimit ?? 30;
  const windowMs = options.windowMs ?? 1_000;
  const concurrency = options.concurrency ?? 5;
  const names = Array.from({ length: options.nodes }, (_, i) => `n${i}`);
  const random = createRandom(options.seed);
  const cleanups: Array<() => Promise<unknown>> = [];

  try {
    const sandbox = createMarketoSandbox({
      seedLeads: 150,
      seed: options.seed,
      moreApiUsers: names.map(apiUserOf),
      latencyMs: 5,
    });
    sandbox.setLimits({
      rateLimit: rateLimit * 10,
      rateWindowMs: windowMs,
      maxConcurrency: concurrency * 10,
    });
    const marketo = await sandbox.listen(0, '127.0.0.1');
    cleanups.push(() => marketo.close());
    const receiver = await startCallbackReceiver();
    cleanups.push(() => receiver.close());
    const dir = await mkdtemp(join(tmpdir(), 'soak-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));

    const env: Record<string, string> = {
      MARKETO_BASE_URL: marketo.url,
      MARKETO_RATE_LIMIT: String(rateLimit),
      MARKETO_RATE_WINDOW_MS: String(windowMs),
      MARKETO_MAX_CONCURRENCY: String(concurrency),
      MARKETO_TIMEOUT_MS: '5000',
      OUTBOX_POLL_MS: '100',
      SSFS_CALLBACK_HOSTS: receiver.host,
      SYNC_FULL_STRATEGY: 'rest',
      TRUST_PROXY_HOPS: '1',
      LOG_LEVEL: 'info',
    };
    let database: { url: string } | undefined;
    if (options.store === 'postgres') {
      const db = await createTestDatabase();
      cleanups.push(() => db.drop());
      const redis = await connectTestRedis();
      cleanups.push(() => redis.cleanup());
      database = db;
      Object.assign(env, {
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: redis.prefix,
        LEADER_TTL_MS: '1000',
        LEADER_CHECK_MS: '200',
      });
    }

    const cluster = await startSoakCluster(names, {
      dir,
      env,
      ...(options.logDir === undefined ? {} : { logDir: options.logDir }),
    });
    cleanups.push(() => cluster.stopAll());
    const setup = await prepare(cluster, sandbox.allLeads().length);
    log(`soak ${options.store} seed ${options.seed}: ${names.length} node(s) up, setup done`);

    // Chaos: faults on, traffic, an outage and the kills at seeded numbers of acknowledgements.
    sandbox.setFaultProfile({ seed: options.seed, ...(options.profile ?? DEFAULT_PROFILE) });
    const byTime = !Number.isFinite(options.acks);
    const span = byTime ? options.maxChaosMs : options.acks;
    const killAt = Array.from({ length: options.kills }, (_, i) =>
      Math.floor(Math.min(0.95, ((i + 1) / (options.kills + 1)) * (0.75 + 0.5 * random())) * span),
    ).sort((a, b) => a - b);
    const outageAt = Math.floor(span * (0.3 + 0.4 * random()));
    const killTimes: number[] = [];
    const stopTimes: number[] = [];
    let killedLeader = false;
    let outageDone = false;
    let killing = Promise.resolve();
    let outage = Promise.resolve();
    const chaosStarted = Date.now();
    const traffic = startSoakTraffic({
      seed: options.seed,
      workers: options.workers ?? 4,
      targets: cluster,
      sandbox,
      receiver,
      slots: setup.slots,
      dialogueId: setup.dialogueId,
      leadIds: sandbox
        .allLeads()
        .slice(0, 100)
        .map((lead) => lead.id),
      onAck: (acked) => {
        if (!byTime) progress(acked);
      },
    });
    function progress(at: number) {
      if (!outageDone && at >= outageAt) {
        outageDone = true;
        outage = runOutage(sandbox, options.outageMs ?? 10_000, log);
      }
      while (killAt.length > 0 && at >= killAt[0]!) {
        killAt.shift();
        killing = killing.then(async () => {
          // The first kill takes the leader (the node running the outbox and the sync).
          const leader = await cluster.leader();
          const victim =
            killTimes.length === 0 && leader !== undefined
              ? leader.name
              : names[Math.floor(random() * names.length)]!;
          if (leader?.name === victim && names.length > 1) killedLeader = true;
          killTimes.push(await cluster.crash(victim));
          log(`SIGKILL ${victim} at ${at} ${byTime ? 'ms' : 'acknowledged writes'}; restarted`);
        });
      }
    }
    // Ends once the writes are in, the kills done and every kind of fault given (so each is
    // really met, however the calls fell). Run by time (the benchmark): at maxChaosMs. Run by
    // acknowledgements (the CI soaks): never cut short by a slow machine, only bounded.
    const everyFault = () => Object.values(sandbox.faultCounts()).every((count) => count > 0);
    await pollFor(
      'the chaos phase to end',
      () => {
        if (byTime) progress(Date.now() - chaosStarted);
        const done =
          killTimes.length >= options.kills &&
          acksOf(traffic.ledger) >= options.acks &&
          everyFault();
        const late = byTime && Date.now() - chaosStarted > options.maxChaosMs;
        return done || late ? true : undefined;
      },
      options.maxChaosMs + 60_000,
      50,
    );
    await traffic.stop();
    await killing;
    await outage;
    sandbox.setFaultProfile(undefined);
    sandbox.endOutage();
    const faults = sandbox.faultCounts();
    log(`chaos over: ${acksOf(traffic.ledger)} acknowledged, faults ${JSON.stringify(faults)}`);

    log(`sync status after chaos: ${await (await cluster.call('/api/sync/status')).text()}`);
    const maxDrainRounds = options.maxDrainRounds ?? DEFAULT_DRAIN_ROUNDS;
    const { outbox, rounds: drainRounds } = await drainOutbox(
      cluster,
      stopTimes,
      log,
      maxDrainRounds,
    );
    // The last sync, then the copy is compared with Marketo.
    log(
      `sync status before the last sync: ${await (await cluster.call('/api/sync/status')).text()}`,
    );
    await syncOnce(cluster);
    log(`sync status at the end: ${await (await cluster.call('/api/sync/status')).text()}`);
    const peakRssBytes = await cluster.peakRss();
    await cluster.stopAll();

    const store =
      database === undefined
        ? await createJsonFileStore({ file: join(dir, `${names[0]!}.json`) })
        : await createPostgresStore({ connectionString: database.url, migrate: false });
    const leadCopy = await checkLeadCopy(sandbox, store).finally(() => store.close());

    const { invocations, activities, emails, ...counts } = traffic.ledger;
    return {
      seed: options.seed,
      store: options.store,
      wallMs: Date.now() - started,
      ledger: {
        ...counts,
        invocations: invocations.size,
        activities: activities.size,
        emails: emails.size,
      },
      faults,
      kills: cluster.kills,
      killedLeader,
      drainRounds,
      maxDrainRounds,
      deliveries: checkDeliveries(sandbox, traffic.ledger),
      callbacks: checkCallbacks(receiver.arrivals(), invocations, [...killTimes, ...stopTimes]),
      deadLetters: outbox.dead,
      outboxPending: outbox.pending,
      leadCopy,
      limits: checkLimits(sandbox, { rateLimit, windowMs, concurrency }),
      activityCalls: activityCallsOf(sandbox.stats().callsByPath),
      peakRssBytes,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

const acksOf = (ledger: SoakLedger) =>
  ledger.webhooks + ledger.invocations.size + ledger.activities.size;

/** Get Paging Token also serves the sync's Get Lead Changes: an upper bound for the look-ups. */
function activityCallsOf(byPath: Record<string, number>) {
  return {
    writes: byPath['/rest/v1/activities/external.json'] ?? 0,
    pagingTokens: byPath['/rest/v1/activities/pagingtoken.json'] ?? 0,
    lookupPages: byPath['/rest/v1/activities.json'] ?? 0,
  };
}
