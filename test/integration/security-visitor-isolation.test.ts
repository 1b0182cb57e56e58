import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { listRoutes } from '../../src/http/route-list.js';
import { ADMIN_AUTH, useHarnessService } from '../helpers/test-service.js';

/**
 * Issue 13, promise 4, the visitor's side, through the whole service (createService over the
 * sandbox). What other files already prove is not repeated here (README, "Security promises"):
 * - chat-public.test.ts: CORS of /chat/config, /chat/events, /chat/resolve and preflights for
 *   disallowed, look-alike and `null` origins; a typed email echoes only to its own browser; a
 *   cookie Marketo does not know identifies no one;
 * - meetings-links.test.ts: a wrong manage link is 404 (GET);
 * - transcripts-api.test.ts: tampered, unsigned, expired links and an unknown id are 404;
 * - booking-identity-service.test.ts: a typed victim email does not route by its owner.
 * Added here: CORS over every /chat route the app serves (from listRoutes), every manage route
 * against forged tokens and another visitor's meeting, a transcript signature used for another
 * conversation that exists, and a typed email never personalising with the stored lead.
 */

const SITE_OF_ATTACKER = 'https://evil.example';
const VICTIM = { email: 'victoria@victim.example', firstName: 'Victoria' };
const COOKIE = 'id:123-ABC-456&token:_mch-www.example.com-1764000000000-77777';

const services = useHarnessService();

async function setUp() {
  const { harness, service } = await services.open(
    { sandbox: { seedLeads: 0 } },
    { PUBLIC_BASE_URL: 'https://chat.example.com' },
    // The Munchkin lookup waits for the sandbox's answer, whatever the machine's speed.
    { munchkinWait: () => new Promise<void>(() => undefined) },
  );
  const victim = harness.sandbox.upsertLead(VICTIM);
  await harness.store.applyLeadChanges({
    upserts: [{ id: victim.id, fields: { ...VICTIM }, observedAt: 1, source: 'sync' }],
  });
  return { app: service.app, sandbox: harness.sandbox, store: harness.store, victimId: victim.id };
}

const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, 'x0000001');

describe('security: a visitor reaches only what is theirs', () => {
  it('when another site calls any /chat route, then a change is refused 403 before anything is read and no answer grants it CORS; the service’s own origin is granted', async () => {
    const { app } = await setUp();
    const chatRoutes = listRoutes(app).filter((r) => r.path.startsWith('/chat/'));
    expect(chatRoutes.length).toBeGreaterThan(15);
    for (const route of chatRoutes) {
      const what = `${route.method} ${route.path}`;
      const path = concrete(route.path);
      const call = () => {
        const agent = request(app);
        return route.method === 'GET' ? agent.get(path) : agent.post(path).send({});
      };
      const res = await call().set('Origin', SITE_OF_ATTACKER);
      expect(res.headers['access-control-allow-origin'], what).toBeUndefined();
      expect(res.headers['vary'], what).toMatch(/Origin/);
      if (route.method !== 'GET') {
        expect(res.status, what).toBe(403);
        expect(res.body.error, what).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED' });
        const preflight = await request(app)
          .options(path)
          .set('Origin', SITE_OF_ATTACKER)
          .set('Access-Control-Request-Method', 'POST');
        expect(preflight.status, what).toBe(403);
        expect(preflight.headers['access-control-allow-origin'], what).toBeUndefined();
      }
      // Positive control: the service's own origin (the demo page) is granted.
      const own = await call().set('Origin', 'https://chat.example.com');
      expect(own.headers['access-control-allow-origin'], what).toBe('https://chat.example.com');
    }
  });

  it('when the configuration allows a customer site, then that site is granted and look-alikes of it are refused', async () => {
    const { app } = await setUp();
    const configuration = (await request(app).get('/api/configuration').set(ADMIN_AUTH).expect(200))
      .body as Record<string, unknown>;
    await request(app)
      .put('/api/configuration')
      .set(ADMIN_AUTH)
      .send({ ...configuration, allowedDomains: ['www.customer.example'] })
      .expect(200);
    const post = (origin: string) =>
      request(app)
        .post('/chat/resolve')
        .set('Origin', origin)
        .send({
          pageUrl: 'https://www.customer.example/',
          visitor: { anonymousId: 'visitor-0001' },
        });
    const granted = await post('https://www.customer.example');
    expect(granted.status).toBe(200);
    expect(granted.headers['access-control-allow-origin']).toBe('https://www.customer.example');
    for (const origin of [
      'https://www.customer.example.evil.example',
      'https://evilwww.customer.example',
      'https://customer.example',
      'https://www.customer.example@evil.example',
      'null',
    ]) {
      const res = await post(origin);
      expect(res.status, origin).toBe(403);
      expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
  });

  it('when a visitor holds their own manage link, then forged, altered or other-kind tokens reach no meeting on any manage route, and their link never shows another visitor’s meeting', async () => {
    const { app, store } = await setUp();
    await request(app)
      .post('/api/agents')
      .set(ADMIN_AUTH)
      .send({ name: 'Ana', email: 'ana@example.com', timeZone: 'Europe/Berlin' })
      .expect(201);
    const slots = await request(app)
      .get('/chat/slots')
      .query({ timeZone: 'Europe/Berlin', days: 14 })
      .expect(200);
    const starts = (slots.body as { days: Array<{ slots: Array<{ start: string }> }> }).days
      .flatMap((d) => d.slots)
      .map((s) => s.start);
    const book = async (email: string, start: string) =>
      (
        await request(app)
          .post('/chat/meetings')
          .send({ start, email, timeZone: 'Europe/Berlin' })
          .expect(201)
      ).body as { meeting: { id: string; manageUrl: string } };
    const alice = await book('alice@visitor.example', starts[0]!);
    // Not the next slot: at night only Ana works, and Alice's meeting and its buffer after
    // take the slot right after it (a 409, once in CI).
    const later = starts.find((s) => Date.parse(s) >= Date.parse(starts[0]!) + 60 * 60_000);
    const bob = await book('bob@visitor.example', later!);
    const tokenOf = (m: { meeting: { manageUrl: string } }) =>
      new URL(m.meeting.manageUrl).pathname.split('/').pop()!;
    const aliceToken = tokenOf(alice);
    const flip = (t: string) => `${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`;
    const forged: Array<[string, string]> = [
      ['an altered token', flip(aliceToken)],
      ['the meeting id', alice.meeting.id],
      ['a truncated token', aliceToken.slice(0, 20)],
      ['the token twice', `${aliceToken}${aliceToken}`],
      ['an empty-looking token', '%20'],
    ];
    const manageRoutes = listRoutes(app).filter((r) =>
      r.path.startsWith('/chat/meetings/manage/:token'),
    );
    expect(manageRoutes.length).toBeGreaterThanOrEqual(7);
    for (const route of manageRoutes) {
      for (const [what, token] of forged) {
        const path = route.path.replace(':token', token);
        const res =
          route.method === 'GET'
            ? await request(app).get(path)
            : await request(app).post(path).send({ start: starts[2], timeZone: 'Europe/Berlin' });
        expect(res.status, `${route.method} ${route.path} with ${what}`).toBe(404);
        expect(res.text).not.toContain('alice@visitor.example');
      }
      // Bob's own link shows Bob's meeting only.
      if (route.method === 'GET') {
        const path = route.path.replace(':token', tokenOf(bob));
        const res = await request(app).get(path);
        expect(res.status, `${route.method} ${route.path} with Bob's token`).toBeLessThan(400);
        expect(res.text).not.toContain('alice@visitor.example');
        expect(res.text).not.toContain(alice.meeting.id);
      }
    }
    // Nothing the forgeries posted changed Alice's meeting.
    expect((await store.getMeeting(alice.meeting.id))?.status).toBe('booked');
  });

  it('when a transcript link of one conversation is used for another that exists, or its parts are repeated, then 404 without the other’s content', async () => {
    const { app } = await setUp();
    // The demo dialogue the sandbox publishes.
    const config = await request(app).get('/chat/config').expect(200);
    const demo = (config.body as { dialogues: Array<{ id: string; version: number }> })
      .dialogues[0]!;
    const converse = async (conversationId: string, email: string) => {
      let n = 0;
      for (const [type, extra] of [
        ['triggered', {}],
        ['email-given', { value: email }],
      ] as const) {
        n += 1;
        const res = await request(app)
          .post('/chat/events')
          .send({
            type,
            dialogueId: demo.id,
            dialogueVersion: demo.version,
            conversationId,
            eventId: `${conversationId}-event-${n}`,
            pageUrl: 'https://chat.example.com/demo',
            visitor: { anonymousId: `anon-${conversationId}` },
            ...extra,
          });
        expect(res.status, JSON.stringify(res.body)).toBe(202);
      }
    };
    await converse('conv-alice-0001', 'alice@visitor.example');
    await converse('conv-bob-00001', 'bob@visitor.example');
    const pageOf = async (id: string) =>
      new URL(
        (
          (
            await request(app)
              .get(`/api/conversations/${id}/transcript`)
              .set(ADMIN_AUTH)
              .expect(200)
          ).body as { pageUrl: string }
        ).pageUrl,
      );
    const alice = await pageOf('conv-alice-0001');
    const own = await request(app).get(`${alice.pathname}${alice.search}`).expect(200);
    expect(own.text).toContain('alice@visitor.example');
    expect(own.text).not.toContain('bob@visitor.example');

    const forBob = await request(app).get(`/transcripts/conv-bob-00001${alice.search}`);
    expect(forBob.status).toBe(404);
    expect(forBob.text).not.toContain('bob@visitor.example');
    const expires = alice.searchParams.get('expires')!;
    const signature = alice.searchParams.get('signature')!;
    for (const query of [
      `expires=${expires}&expires=${expires}&signature=${signature}`,
      `expires=${expires}&signature=${signature}&signature=${signature}`,
      `expires=${Number(expires) + 1}&signature=${signature}`,
      `signature=${signature}`,
    ]) {
      const res = await request(app).get(`/transcripts/conv-alice-0001?${query}`);
      expect(res.status, query).toBe(404);
      expect(res.text, query).not.toContain('alice@visitor.example');
    }
  });

  it('when a visitor types a known lead’s email (no cookie), then the chat is not personalised with that lead’s stored fields; the cookie Marketo associates with the lead is', async () => {
    const { app, sandbox, victimId } = await setUp();
    const resolve = (visitor: Record<string, unknown>) =>
      request(app)
        .post('/chat/resolve')
        .send({ pageUrl: 'https://chat.example.com/demo', visitor })
        .expect(200);
    const typed = await resolve({ anonymousId: 'attacker-browser-1', email: VICTIM.email });
    expect((typed.body as { known: boolean }).known).toBe(false);
    expect(typed.text).not.toContain(VICTIM.firstName);
    expect(typed.text).toContain('Hi there!');
    // Positive control: the cookie Marketo associates with the victim does personalise.
    sandbox.associateCookie(victimId, COOKIE);
    const cookie = await resolve({ anonymousId: 'victim-browser-1', mktoTrk: COOKIE });
    expect((cookie.body as { known: boolean }).known).toBe(true);
    expect(cookie.text).toContain(`Hi ${VICTIM.firstName}!`);
    // The attacker's browser gains nothing from the victim's visit.
    const again = await resolve({ anonymousId: 'attacker-browser-1', email: VICTIM.email });
    expect(again.text).not.toContain(VICTIM.firstName);
  });
});
