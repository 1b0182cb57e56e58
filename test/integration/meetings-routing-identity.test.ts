import request from 'supertest';
import { describe, expect, it } from 'vitest';
import {
  addAgent,
  book,
  createMeetingsTestApp,
  T0,
  WED_0900_BERLIN,
} from '../helpers/meetings-app.js';

/**
 * Issue 9 item 10 for bookings: a typed email proves nothing, so the lead's stored fields (its
 * owner, rules on its fields) route a widget booking only when Marketo associates the browser's
 * Munchkin cookie with that lead. Otherwise whoever typed a victim's address would learn from
 * the answer's agent who owns the lead and which rule its data match.
 */
const VICTIM = 'victim@example.org';
const VICTIM_COOKIE = 'id:123-ABC-456&token:_mch-example.com-1700000000000-33333';
const ATTACKER_COOKIE = 'id:123-ABC-456&token:_mch-example.com-1700000000000-44444';

async function setUp() {
  const t = createMeetingsTestApp({ ownerField: 'leadOwnerEmailAddress' });
  const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
  const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com' });
  const cy = await addAgent(t, { name: 'Cy', email: 'cy@example.com', groups: ['dach'] });
  await request(t.app)
    .post('/api/routing/rules')
    .send({
      name: 'DACH',
      conditions: [{ field: 'country', operator: 'equals', value: 'DE' }],
      target: { group: 'dach' },
    })
    .expect(201);
  await t.store.applyLeadChanges({
    upserts: [
      {
        id: 8,
        fields: { email: VICTIM, country: 'DE', leadOwnerEmailAddress: 'ben@example.com' },
        observedAt: T0,
        source: 'sync',
      },
      {
        id: 9,
        fields: { email: 'attacker@example.net' },
        observedAt: T0,
        source: 'sync',
      },
    ],
  });
  return { t, ana, ben, cy };
}

describe('routing a widget booking: stored lead fields only for a proven visitor', () => {
  it('when a visitor types a lead’s email with no cookie, then the booking goes round robin, and neither the answer nor the routing record names the owner or the rule', async () => {
    const { t, ana } = await setUp();
    const res = await book(t, { email: VICTIM });
    expect(res.body.meeting.agent).toEqual({ id: ana.id, name: 'Ana' });
    // The links carry a random token, which may hold any two letters ("Cy" once, in CI): they
    // are checked for their shape, and the rest of the answer for the names.
    const { manageUrl, cancelUrl, rescheduleUrl, icsUrl, ...rest } = res.body.meeting as Record<
      string,
      unknown
    >;
    const link = /^https:\/\/chat\.example\.com\/chat\/meetings\/manage\/[\w-]+(\/[a-z.]+)?$/;
    for (const url of [manageUrl, cancelUrl, rescheduleUrl, icsUrl]) expect(url).toMatch(link);
    const text = JSON.stringify({ ...res.body, meeting: rest });
    for (const leaked of ['owner', 'DACH', 'Ben', 'Cy', 'rule']) expect(text).not.toContain(leaked);
    const [meeting] = await t.store.listMeetings();
    expect(meeting).toMatchObject({
      agentId: ana.id,
      leadId: 8,
      routing: { rule: 'round-robin', pool: 'default', identity: 'typed' },
    });
    expect(meeting!.routing.ruleName).toBeUndefined();
  });

  it('when the browser’s cookie is one Marketo associates with that lead, then the owner gets the meeting', async () => {
    const { t, ben } = await setUp();
    // Marketo's email differs in case from the typed one: still the same lead.
    t.associateCookie(VICTIM_COOKIE, { id: 8, email: 'Victim@Example.org' });
    const res = await book(t, { email: VICTIM, mktoTrk: VICTIM_COOKIE });
    expect(res.body.meeting.agent).toEqual({ id: ben.id, name: 'Ben' });
    expect((await t.store.listMeetings())[0]).toMatchObject({
      agentId: ben.id,
      leadId: 8,
      routing: { rule: 'owner', identity: 'cookie' },
    });
  });

  it('when the cookie is another lead’s and the victim’s email is typed, then the booking is unproven and goes round robin', async () => {
    const { t, ana } = await setUp();
    t.associateCookie(ATTACKER_COOKIE, { id: 9, email: 'attacker@example.net' });
    const res = await book(t, { email: VICTIM, mktoTrk: ATTACKER_COOKIE });
    expect(res.body.meeting.agent).toEqual({ id: ana.id, name: 'Ana' });
    expect((await t.store.listMeetings())[0]).toMatchObject({
      agentId: ana.id,
      routing: { rule: 'round-robin', identity: 'typed' },
    });
  });

  it('when the proven lead has no owner field but matches a rule, then the rule’s agent gets it; typed, the rule does not apply', async () => {
    const { t, ana, cy } = await setUp();
    await t.store.applyLeadChanges({
      upserts: [
        {
          id: 8,
          fields: { email: VICTIM, country: 'DE' },
          observedAt: T0 + 1,
          source: 'sync',
        },
      ],
    });
    await book(t, { email: VICTIM });
    t.associateCookie(VICTIM_COOKIE, { id: 8, email: VICTIM });
    await book(t, { start: '2026-11-25T10:00:00+01:00', email: VICTIM, mktoTrk: VICTIM_COOKIE });
    const routed = (await t.store.listMeetings())
      .sort((a, b) => a.start - b.start)
      .map((m) => [m.agentId, m.routing.rule, m.routing.identity]);
    expect(routed).toEqual([
      [ana.id, 'round-robin', 'typed'],
      [cy.id, expect.stringMatching(/^rule:/), 'cookie'],
    ]);
  });

  it('when the booking comes from the /chat/book page (no cookie), then the owner is not used', async () => {
    const { t, ana } = await setUp();
    await request(t.app)
      .post('/chat/book')
      .type('form')
      .send({
        start: WED_0900_BERLIN,
        timeZone: 'Europe/Berlin',
        name: 'Someone',
        email: VICTIM,
        idempotencyKey: 'page-key-0001',
      })
      .expect(303);
    expect((await t.store.listMeetings())[0]).toMatchObject({
      agentId: ana.id,
      routing: { rule: 'round-robin', identity: 'typed' },
    });
  });
});
