/**
 * `npm run bench:soak`: the soak of test/integration/soak-*.test.ts, longer, on both stores, with
 * its figures printed. Settings (environment): SOAK_MINUTES of traffic per store (default 2),
 * SOAK_STORES (default `json,postgres`), SOAK_SEED (default 13), SOAK_KILLS per store (default
 * one per 20 s), SOAK_REPLICAS on PostgreSQL (default 2), SOAK_DRAIN_ROUNDS (default 20: the
 * drain restarts the service 5 minutes later each round while the outbox still moves, at most
 * this many times; a high-volume backlog needs more than the CI soaks' few). PostgreSQL and
 * Redis as for the tests (127.0.0.1:5432 database `test`, 127.0.0.1:6379).
 */
import { env } from './bench-kit.js';
import { runSoak, type SoakReport } from '../test/helpers/soak-run.js';

const minutes = env('SOAK_MINUTES', 2);
const seed = env('SOAK_SEED', 13);
const replicas = env('SOAK_REPLICAS', 2);
const kills = env('SOAK_KILLS', Math.max(3, Math.round((minutes * 60) / 20)));
const maxDrainRounds = env('SOAK_DRAIN_ROUNDS', 20);
const stores = (process.env.SOAK_STORES ?? 'json,postgres')
  .split(',')
  .map((store) => store.trim())
  .filter((store): store is 'json' | 'postgres' => store === 'json' || store === 'postgres');

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function print(report: SoakReport): boolean {
  const { ledger, deliveries, callbacks, limits, leadCopy } = report;
  const accepted = ledger.webhooks + ledger.invocations + ledger.activities;
  const losses =
    deliveries.lostActivities.length + deliveries.lostLeads.length + callbacks.missing.length;
  const lines = [
    `soak on ${report.store === 'json' ? 'the JSON-file store (1 process)' : `PostgreSQL + Redis (${replicas} replicas)`}, seed ${report.seed}, ${(report.wallMs / 1000).toFixed(0)} s in all`,
    `  requests handled        ${ledger.answered} (${ledger.unanswered} cut off by a kill or restart, sent again)`,
    `  faults injected         ${Object.entries(report.faults)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ')}`,
    `  kills survived          ${report.kills} SIGKILL${report.killedLeader ? ' (the leader among them)' : ''}`,
    `  drain                   ${report.drainRounds} round(s) of at most ${report.maxDrainRounds}, ${report.outboxPending} still pending after it`,
    `  writes accepted         ${accepted}: lead webhooks ${ledger.webhooks}, flow-step invocations ${ledger.invocations}, activities ${ledger.activities} (chat events and bookings), leads to create ${ledger.emails}`,
    `  writes delivered        activities ${deliveries.activitiesDelivered}/${ledger.activities}, leads ${deliveries.leadsDelivered}/${ledger.emails}, callbacks ${callbacks.delivered}/${ledger.invocations}; lead copy ${leadCopy.storedLeads}/${leadCopy.sandboxLeads} leads, ${leadCopy.mismatched.length} differing, ${leadCopy.missing.length} missing`,
    `  duplicates              meeting activities ${deliveries.duplicateActivities.length}, leads ${deliveries.duplicateLeads.length}; chat activities ${deliveries.duplicateChatActivities.length}`,
    `  losses                  ${losses} (dead letters ${report.deadLetters}, still pending ${report.outboxPending})`,
    `  callbacks doubled       ${callbacks.duplicatedByKill.length} by a kill or stop inside the send, ${callbacks.duplicatedWithoutKill.length} otherwise`,
    `  stale sync-only fields  ${leadCopy.staleFields.length} leads (title/updatedAt)`,
    `  peak RSS                ${mb(report.peakRssBytes)} (largest service process)`,
    `  activity calls          Add Custom Activities ${report.activityCalls.writes}; look-ups: Get Lead Activities ${report.activityCalls.lookupPages} pages, paging tokens ${report.activityCalls.pagingTokens} (the sync's included)`,
    `  calls per window        max ${limits.maxInWindow} vs limit ${limits.rateLimit} (${limits.calls} calls executed)`,
    `  calls in flight         max ${limits.maxConcurrent} vs limit ${limits.concurrencyLimit}`,
  ];
  console.log(lines.join('\n'));
  return (
    losses === 0 &&
    deliveries.duplicateActivities.length === 0 &&
    deliveries.duplicateChatActivities.length === 0 &&
    deliveries.duplicateLeads.length === 0 &&
    callbacks.duplicatedWithoutKill.length === 0 &&
    leadCopy.mismatched.length === 0 &&
    leadCopy.missing.length === 0 &&
    leadCopy.staleFields.length === 0 &&
    limits.maxInWindow <= limits.rateLimit &&
    limits.maxConcurrent <= limits.concurrencyLimit
  );
}

let ok = true;
for (const store of stores) {
  const report = await runSoak({
    store,
    nodes: store === 'json' ? 1 : replicas,
    seed,
    acks: Infinity,
    maxChaosMs: minutes * 60_000,
    kills,
    maxDrainRounds,
    outageMs: 20_000,
    log: (line) => console.log(`  [${store}] ${line.slice(0, 300)}`),
  });
  ok = print(report) && ok;
}
process.exit(ok ? 0 : 1);
