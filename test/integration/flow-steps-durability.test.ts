import path from 'node:path';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createJsonFileStore } from '../../src/store/index.js';
import {
  captureCallbacks,
  invocationOf,
  invocation,
  setupFlowSteps,
} from '../fixtures/ssfs/flow-steps-harness.js';
import { createTempDir } from '../helpers/store-fixtures.js';

let temp: Awaited<ReturnType<typeof createTempDir>>;
beforeEach(async () => {
  temp = await createTempDir();
});
afterEach(async () => {
  nock.cleanAll();
  await temp.remove();
});

const leadsOf = (body: Record<string, unknown>) =>
  (body.objectData as Array<{ leadData: Record<string, unknown> }>).map((o) => o.leadData);

describe('flow steps across a crash', () => {
  it('when the process dies between the 201 and the callback, then a new instance sends exactly one callback', async () => {
    const file = path.join(temp.dir, 'store.json');
    const before = await createJsonFileStore({ file });
    const body = invocation();
    await setupFlowSteps({ store: before }).submit(body).expect(201);
    await before.close(); // nothing ran after the 201

    const after = await createJsonFileStore({ file });
    try {
      const { calls } = captureCallbacks([200]);
      const restarted = setupFlowSteps({ store: after });
      await restarted.relay();
      await restarted.relay();
      await restarted.relay();

      expect(calls).toHaveLength(1);
      expect(leadsOf(calls[0]!.body).map((l) => l.id)).toEqual([1000001, 1000002, 1000003]);
      expect((await after.findOutboxItem(`ssfs:${String(body.token)}:callback`))!.status).toBe(
        'done',
      );
    } finally {
      await after.close();
    }
  });

  it('when the process dies after routing but before recording it, then the re-run routes every lead to the same agent', async () => {
    const file = path.join(temp.dir, 'store.json');
    const before = await createJsonFileStore({ file });
    const first = setupFlowSteps({ store: before });
    const body = invocationOf(40);
    await first.submit(body).expect(201);
    // Claim and process the invocation, then die before completeOutbox.
    const [claimed] = await before.claimOutbox({
      now: first.clock.now(),
      limit: 1,
      leaseMs: 120_000,
    });
    const ctx = { attempt: 1, now: () => first.clock.now(), logger: silentLogger };
    const firstRun = await first.handlers['ssfs-invocation']!(claimed!, ctx);
    const firstTotals = (await before.routingState()).totals;
    await before.close();

    const after = await createJsonFileStore({ file });
    try {
      const restarted = setupFlowSteps({ store: after });
      restarted.clock.advance(120_001); // the dead worker's lease runs out
      const { calls } = captureCallbacks([200]);
      await restarted.relay();
      await restarted.relay();

      expect(calls).toHaveLength(1);
      const firstLeads = (firstRun?.followUps ?? []).flatMap((f) =>
        leadsOf(f.payload as Record<string, unknown>),
      );
      expect(leadsOf(calls[0]!.body)).toEqual(firstLeads);
      expect((await after.routingState()).totals).toEqual(firstTotals); // the rotation did not move
      expect(Object.values(firstTotals).reduce((a, b) => a + b, 0)).toBe(40);
      expect(await after.findOutboxItem(`ssfs:${String(body.token)}`)).toMatchObject({
        status: 'done',
        attempts: 2,
      });
    } finally {
      await after.close();
    }
  });

  it('when an invocation is processed twice in one process, then the agents are the same', async () => {
    const { submit, store, clock, handlers } = setupFlowSteps();
    const body = invocationOf(10);
    await submit(body).expect(201);
    const item = (await store.findOutboxItem(`ssfs:${String(body.token)}`))!;
    const ctx = { attempt: 1, now: () => clock.now(), logger: silentLogger };

    const once = await handlers['ssfs-invocation']!(item, ctx);
    clock.advance(24 * 3600_000); // far past the repeat window: still the same assignment
    const twice = await handlers['ssfs-invocation']!(item, ctx);

    expect(twice).toEqual(once);
    expect(Object.values((await store.routingState()).totals).reduce((a, b) => a + b, 0)).toBe(10);
  });
});
