import { systemClock, type Clock } from '../deps.js';
import { silentLogger, type Logger } from '../logger.js';
import { createRequestIds } from './envelope.js';
import { createActivityLog, formatActivity, type ActivityLog } from './sandbox-activity-log.js';
import { createTokenIssuer, type TokenIssuer } from './sandbox-auth.js';
import { createCallLog, type CallLog } from './sandbox-call-log.js';
import { createBulkJobs, type BulkJobs } from './sandbox-bulk-jobs.js';
import {
  createCustomActivityTypes,
  type CustomActivityTypes,
} from './sandbox-custom-activity-types.js';
import { createFaultProfiler, type FaultProfiler } from './sandbox-fault-profile.js';
import { createFaultQueue, type FaultQueue } from './sandbox-faults.js';
import { createLeadStore, type LeadStore } from './sandbox-lead-store.js';
import { DEFAULT_LIMITS, createCallLimiter, type CallLimiter } from './sandbox-limits.js';
import { createMarketing, type Marketing } from './sandbox-marketing.js';
import { seedLeads } from './sandbox-seed.js';
import type {
  LimitRefusal,
  SandboxActivity,
  SandboxLimits,
  SandboxOptions,
  SandboxStats,
} from './sandbox-types.js';

/** Everything the sandbox remembers, built once per sandbox and shared by its routes. */
export interface SandboxState {
  clock: Clock;
  logger: Logger;
  /** Live limits object: setLimits() mutates it and every component sees the change. */
  limits: SandboxLimits;
  requestId: () => string;
  leads: LeadStore;
  log: ActivityLog;
  limiter: CallLimiter;
  tokens: TokenIssuer;
  faults: FaultQueue;
  /** Seeded random faults and outages (sandbox-fault-profile.ts), after the scripted ones. */
  profiler: FaultProfiler;
  bulk: BulkJobs;
  customTypes: CustomActivityTypes;
  /** Static lists and smart campaigns (sandbox-marketing.ts). */
  marketing: Marketing;
  /** Custom activities added through the API, by log id. */
  customActivityIds: number[];
  counters: CallCounters;
  recordError(code: string): void;
  recordCall(path: string, clientId: string): void;
  /** Executed calls by API user and arrival, since the last reset. */
  callLog(): CallLog;
  recordRefusal(refusal: LimitRefusal): void;
  limitRefusals(): LimitRefusal[];
  snapshotStats(): SandboxStats;
  resetStats(): void;
  customActivities(): SandboxActivity[];
}

interface CallCounters {
  calls: number;
  callsByPath: Map<string, number>;
  callsByClient: Map<string, number>;
  callLog: CallLog;
  errorsByCode: Map<string, number>;
  queryTokenUses: number;
  identityCalls: number;
  tokensIssued: number;
  firstCallAt?: number;
  lastCallAt?: number;
}

const freshCounters = (): CallCounters => ({
  calls: 0,
  callsByPath: new Map(),
  callsByClient: new Map(),
  callLog: createCallLog(),
  errorsByCode: new Map(),
  queryTokenUses: 0,
  identityCalls: 0,
  tokensIssued: 0,
});

const MAX_REFUSALS = 20_000;

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

export function createSandboxState(options: SandboxOptions = {}): SandboxState {
  const clock = options.clock ?? systemClock;
  const limits: SandboxLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof SandboxLimits>) {
    const value = options[key];
    if (value !== undefined) Object.assign(limits, { [key]: value });
  }
  const log = createActivityLog(clock);
  const leads = createLeadStore(clock, log);
  for (const lead of seedLeads({
    count: options.seedLeads ?? 2000,
    seed: options.seed ?? 42,
    idGapRate: options.idGapRate ?? 0.05,
    firstLeadId: options.firstLeadId ?? 1,
    now: clock.now(),
  })) {
    leads.insertSeeded(lead);
  }
  const users = [
    {
      clientId: options.clientId ?? 'sandbox-client',
      clientSecret: options.clientSecret ?? 'sandbox-secret',
    },
    ...(options.moreApiUsers ?? []),
  ];
  const limiter = createCallLimiter(limits, clock);
  let counters = freshCounters();
  // Bounded like the call log: a sandbox left running keeps the newest refusals.
  let refusals: LimitRefusal[] = [];
  const customActivityIds: number[] = [];

  return {
    clock,
    logger: options.logger ?? silentLogger,
    limits,
    requestId: createRequestIds(clock),
    leads,
    log,
    limiter,
    tokens: createTokenIssuer(users, limits, clock),
    faults: createFaultQueue(),
    profiler: createFaultProfiler(clock),
    bulk: createBulkJobs(clock, limits, leads),
    customTypes: createCustomActivityTypes(clock),
    marketing: createMarketing(clock, leads),
    customActivityIds,
    get counters() {
      return counters;
    },
    recordError: (code) => bump(counters.errorsByCode, code),
    recordCall(path, clientId) {
      const now = clock.now();
      counters.firstCallAt ??= now;
      counters.lastCallAt = now;
      counters.calls++;
      bump(counters.callsByPath, path);
      bump(counters.callsByClient, clientId);
      counters.callLog.record({ at: now, clientId, path });
    },
    callLog: () => counters.callLog,
    recordRefusal(refusal) {
      refusals.push(refusal);
      if (refusals.length > MAX_REFUSALS) refusals = refusals.slice(-MAX_REFUSALS / 2);
    },
    limitRefusals: () => refusals.slice(),
    snapshotStats: () => ({
      calls: counters.calls,
      callsByPath: Object.fromEntries(counters.callsByPath),
      callsByClient: Object.fromEntries(counters.callsByClient),
      errorsByCode: Object.fromEntries(counters.errorsByCode),
      ...limiter.peaks(),
      queryTokenUses: counters.queryTokenUses,
      identityCalls: counters.identityCalls,
      tokensIssued: counters.tokensIssued,
      callsToday: limiter.callsToday(),
      ...(counters.firstCallAt === undefined ? {} : { firstCallAt: counters.firstCallAt }),
      ...(counters.lastCallAt === undefined ? {} : { lastCallAt: counters.lastCallAt }),
    }),
    resetStats() {
      counters = freshCounters();
      refusals = [];
      limiter.resetPeaks();
    },
    customActivities() {
      // Log ids are dense from 1, so an id is its index plus one.
      const entries = log.entries();
      return customActivityIds.flatMap((id) => {
        const entry = entries[id - 1];
        return entry ? [formatActivity(entry)] : [];
      });
    },
  };
}
