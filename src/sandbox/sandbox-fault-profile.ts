import { z } from 'zod';
import type { Clock } from '../deps.js';
import { createRandom } from './sandbox-seed.js';
import type { FaultSpec } from './sandbox-types.js';

/**
 * Seeded random faults for soaks: a share of calls fails with each of Marketo's transient
 * failures, a share of executed writes loses its answer, and an outage makes every call fail
 * for a stretch. A PRNG (mulberry32, sandbox-seed.ts) draws the decisions in arrival order, so
 * the same seed gives the same sequence of faults.
 *
 * The codes and what the client must do with each (error-codes.md, marketo-facts.md):
 * - HTTP 502 "Bad Gateway, likely a timeout": the call may have run; resend only if idempotent.
 *   Here it is answered before the call runs, which the client cannot tell from a lost answer.
 * - 604 time-out, 606 rate limit, 611 system error, 615 concurrency: "not executed", resend.
 * - lost answer: the call runs (the write applies), then HTTP 502 replaces its answer.
 * 607 is left out on purpose: it pauses a client until midnight US Central (see
 * test/integration/soak-daily-quota.test.ts for that case).
 */

export const FAULT_KINDS = ['502', '604', '606', '611', '615'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const share = z.number().min(0).max(1);

export const faultProfileSchema = z
  .strictObject({
    /** Seed of the PRNG; the same seed and calls give the same faults. */
    seed: z.number().int().min(0).max(0xffffffff),
    /** Share of calls (0..1) answered with each failure before they run. */
    rates: z.partialRecord(z.enum(FAULT_KINDS), share).default({}),
    /** Share of executed calls whose answer is lost (the write applies, the caller gets 502). */
    lostAnswer: share.default(0),
    /** Only paths starting with this fail (default: every Marketo path, identity included). */
    path: z.string().startsWith('/').optional(),
    /** Paths (prefixes) whose answers are never lost, e.g. a write known not to survive it. */
    keepAnswers: z.array(z.string().startsWith('/')).max(20).default([]),
  })
  .refine(
    (profile) => Object.values(profile.rates).reduce((sum, rate) => sum + (rate ?? 0), 0) <= 1,
    { message: 'the rates add up to more than 1', path: ['rates'] },
  );
export type FaultProfileInput = z.input<typeof faultProfileSchema>;
export type FaultProfile = z.output<typeof faultProfileSchema>;

export const outageSchema = z.strictObject({
  /** How long every call fails from now (sandbox clock). */
  durationMs: z
    .number()
    .int()
    .min(1)
    .max(24 * 3600_000),
  /** `502` answers HTTP 502; `drop` closes the connection unanswered (the client sees a reset). */
  mode: z.enum(['502', 'drop']).default('502'),
});
export type OutageInput = z.input<typeof outageSchema>;

/** Faults drawn so far, by kind: the soak prints and checks these. */
export type FaultCounts = Record<FaultKind | 'lostAnswer' | 'outage', number>;

export interface FaultProfiler {
  /** Replaces the profile (undefined: no random faults); the PRNG restarts at its seed. */
  setProfile(profile: FaultProfile | undefined): void;
  profile(): FaultProfile | undefined;
  /** Every call fails for `durationMs` from now. */
  startOutage(outage: z.output<typeof outageSchema>): void;
  endOutage(): void;
  /** The fault for a call arriving now, before it runs; undefined: let it run. */
  before(path: string): FaultSpec | undefined;
  /** The fault replacing an executed call's answer; undefined: answer as usual. */
  after(path: string): FaultSpec | undefined;
  counts(): FaultCounts;
}

const zeroCounts = (): FaultCounts => ({
  '502': 0,
  '604': 0,
  '606': 0,
  '611': 0,
  '615': 0,
  lostAnswer: 0,
  outage: 0,
});

const IDENTITY = '/identity/';

const FAULT_OF: Record<FaultKind, FaultSpec> = {
  '502': { httpStatus: 502, message: 'Bad Gateway' },
  '604': { code: '604', message: 'Request timed out' },
  '606': { code: '606', message: "Max rate limit '100' exceeded with in '20' secs" },
  '611': { code: '611', message: 'System error' },
  '615': { code: '615', message: 'Concurrent access limit reached' },
};

export function createFaultProfiler(clock: Clock): FaultProfiler {
  let current: FaultProfile | undefined;
  // Two streams: the faults before a call never shift with how many calls ran (lost answers
  // are drawn only for executed calls), so a seed gives the same sequence of failures.
  let random = createRandom(0);
  let lostRandom = createRandom(0);
  let outage: { until: number; mode: '502' | 'drop' } | undefined;
  const counts = zeroCounts();
  /** Since the profile was set: kinds given, answers lost, executed calls that could have been. */
  let given = new Set<FaultKind>();
  let lost = 0;
  let executed = 0;
  const applies = (path: string) => current?.path === undefined || path.startsWith(current.path);

  return {
    setProfile(profile) {
      current = profile;
      random = createRandom(profile?.seed ?? 0);
      given = new Set();
      lost = 0;
      executed = 0;
      lostRandom = createRandom((profile?.seed ?? 0) ^ 0x5bd1e995);
    },
    profile: () => current,
    startOutage({ durationMs, mode }) {
      outage = { until: clock.now() + durationMs, mode };
    },
    endOutage() {
      outage = undefined;
    },
    before(path) {
      if (outage !== undefined && clock.now() < outage.until) {
        counts.outage++;
        return outage.mode === 'drop'
          ? { drop: true }
          : { httpStatus: 502, message: 'Bad Gateway (outage)' };
      }
      if (current === undefined || !applies(path)) return undefined;
      // One draw per call, against the rates stacked in a fixed order.
      let draw = random();
      for (const drawn of FAULT_KINDS) {
        const rate = current.rates[drawn] ?? 0;
        if (draw < rate) {
          // The identity endpoint is OAuth, not the REST API: it never answers a 6xx envelope,
          // but its gateway can fail like any other.
          const fits = (kind: FaultKind) => kind === '502' || !path.startsWith(IDENTITY);
          // Every kind with a rate is given once before any is given twice, so a short run
          // (a CI soak) meets each one however few calls the machine's speed allowed.
          const kind =
            FAULT_KINDS.find((k) => (current!.rates[k] ?? 0) > 0 && !given.has(k) && fits(k)) ??
            drawn;
          if (!fits(kind)) return undefined;
          given.add(kind);
          counts[kind]++;
          return FAULT_OF[kind];
        }
        draw -= rate;
      }
      return undefined;
    },
    after(path) {
      if (current === undefined || current.lostAnswer === 0 || !applies(path)) return undefined;
      if (current.keepAnswers.some((prefix) => path.startsWith(prefix))) return undefined;
      executed++;
      // As for the kinds above: at least one lost answer within the first 1/rate executed calls.
      const due = lost === 0 && executed >= Math.ceil(1 / current.lostAnswer);
      if (lostRandom() >= current.lostAnswer && !due) return undefined;
      lost++;
      counts.lostAnswer++;
      return { httpStatus: 502, message: 'Bad Gateway (answer lost after the call ran)' };
    },
    counts: () => ({ ...counts }),
  };
}
