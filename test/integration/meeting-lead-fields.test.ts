import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import type { Meeting } from '../../src/records/meeting-contract.js';
import {
  createLeadAgentHandler,
  createMeetingLeadHandlers,
  leadAgentItem,
  MEETING_LEAD_AGENT_KIND,
} from '../../src/meetings/meeting-lead-fields.js';
import {
  LEAD_NAME_DELAY_MS,
  MEETING_LEAD_NAME_KIND,
  splitVisitorName,
} from '../../src/meetings/meeting-lead-name.js';
import { runOutboxOnce } from '../../src/outbox/run-outbox-once.js';
import { addAgent, book, createMeetingsTestApp } from '../helpers/meetings-app.js';
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

describe('the visitor’s name on the lead (first and last name, where empty in Marketo)', () => {
  /** The meetings app and a sandbox Marketo on one store; an agent to book with. */
  async function setup() {
    const t = createMeetingsTestApp();
    const harness = await createSyncHarness({ store: t.store, sandbox: { seedLeads: 5 } });
    close = () => harness.server.close();
    await addAgent(t, { name: 'Eli Moreau', email: 'eli@example.com' });
    const handlers = createMeetingLeadHandlers({ marketo: harness.marketo, store: t.store });
    const runOnce = () =>
      runOutboxOnce({ store: t.store, clock: t.clock, logger: silentLogger }, handlers);
    /** The name is due a minute after the booking (after the activity's lead upsert). */
    const deliver = () => {
      t.clock.advance(LEAD_NAME_DELAY_MS);
      return runOnce();
    };
    const leadCalls = () => harness.sandbox.stats().callsByPath['/rest/v1/leads.json'] ?? 0;
    return { t, ...harness, runOnce, deliver, leadCalls };
  }

  it('when "Ada Lovelace" books with an email Marketo does not know, then the new lead has firstName Ada and lastName Lovelace', async () => {
    const { t, sandbox, runOnce, deliver } = await setup();

    await book(t, { name: 'Ada Lovelace', email: 'ada@example.org' });
    expect(await runOnce()).toMatchObject({ claimed: 0 });
    expect(await t.store.listOutbox({ kind: MEETING_LEAD_NAME_KIND })).toMatchObject([
      {
        dedupeKey: expect.stringMatching(/^meeting:m-\d+#lead-name$/),
        payload: { email: 'ada@example.org', name: { firstName: 'Ada', lastName: 'Lovelace' } },
      },
    ]);
    expect(await deliver()).toMatchObject({ claimed: 1, done: 1, dead: 0 });

    const leads = sandbox.allLeads().filter((lead) => lead.email === 'ada@example.org');
    expect(leads).toMatchObject([{ firstName: 'Ada', lastName: 'Lovelace' }]);
  });

  it('when the lead already has a first and a last name in Marketo, then a booking under another name leaves them as they are', async () => {
    const { t, sandbox, deliver } = await setup();
    const existing = sandbox.allLeads()[0]!;
    const before = { firstName: existing.firstName, lastName: existing.lastName };
    expect(before.firstName).toEqual(expect.any(String));

    // Not in the local copy yet: Marketo is asked, not assumed empty.
    await book(t, { name: 'Ada Lovelace', email: String(existing.email) });
    expect(await deliver()).toMatchObject({ claimed: 1, done: 1, dead: 0 });

    expect(sandbox.getLead(existing.id)).toMatchObject(before);
  });

  it('when the lead has a first name but no last name, then only the last name is written', async () => {
    const { t, sandbox, marketo, deliver } = await setup();
    const [made] = await marketo.syncLeads([{ email: 'grace@example.org', firstName: 'Grace' }]);

    await book(t, { name: 'Ada Lovelace', email: 'grace@example.org' });
    expect(await deliver()).toMatchObject({ claimed: 1, done: 1, dead: 0 });

    expect(sandbox.getLead(made!.id!)).toMatchObject({ firstName: 'Grace', lastName: 'Lovelace' });
  });

  it('when the local copy shows both names set, then Marketo is not asked at all', async () => {
    const { t, sandbox, sync, deliver, leadCalls } = await setup();
    await sync();
    const existing = sandbox.allLeads()[0]!;
    await book(t, { name: 'Ada Lovelace', email: String(existing.email) });
    const calls = leadCalls();

    expect(await deliver()).toMatchObject({ claimed: 1, done: 1, dead: 0 });

    expect(leadCalls()).toBe(calls);
    expect(sandbox.getLead(existing.id)).toMatchObject({ firstName: existing.firstName });
  });

  it.each([
    ['Ada Lovelace', { firstName: 'Ada', lastName: 'Lovelace' }],
    ['  Ludwig  van Beethoven ', { firstName: 'Ludwig', lastName: 'van Beethoven' }],
    ['Lovelace, Ada', { firstName: 'Ada', lastName: 'Lovelace' }],
    ['Cher', { firstName: 'Cher' }],
    ['   ', {}],
  ])('when the name typed is %j, then the lead gets %j', (typed, expected) => {
    expect(splitVisitorName(typed)).toEqual(expected);
  });
});
