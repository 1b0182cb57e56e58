import { expect } from 'vitest';
import type { SoakReport } from './soak-run.js';

/**
 * Prints a CI soak's report, then asserts what every soak promises, whatever the store: promise
 * 1 (nothing acknowledged lost, no activity or lead doubled, every invocation called back, a
 * second callback only where a kill fell inside the send, no dead letters, the lead copy equal
 * to Marketo's on what the copy is held to), promise 2 (no window over the rate, never more in
 * flight than allowed) and that the soak did what it says (writes of every kind, every fault).
 */
export function expectSoakPromisesKept(report: SoakReport, seed: number): void {
  console.log(`soak report (seed ${seed}):\n${JSON.stringify(report, null, 2)}`);
  expect(
    {
      seed,
      lostActivities: report.deliveries.lostActivities,
      duplicateActivities: report.deliveries.duplicateActivities,
      duplicateChatActivities: report.deliveries.duplicateChatActivities,
      lostLeads: report.deliveries.lostLeads,
      duplicateLeads: report.deliveries.duplicateLeads,
      missingCallbacks: report.callbacks.missing,
      callbacksDoubledWithoutKill: report.callbacks.duplicatedWithoutKill,
      deadLetters: report.deadLetters,
      outboxPending: report.outboxPending,
      leadCopyMismatches: report.leadCopy.mismatched.slice(0, 5),
      staleFields: report.leadCopy.staleFields.slice(0, 5),
      missingFromCopy: report.leadCopy.missing.slice(0, 5),
      leadCount: report.leadCopy.storedLeads,
    },
    `seed ${seed}`,
  ).toEqual({
    seed,
    lostActivities: [],
    duplicateActivities: [],
    duplicateChatActivities: [],
    lostLeads: [],
    duplicateLeads: [],
    missingCallbacks: [],
    callbacksDoubledWithoutKill: [],
    deadLetters: 0,
    outboxPending: 0,
    leadCopyMismatches: [],
    missingFromCopy: [],
    staleFields: [],
    leadCount: report.leadCopy.sandboxLeads,
  });
  // Promise 2, from the sandbox's call log (its own limits ten times the service's).
  expect(report.limits.maxInWindow).toBeLessThanOrEqual(report.limits.rateLimit);
  expect(report.limits.maxConcurrent).toBeLessThanOrEqual(report.limits.concurrencyLimit);
  expect(report.ledger.webhooks).toBeGreaterThan(0);
  expect(report.ledger.invocations).toBeGreaterThan(0);
  expect(report.ledger.activities).toBeGreaterThan(0);
  for (const count of Object.values(report.faults)) expect(count).toBeGreaterThan(0);
}
