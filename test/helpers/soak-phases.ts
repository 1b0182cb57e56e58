import { DEMO_DIALOGUE } from '../../src/chat/demo-content.js';
import type { MarketoSandbox } from '../../src/sandbox/index.js';
import { pollFor } from './replicas-cluster.js';
import type { SoakCluster } from './soak-cluster.js';
import { SOAK_SECRETS } from './soak-service.js';

/** The phases of a soak around its traffic (soak-run.ts): set-up, outage, drain, last sync. */

/** Each drain round starts the service this much later (past leases and settling: 120 s). */
const DRAIN_STEP_MS = 5 * 60_000;
/** Rounds at most unless the caller allows more (a benchmark's backlog may need them). */
export const DEFAULT_DRAIN_ROUNDS = 8;

export interface OutboxView {
  pending: number;
  dead: number;
  oldestPending?: { id: string; nextAttemptAt: string } | null;
}

/**
 * Restarts the service "later" each round until the outbox is empty: the time a real restart
 * after downtime would see passes the leases of killed processes and the settling of
 * activities whose send may have run (soak-service-main.ts). Each restart's time goes to
 * `stopTimes` (a stop aborts a callback in flight as a kill does).
 *
 * Rounds go on while they make progress, up to `maxRounds`: a round that left as many items
 * pending, the same one oldest, though it was due within the round's clock, is stuck, and
 * more rounds would only restart the service for nothing (the soak then reports the pending).
 */
export async function drainOutbox(
  cluster: SoakCluster,
  stopTimes: number[],
  log: (line: string) => void,
  maxRounds = DEFAULT_DRAIN_ROUNDS,
): Promise<{ outbox: OutboxView; rounds: number }> {
  let rounds = 0;
  let outbox = await outboxSummary(cluster);
  for (let round = 1; round <= maxRounds; round += 1) {
    rounds = round;
    const before = outbox;
    // A sync run in hand is stopped by the restart, as a deploy would stop it: the run that
    // resumes its sub-windows must still read on to now (lead-sync-resumed-windows.test.ts).
    const sync = (await (await cluster.call('/api/sync/status')).json()) as { state: string };
    if (sync.state !== 'idle') log('a sync run is stopped by the drain restart');
    // A stop aborts a callback in flight as a kill does: the same excuse for a second one.
    stopTimes.push(Date.now());
    await cluster.restartAll(round * DRAIN_STEP_MS);
    // Up to 10 s at a time, for as long as each 10 s sends something: a long benchmark leaves
    // a backlog that the call budget takes minutes to deliver, and that is not a loss.
    for (let previous = Infinity; ;) {
      outbox = await pollFor(
        `the outbox to drain (round ${round})`,
        async () => {
          const summary = await outboxSummary(cluster);
          if (summary.pending === 0) return summary;
          // The oldest waits past this round's clock (a settling copy due 120 s on): next round.
          return waitsPastRound(summary, round) ? summary : undefined;
        },
        10_000,
        100,
      ).catch(() => outboxSummary(cluster));
      if (outbox.pending === 0 || outbox.pending >= previous) break;
      previous = outbox.pending;
    }
    log(`drain round ${round}: outbox ${JSON.stringify(outbox)}`);
    if (outbox.pending === 0) break;
    const moved =
      outbox.pending < before.pending || outbox.oldestPending?.id !== before.oldestPending?.id;
    if (!moved && !waitsPastRound(outbox, round)) {
      log(`drain round ${round}: no progress, stopping with ${outbox.pending} pending`);
      break;
    }
  }
  return { outbox, rounds };
}

async function outboxSummary(cluster: SoakCluster): Promise<OutboxView> {
  return (await (await cluster.call('/api/outbox')).json()) as OutboxView;
}

/** The oldest pending item is due after round `round`'s clock: only a later round can send it. */
function waitsPastRound(outbox: OutboxView, round: number): boolean {
  const due = Date.parse(outbox.oldestPending?.nextAttemptAt ?? '');
  return due > Date.now() + round * DRAIN_STEP_MS + 5_000;
}

/**
 * Marketo down until it has turned away a few calls (so the outage is really met, however the
 * calls fall), at most `maxMs`.
 */
export async function runOutage(
  sandbox: MarketoSandbox,
  maxMs: number,
  log: (line: string) => void,
): Promise<void> {
  const began = Date.now();
  const before = sandbox.faultCounts().outage;
  sandbox.startOutage({ durationMs: maxMs });
  await pollFor(
    'calls refused by the outage',
    () => (sandbox.faultCounts().outage - before >= 5 ? true : undefined),
    maxMs,
    20,
  ).catch(() => undefined);
  sandbox.endOutage();
  log(`outage: ${sandbox.faultCounts().outage - before} calls refused in ${Date.now() - began} ms`);
}

/** Two agents with free slots, the demo dialogue published, the first sync settled. */
export async function prepare(cluster: SoakCluster, leads: number) {
  const agents: string[] = [];
  for (const i of [1, 2]) {
    const res = await cluster.call('/api/agents', {
      method: 'POST',
      json: { name: `Soak Agent ${i}`, email: `agent${i}@seller.example`, timeZone: 'UTC' },
    });
    if (res.status !== 201) throw new Error(`agent: HTTP ${res.status} ${await res.text()}`);
    agents.push(((await res.json()) as { id: string }).id);
  }
  const slots: Array<{ agentId: string; start: string }> = [];
  for (const agentId of agents) {
    const res = await cluster.call(`/chat/slots?timeZone=UTC&days=14&agentId=${agentId}`);
    const body = (await res.json()) as { days: Array<{ slots: Array<{ start: string }> }> };
    for (const day of body.days)
      for (const slot of day.slots) slots.push({ agentId, start: slot.start });
  }
  const created = await cluster.call('/api/dialogues', { method: 'POST', json: DEMO_DIALOGUE });
  if (created.status !== 201) throw new Error(`dialogue: HTTP ${created.status}`);
  const dialogueId = ((await created.json()) as { id: string }).id;
  const published = await cluster.call(`/api/dialogues/${dialogueId}/publish`, { method: 'POST' });
  if (published.status >= 300) {
    throw new Error(`publish: HTTP ${published.status} ${await published.text()}`);
  }
  await pollFor(
    'the first sync',
    async () => {
      const status = (await (await cluster.call('/api/sync/status')).json()) as {
        leadsStored: number;
      };
      return status.leadsStored >= leads ? true : undefined;
    },
    20_000,
    100,
  );
  return { slots, dialogueId };
}

/** A manual sync run on the leader, waited for until it has succeeded. */
export async function syncOnce(cluster: SoakCluster): Promise<void> {
  type Status = { state: string; lastRun: { runId: string; outcome: string } | null };
  const status = async (): Promise<Status> =>
    (await (await cluster.call('/api/sync/status')).json()) as Status;
  const before = (await status()).lastRun?.runId;
  // Followers answer 409; the leader 202 (or 409 while a run of its own is in hand).
  await pollFor(
    'the leader to accept the last sync run',
    async () => {
      for (const node of cluster.nodes()) {
        const res = await fetch(`${node.url}/api/sync/run`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${SOAK_SECRETS.ADMIN_TOKEN}` },
        });
        if (res.status === 202) return true;
      }
      return undefined;
    },
    20_000,
    200,
  );
  await pollFor(
    'the last sync to succeed',
    async () => {
      const now = await status();
      return now.state === 'idle' &&
        now.lastRun?.outcome === 'succeeded' &&
        now.lastRun.runId !== before
        ? true
        : undefined;
    },
    30_000,
    200,
  );
}
