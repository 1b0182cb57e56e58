import bcrypt from 'bcryptjs';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import type { Service } from '../../src/service.js';
import { createSyncHarness } from '../helpers/sync-harness.js';
import { ADMIN_AUTH, TEST_SECRETS, createHarnessService } from '../helpers/test-service.js';

/**
 * The console's sign-in (src/admin/console-routes.ts) and the admin API behind a session cookie
 * (src/admin/console-auth.ts), on the whole service as main.ts builds it.
 */
const PASSWORD = 'correct horse battery staple';
// Cost 4: the lowest bcrypt takes, so the test does not spend a second per hash.
const PASSWORD_HASH = bcrypt.hashSync(PASSWORD, 4);

let harness: Awaited<ReturnType<typeof createSyncHarness>> | undefined;
let service: Service | undefined;

afterEach(async () => {
  await service?.stop();
  service = undefined;
  await harness?.close();
  harness = undefined;
});

async function open(env: Record<string, string> = {}) {
  const clock = createManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  harness = await createSyncHarness({ sandbox: { seedLeads: 10 } });
  service = await createHarnessService(
    harness,
    { ADMIN_PASSWORD_HASH: PASSWORD_HASH, CONSOLE_SESSION_MINUTES: '30', ...env },
    { clock },
  );
  return { app: service.app, clock };
}

/** Signs in with the password; answers the agent that keeps the cookies and the CSRF token. */
async function signIn(app: Service['app']) {
  const agent = request.agent(app);
  const res = await agent.post('/console/session').send({ password: PASSWORD }).expect(200);
  return { agent, csrf: res.body.csrfToken as string, res };
}

function cookiesOf(res: request.Response): string[] {
  const raw = res.headers['set-cookie'] as unknown;
  return Array.isArray(raw) ? (raw as string[]) : [];
}

describe('console sign-in', () => {
  it('when the right password is given, then the session cookie is HttpOnly, SameSite=Strict and not Secure on http', async () => {
    const { app } = await open();
    const { res } = await signIn(app);
    const session = cookiesOf(res).find((c) => c.startsWith('mc-console='));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(session).toMatch(/Path=\//);
    expect(session).not.toMatch(/Secure/);
    expect(res.body).toEqual({
      signedIn: true,
      expiresAt: '2026-01-05T09:30:00.000Z',
      sessionMinutes: 30,
      csrfToken: expect.any(String),
      passwordSignIn: true,
    });
  });

  it('when the service is reached over https, then both cookies are Secure and __Host- prefixed', async () => {
    const { app } = await open({ PUBLIC_BASE_URL: 'https://chat.example.com' });
    const res = await request(app)
      .post('/console/session')
      .send({ token: TEST_SECRETS.ADMIN_TOKEN })
      .expect(200);
    const cookies = cookiesOf(res);
    expect(cookies.find((c) => c.startsWith('__Host-mc-console='))).toMatch(/; Secure/);
    expect(cookies.find((c) => c.startsWith('__Host-mc-csrf='))).toMatch(/; Secure/);
  });

  it.each([
    ['a wrong password', { password: 'not the password' }, 'password'],
    ['a wrong token', { token: 'wrong-token-wrong-token-wrong' }, 'token'],
  ])(
    'when %s is given, then it answers 401 naming the field and sets no cookie',
    async (_l, body, field) => {
      const { app } = await open();
      const res = await request(app).post('/console/session').send(body).expect(401);
      expect(res.body.error).toMatchObject({ code: 'SIGN_IN_FAILED', field });
      expect(cookiesOf(res)).toEqual([]);
    },
  );

  it('when neither token nor password is given, then it answers 400 naming the password field', async () => {
    const { app } = await open();
    const res = await request(app).post('/console/session').send({}).expect(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'password' });
  });

  it('when no password hash is configured, then a password sign-in is refused and the token works', async () => {
    const { app } = await open({ ADMIN_PASSWORD_HASH: '' });
    const refused = await request(app)
      .post('/console/session')
      .send({ password: PASSWORD })
      .expect(401);
    expect(refused.body.error.message).toMatch(/ADMIN_PASSWORD_HASH/);
    await request(app)
      .post('/console/session')
      .send({ token: TEST_SECRETS.ADMIN_TOKEN })
      .expect(200);
  });

  it('when sign-in is tried more than ten times a minute, then it answers 429', async () => {
    const { app } = await open();
    for (let i = 0; i < 10; i += 1) {
      await request(app).post('/console/session').send({ password: 'wrong' }).expect(401);
    }
    const res = await request(app)
      .post('/console/session')
      .send({ password: PASSWORD })
      .expect(429);
    expect(res.headers['retry-after']).toBeDefined();
  });
});

describe('the admin API with a console session', () => {
  it('when a signed-in console reads, then it needs no CSRF token and the session is renewed', async () => {
    const { app, clock } = await open();
    const { agent } = await signIn(app);
    clock.advance(20 * 60_000);
    const res = await agent.get('/api/configuration').expect(200);
    expect(res.headers['x-console-session-expires']).toBe('2026-01-05T09:50:00.000Z');
    // 40 minutes after sign-in, 20 after the last request: still in.
    clock.advance(20 * 60_000);
    await agent.get('/api/dialogues').expect(200);
  });

  it('when a change comes without the CSRF token, then it answers 403 and changes nothing', async () => {
    const { app } = await open();
    const { agent } = await signIn(app);
    const before = (await agent.get('/api/configuration').expect(200)).body;
    const res = await agent
      .put('/api/configuration')
      .send({ ...before, chatEnabled: !before.chatEnabled })
      .expect(403);
    expect(res.body.error).toMatchObject({ code: 'CSRF_INVALID', field: 'x-csrf-token' });
    expect((await agent.get('/api/configuration').expect(200)).body).toEqual(before);
  });

  it('when a change carries a wrong CSRF token, then it answers 403', async () => {
    const { app } = await open();
    const { agent, csrf } = await signIn(app);
    await agent
      .post('/api/sync/run')
      .set('x-csrf-token', `${csrf.slice(0, -2)}00`)
      .expect(403);
  });

  it('when a change carries the CSRF token, then it is made', async () => {
    const { app } = await open();
    const { agent, csrf } = await signIn(app);
    const before = (await agent.get('/api/configuration').expect(200)).body;
    const res = await agent
      .put('/api/configuration')
      .set('x-csrf-token', csrf)
      .send({ ...before, chatEnabled: !before.chatEnabled })
      .expect(200);
    expect(res.body.chatEnabled).toBe(!before.chatEnabled);
  });

  it('when the session has been idle past its length, then the API answers 401 SESSION_EXPIRED', async () => {
    const { app, clock } = await open();
    const { agent } = await signIn(app);
    clock.advance(30 * 60_000 + 1);
    const res = await agent.get('/api/configuration').expect(401);
    expect(res.body.error.code).toBe('SESSION_EXPIRED');
    const state = await agent.get('/console/session').expect(200);
    expect(state.body).toEqual({ signedIn: false, expired: true, passwordSignIn: true });
  });

  it('when a session cookie is tampered with, then it answers 401', async () => {
    const { app } = await open();
    const { res } = await signIn(app);
    const cookie = cookiesOf(res)
      .find((c) => c.startsWith('mc-console='))!
      .split(';')[0]!;
    const [name, value] = cookie.split('=') as [string, string];
    const [payload, mac] = value.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), exp: 9e15 }),
    ).toString('base64url');
    await request(app)
      .get('/api/configuration')
      .set('Cookie', `${name}=${forged}.${mac}`)
      .expect(401);
  });

  it('when a bearer token is sent, then it works as before and needs no CSRF token', async () => {
    const { app } = await open();
    await request(app).post('/api/sync/run').set(ADMIN_AUTH).expect(202);
  });

  it('when a bearer token is wrong, then a valid session cookie beside it does not help', async () => {
    const { app } = await open();
    const { agent } = await signIn(app);
    await agent
      .get('/api/configuration')
      .set('Authorization', 'Bearer wrong-token-wrong-token-wrong')
      .expect(401);
  });

  it('when the console signs out, then the cookies are cleared and the API refuses them', async () => {
    const { app } = await open();
    const { agent, csrf } = await signIn(app);
    await agent.delete('/console/session').expect(403);
    await agent.delete('/console/session').set('x-csrf-token', csrf).expect(204);
    await agent.get('/api/configuration').expect(401);
  });

  it('when the session state is asked for, then it gives the same CSRF token and the expiry', async () => {
    const { app } = await open();
    const { agent, csrf } = await signIn(app);
    const state = await agent.get('/console/session').expect(200);
    expect(state.body.csrfToken).toBe(csrf);
    expect(state.body.expiresAt).toBe('2026-01-05T09:30:00.000Z');
  });
});
