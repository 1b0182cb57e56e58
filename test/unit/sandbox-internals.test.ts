import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { toIso } from '../../src/sandbox/envelope.js';
import { decodePosition, encodePosition } from '../../src/sandbox/sandbox-activity-log.js';
import { renderLeadFile } from '../../src/sandbox/sandbox-csv.js';
import {
  DEFAULT_LIMITS,
  createCallLimiter,
  marketoDayOf,
} from '../../src/sandbox/sandbox-limits.js';
import { seedLeads } from '../../src/sandbox/sandbox-seed.js';
import type { SandboxLead } from '../../src/sandbox/sandbox-types.js';

describe('call limiter', () => {
  it('when calls arrive exactly one window apart, then the older one has left the window', () => {
    const clock = createManualClock();
    const limiter = createCallLimiter(
      { ...DEFAULT_LIMITS, rateLimit: 2, rateWindowMs: 1000 },
      clock,
    );
    const admit = () => {
      const error = limiter.admit();
      limiter.release();
      return error?.code ?? 'ok';
    };
    expect([admit(), admit(), admit()]).toEqual(['ok', 'ok', '606']);
    clock.advance(999);
    expect(admit()).toBe('606');
    clock.advance(1);
    expect([admit(), admit(), admit()]).toEqual(['ok', 'ok', '606']);
    expect(limiter.peaks().maxInWindow).toBe(2);
  });

  it('when calls are still in flight, then the next one past the limit gets 615 and is not counted', () => {
    const limiter = createCallLimiter(
      { ...DEFAULT_LIMITS, maxConcurrency: 2 },
      createManualClock(),
    );
    expect([limiter.admit(), limiter.admit()]).toEqual([undefined, undefined]);
    expect(limiter.admit()?.code).toBe('615');
    limiter.release();
    expect(limiter.admit()).toBeUndefined();
    expect(limiter.peaks().maxConcurrent).toBe(2);
    expect(limiter.callsToday()).toBe(3);
  });

  it.each([
    [Date.UTC(2026, 10, 24, 5, 59, 59), '2026-11-23'],
    [Date.UTC(2026, 10, 24, 6, 0, 0), '2026-11-24'],
    [Date.UTC(2026, 6, 1, 4, 59, 59), '2026-06-30'],
    [Date.UTC(2026, 6, 1, 5, 0, 0), '2026-07-01'],
  ])('when it is %s UTC, then the Marketo (US Central) day is %s', (ms, key) => {
    expect(marketoDayOf(ms).key).toBe(key);
  });
});

describe('seed', () => {
  const options = {
    count: 1000,
    seed: 7,
    idGapRate: 0.1,
    firstLeadId: 500,
    now: Date.UTC(2026, 10, 24),
  };

  it('when seeded twice with the same seed, then the leads are identical', () => {
    expect(seedLeads(options)).toEqual(seedLeads(options));
    expect(seedLeads({ ...options, seed: 8 })[0]).not.toEqual(seedLeads(options)[0]);
  });

  it('when seeded, then ids rise with gaps, createdAt rises with id and updatedAt follows it', () => {
    const leads = seedLeads(options);
    expect(leads[0]?.id).toBeGreaterThanOrEqual(500);
    const span = (leads.at(-1)?.id ?? 0) - (leads[0]?.id ?? 0) + 1;
    expect(span / leads.length).toBeGreaterThan(1.05);
    for (let i = 1; i < leads.length; i++) {
      const [a, b] = [leads[i - 1] as SandboxLead, leads[i] as SandboxLead];
      expect(b.id).toBeGreaterThan(a.id);
      expect(b.createdAt >= a.createdAt).toBe(true);
      expect(b.updatedAt >= b.createdAt).toBe(true);
    }
    expect(new Set(leads.map((lead) => lead.email)).size).toBe(leads.length);
  });

  // Seeding speed is measured by npm run bench:sync, not asserted here.
  it('when 100,000 leads are seeded, then every id is unique and increasing', () => {
    const leads = seedLeads({ ...options, count: 100_000 });
    expect(leads).toHaveLength(100_000);
    expect(leads.every((lead, i) => i === 0 || lead.id > leads[i - 1]!.id)).toBe(true);
  });
});

describe('formats', () => {
  it('when values hold delimiters, quotes or are empty, then the CSV quotes them or writes null', () => {
    const lead = { id: 1, createdAt: 'x', updatedAt: 'y', a: 'O"Brien, Ltd', b: null, c: true };
    const file = renderLeadFile([lead], ['id', 'a', 'b', 'c'], ['Id', 'A', 'B', 'C'], 'CSV');
    expect(file).toEqual({ text: 'Id,A,B,C\n1,"O""Brien, Ltd",null,true\n', rows: 1 });
  });

  it.each([0, 1, 299, 123_456_789])(
    'when position %i is encoded, then it decodes back',
    (position) => {
      const token = encodePosition('activities', position);
      expect(token).toMatch(/^[A-Z2-7]+=*$/);
      expect(decodePosition('activities', token)).toBe(position);
      expect(decodePosition('leads', token)).toBeUndefined();
    },
  );

  it('when a time is formatted, then it is ISO 8601 in whole seconds with Z', () => {
    expect(toIso(Date.UTC(2026, 10, 24, 9, 5, 7, 999))).toBe('2026-11-24T09:05:07Z');
  });
});
