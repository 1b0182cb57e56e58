import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { isMarketoApiError } from '../../src/clients/marketo/index.js';
import { createSyncHarness } from '../helpers/sync-harness.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup() {
  const harness = await createSyncHarness({ sandbox: { seedLeads: 3 } });
  close = harness.close;
  const lead = harness.sandbox.upsertLead({ email: 'ada@acme.example' });
  return { ...harness, lead };
}

describe('static lists and smart campaigns through the client and the sandbox', () => {
  it('when leads are added to a list, then each gets its result and the control API lists the members once', async () => {
    const { marketo, sandbox, lead } = await setup();
    const results = await marketo.addLeadsToList(1001, [lead.id, 999_999, lead.id]);
    expect(results.map((r) => r.status)).toEqual(['added', 'skipped', 'added']);
    expect(results[1]!.errors?.[0]?.code).toBe('1004');
    await marketo.addLeadsToList(1001, [lead.id]);
    const members = await request(sandbox.app).get('/_sandbox/lists/1001/members').expect(200);
    expect(members.body.members).toEqual([{ leadId: lead.id, addedAt: expect.any(String) }]);
    expect(sandbox.stats().callsByPath['/rest/v1/lists/:listId/leads.json']).toBe(2);
  });

  it('when a list does not exist, then the call fails with 1013 and nothing is added', async () => {
    const { marketo, lead } = await setup();
    const error = await marketo.addLeadsToList(4242, [lead.id]).catch((e: unknown) => e);
    expect(isMarketoApiError(error)).toBe(true);
    expect((error as { marketoCode?: string }).marketoCode).toBe('1013');
  });

  it('when a campaign is requested, then the sandbox records the request with the known leads', async () => {
    const { marketo, sandbox, lead } = await setup();
    await marketo.requestCampaign(2001, [lead.id]);
    expect(sandbox.campaignRequests(2001)).toEqual([
      { leadIds: [lead.id], requestedAt: expect.any(String) },
    ]);
    const res = await request(sandbox.app).get('/_sandbox/campaigns/2001/requests').expect(200);
    expect(res.body.requests).toHaveLength(1);
  });

  it('when the campaign is a batch or inactive one, then Marketo refuses it with 1003', async () => {
    const { marketo, sandbox, lead } = await setup();
    for (const id of [2002, 2003]) {
      const error = await marketo.requestCampaign(id, [lead.id]).catch((e: unknown) => e);
      expect((error as { marketoCode?: string }).marketoCode).toBe('1003');
    }
    expect(sandbox.campaignRequests(2003)).toEqual([]);
  });

  it('when more than 100 leads are requested or 300 listed, then the client refuses before calling', async () => {
    const { marketo, sandbox } = await setup();
    const ids = Array.from({ length: 301 }, (_, i) => i + 1);
    await expect(marketo.requestCampaign(2001, ids.slice(0, 101))).rejects.toThrow(/at most 100/);
    await expect(marketo.addLeadsToList(1001, ids)).rejects.toThrow(/at most 300/);
    expect(sandbox.stats().calls).toBe(0);
  });
});
