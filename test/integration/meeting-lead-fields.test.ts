import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import type { Meeting } from '../../src/meetings/meeting-contract.js';
import {
  createLeadAgentHandler,
  leadAgentItem,
  MEETING_LEAD_AGENT_KIND,
} from '../../src/meetings/meeting-lead-fields.js';
import { runOutboxOnce } from '../../src/outbox/run-outbox-once.js';
import { createSyncHarness } from '../helpers/sync-harness.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const meeting = (id: string, email: string, agent: string) =>
  ({
    id,
    agentEmail: `${agent.toLowerCase()}@example.com`,
    agentName: agent,
    visitor: { email },
  }) as Meeting;

describe('the assigned agent on the lead (MEETING_AGENT_*_FIELD)', () => {
  it('when no field is configured, then nothing is enqueued', () => {
    expect(leadAgentItem(meeting('m1', 'a@example.org', 'Ana'), {})).toBeUndefined();
  });

  it('when bookings are confirmed, then each lead gets its agent’s email and name, in one Sync Leads call', async () => {
    const harness = await createSyncHarness({ sandbox: { seedLeads: 5 } });
    close = () => harness.server.close();
    const { sandbox, store, marketo } = harness;
    const existing = sandbox.allLeads()[0]!;
    const fields = { email: 'salesAgentEmail', name: 'salesAgentName' };
    const items = [
      leadAgentItem(meeting('m1', String(existing.email), 'Ana'), fields)!,
      leadAgentItem(meeting('m2', 'new.visitor@example.org', 'Ben'), fields)!,
    ];
    expect(items[0]).toMatchObject({
      kind: MEETING_LEAD_AGENT_KIND,
      dedupeKey: 'meeting:m1#lead-agent',
    });
    await store.enqueueOutbox(items, systemClock.now());
    const syncCallsBefore = sandbox.stats().callsByPath['/rest/v1/leads.json'] ?? 0;
    const report = await runOutboxOnce(
      { store, clock: systemClock, logger: silentLogger },
      { [MEETING_LEAD_AGENT_KIND]: createLeadAgentHandler(marketo) },
    );
    expect(report).toMatchObject({ claimed: 2, done: 2, dead: 0 });
    const leads = sandbox.allLeads();
    expect(sandbox.getLead(existing.id)).toMatchObject({
      salesAgentEmail: 'ana@example.com',
      salesAgentName: 'Ana',
    });
    expect(leads.find((lead) => lead.email === 'new.visitor@example.org')).toMatchObject({
      salesAgentEmail: 'ben@example.com',
      salesAgentName: 'Ben',
    });
    expect(sandbox.stats().callsByPath['/rest/v1/leads.json']).toBe(syncCallsBefore + 1);
  });
});
