import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ADMIN_AUTH, useHarnessService } from '../helpers/test-service.js';

const services = useHarnessService();

/**
 * The whole service (createService) over the sandbox: the booking route gets the chat's own
 * Munchkin lookup, so a cookie the sandbox associates with the lead proves the booking.
 */
async function setUp() {
  // The lookup's wait never ends: the sandbox's answer decides, not the machine's speed.
  const { harness, service } = await services.open(
    { sandbox: { seedLeads: 0 } },
    { ROUTING_OWNER_FIELD: 'leadOwnerEmail' },
    { munchkinWait: () => new Promise<void>(() => undefined) },
  );
  const { app } = service;
  const agent = (name: string, email: string) =>
    request(app)
      .post('/api/agents')
      .set(ADMIN_AUTH)
      .send({ name, email, timeZone: 'Europe/Berlin' })
      .expect(201);
  await agent('Ana', 'ana@example.com');
  const ben = (await agent('Ben', 'ben@example.com')).body as { id: string };
  const victim = harness.sandbox.upsertLead({
    email: 'victim@example.org',
    leadOwnerEmail: 'ben@example.com',
  });
  await harness.store.applyLeadChanges({
    upserts: [
      {
        id: victim.id,
        fields: { email: 'victim@example.org', leadOwnerEmail: 'ben@example.com' },
        observedAt: 1,
        source: 'sync',
      },
    ],
  });
  const slots = await request(app)
    .get('/chat/slots')
    .query({ timeZone: 'Europe/Berlin', days: 14, agentId: ben.id })
    .expect(200);
  const start = (slots.body as { days: Array<{ slots: Array<{ start: string }> }> }).days[0]!
    .slots[0]!.start;
  const book = (body: Record<string, unknown>) =>
    request(app)
      .post('/chat/meetings')
      .send({ start, email: 'victim@example.org', timeZone: 'Europe/Berlin', ...body })
      .expect(201);
  const routing = async () =>
    (await request(app).get('/api/meetings').set(ADMIN_AUTH).expect(200)).body.meetings[0]
      .routing as Record<string, unknown>;
  return { book, routing, ben, victimId: victim.id, sandbox: harness.sandbox };
}

describe('a widget booking through the whole service', () => {
  it('when the victim’s email is typed with no cookie, then the owner rule is skipped and the routing record says typed', async () => {
    const { book, routing } = await setUp();
    await book({});
    expect(await routing()).toMatchObject({ identity: 'typed' });
    expect((await routing())['rule']).not.toBe('owner');
  });

  it('when the sandbox associates the cookie with the lead, then the owner gets the meeting', async () => {
    const { book, routing, ben, victimId, sandbox } = await setUp();
    const cookie = 'id:123-ABC-456&token:_mch-www.example.com-1764000000000-55555';
    sandbox.associateCookie(victimId, cookie);
    const res = await book({ mktoTrk: cookie });
    expect(res.body.meeting.agent.id).toBe(ben.id);
    expect(await routing()).toMatchObject({ rule: 'owner', identity: 'cookie' });
  });
});
