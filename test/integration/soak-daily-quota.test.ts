import { afterEach, describe, expect, it } from 'vitest';
import { nextMarketoReset } from '../../src/clients/marketo/index.js';
import { createShiftedClock } from '../../src/deps.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

/**
 * Issue 13, promise 2, the daily quota: after Marketo answers 607 the service makes no call
 * until the quota resets at midnight US Central, proven from the sandbox's own call log (every
 * executed call and every refusal, with its arrival on the sandbox's clock), with the client
 * and the sandbox on one clock moved forward past the reset.
 */
let harness: SyncHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('daily quota (607) against the sandbox', () => {
  it('when Marketo answers 607, then no call reaches it until the reset, and calls flow again after it', async () => {
    const clock = createShiftedClock();
    harness = await createSyncHarness({
      // The sandbox's quota is spent first: the client's own budget is far above it.
      sandbox: { clock, dailyQuota: 5, seedLeads: 20 },
      client: { clock, dailyQuota: 50_000 },
    });
    const { sandbox, marketo } = harness;
    const call = () =>
      marketo.getLeadsByIds([1, 2], ['email']).then(
        () => 'ok',
        (error: { code?: string }) => error.code ?? 'error',
      );

    const outcomes: string[] = [];
    for (let i = 0; i < 6; i += 1) outcomes.push(await call());
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'MARKETO_DAILY_QUOTA']);
    const refusals = sandbox.limitRefusals();
    expect(refusals.map((refusal) => refusal.code)).toEqual(['607']);
    const at607 = refusals[0]!.at;
    const reset = nextMarketoReset(at607);

    // The rest of the day: every kind of call fails at once, and none reaches Marketo.
    const later: string[] = [];
    for (let i = 0; i < 5; i += 1) later.push(await call());
    await expect(marketo.describeLeadFields()).rejects.toMatchObject({
      code: 'MARKETO_DAILY_QUOTA',
    });
    clock.advance(reset - clock.now() - 60_000);
    later.push(await call());
    expect(later).toEqual(Array.from({ length: 6 }, () => 'MARKETO_DAILY_QUOTA'));
    const between = sandbox.callLog().filter((entry) => entry.at > at607);
    expect({ callsAfter607: between, refusals: sandbox.limitRefusals().length }).toEqual({
      callsAfter607: [],
      refusals: 1,
    });

    // Past midnight US Central: calls flow again, on the new day's quota.
    clock.advance(61_000);
    expect(await call()).toBe('ok');
    const after = sandbox.callLog().filter((entry) => entry.at > at607);
    expect(after).toHaveLength(1);
    expect(after[0]!.at).toBeGreaterThanOrEqual(reset);
  });
});
