import { Writable } from 'node:stream';
import bcrypt from 'bcryptjs';
import nock from 'nock';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerTimer } from '../../jobs/outbox-worker.js';
import { createGoogleCalendar } from '../../src/clients/google-calendar/index.js';
import { systemClock } from '../../src/deps.js';
import { createLogger, type Logger } from '../../src/logger.js';
import {
  captureCallbacks,
  invocation,
  publicResolver,
} from '../fixtures/ssfs/flow-steps-harness.js';
import { ADMIN_AUTH, TEST_SECRETS, useSandboxServices } from '../helpers/test-service.js';

/**
 * Issue 13, promise 4, last part: secrets and tokens never appear in logs. The service runs with
 * a capturing logger at `trace` (every line any module writes), every secret is used, rightly
 * and wrongly (failing requests log more than passing ones), and every captured line is searched
 * for every secret value: zero hits. The secrets are distinctive strings, so a hit is a leak.
 */

const CONSOLE_PASSWORD = 'console-password-Zq81-secret';
const WRONG = {
  admin: 'wrong-admin-token-Lk29Xc-secret',
  webhook: 'wrong-webhook-secret-Pw7Rt-secret',
  ssfs: 'wrong-ssfs-key-Mn3Vb-secret',
  password: 'wrong-console-password-Yt5-secret',
};
/** What Marketo sends in a flow-step invocation: the callback's credentials. */
const CALLBACK_TOKEN = 'callback-token-Hd83Kq-secret';
const CALLBACK_KEY = 'callback-api-key-Ur40Wn-secret';
/** Google's side of the calendar connection (stand-in hosts, nock). */
const GOOGLE = {
  clientSecret: 'google-client-secret-Fv62-secret',
  code: 'google-auth-code-Bn17Sx-secret',
  refreshToken: '1//google-refresh-Qe94-secret',
  accessToken: 'ya29.google-access-Ko55-secret',
  refreshedAccessToken: 'ya29.google-refreshed-Jm21-secret',
};
const OAUTH = 'https://oauth2.test';
const CALENDAR_API = 'https://calendar.test';

function googleProvider(logger: Logger) {
  const google = createGoogleCalendar({
    clientId: 'client-1.apps.googleusercontent.com',
    clientSecret: GOOGLE.clientSecret,
    urls: {
      authorize: `${OAUTH}/auth`,
      token: `${OAUTH}/token`,
      revoke: `${OAUTH}/revoke`,
      api: CALENDAR_API,
    },
    clock: systemClock,
    logger: logger.child({ provider: 'google' }),
    sleep: () => Promise.resolve(),
    random: () => 0.5,
  });
  return { client: google.client, oauth: google.oauth };
}

/** The outbox workers' timer, driven by hand (as service-jobs.test.ts). */
function createHandTimer() {
  let pending: Array<{ run: () => Promise<void>; ms: number; cancelled: boolean }> = [];
  const timer: WorkerTimer = (run, ms) => {
    const entry = { run, ms, cancelled: false };
    pending.push(entry);
    return () => {
      entry.cancelled = true;
    };
  };
  return {
    timer,
    /** Runs every pass asked for, those with a delay too (retries), `rounds` times. */
    async runAll(rounds = 5): Promise<void> {
      for (let i = 0; i < rounds; i += 1) {
        const now = pending.filter((e) => !e.cancelled);
        pending = [];
        for (const entry of now) await entry.run();
      }
    },
  };
}

function captureLines() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'trace', destination }) };
}

/** Each secret with the lines that hold it (none is the promise). */
function leaks(lines: readonly string[], secrets: Record<string, string>) {
  const found: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(secrets)) {
    // JSON escapes nothing in these values; the URL-encoded form is searched too.
    const forms = new Set([value, encodeURIComponent(value)]);
    const hits = lines.filter((line) => [...forms].some((form) => line.includes(form)));
    if (hits.length > 0) found[name] = hits.map((l) => l.slice(0, 300));
  }
  return found;
}

const services = useSandboxServices();
afterEach(() => {
  nock.cleanAll();
});

describe('security: secrets never reach the logs', () => {
  it('when every credential is used rightly and wrongly (admin, console, webhook header and query, SSFS key, callback token, OAuth codes and tokens, visitor links) and calls fail, then no captured line holds any of them', async () => {
    const { lines, logger } = captureLines();
    const hand = createHandTimer();
    const service = await services.open(
      {
        SANDBOX_LEADS: '5',
        SYNC_ENABLED: 'false',
        LOG_LEVEL: 'trace',
        WEBHOOK_ALLOW_QUERY_SECRET: 'true',
        ADMIN_PASSWORD_HASH: bcrypt.hashSync(CONSOLE_PASSWORD, 4),
      },
      {
        logger,
        outboxTimer: hand.timer,
        resolveCallbackHost: publicResolver,
        // As createCalendarProviders builds it from GOOGLE_* (same logger), with retries that
        // do not wait on the real clock.
        calendarProviders: { google: googleProvider(logger) },
      },
    );
    const app = service.app;
    service.start();
    await hand.runAll(1);

    // Admin API: right, wrong, same-length wrong; a failing call with the right token.
    await request(app).get('/api/agents').set(ADMIN_AUTH).expect(200);
    await request(app).get('/api/agents').set('Authorization', `Bearer ${WRONG.admin}`).expect(401);
    await request(app).post('/api/agents').set(ADMIN_AUTH).send({ name: 5 }).expect(400);
    await request(app).post('/api/agents').set(ADMIN_AUTH).type('json').send('{"x":').expect(400);

    // Console: password and token sign-in, wrong password; the session and CSRF are secrets too.
    await request(app).post('/console/session').send({ password: WRONG.password }).expect(401);
    await request(app).post('/console/session').send({ token: WRONG.admin }).expect(401);
    const signIn = await request(app)
      .post('/console/session')
      .send({ password: CONSOLE_PASSWORD })
      .expect(200);
    const cookies = ([] as string[])
      .concat(signIn.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0]!);
    const csrfToken = (signIn.body as { csrfToken: string }).csrfToken;
    const cookieValues = cookies.map((c) => c.slice(c.indexOf('=') + 1));
    await request(app).get('/api/agents').set('Cookie', cookies.join('; ')).expect(200);
    await request(app)
      .post('/api/agents')
      .set('Cookie', cookies.join('; '))
      .send({ name: 'x' })
      .expect(403);
    await request(app)
      .post('/api/agents')
      .set('Cookie', cookies.join('; '))
      .set('x-csrf-token', csrfToken)
      .send({ name: 5 })
      .expect(400);

    // Webhooks: header and ?secret= forms, right and wrong, and a bad body with the right one.
    const lead = { id: 7, email: 'ada@example.com' };
    await request(app)
      .post('/webhooks/marketo/lead')
      .set('x-webhook-secret', TEST_SECRETS.WEBHOOK_SECRET)
      .send(lead)
      .expect(200);
    await request(app)
      .post('/webhooks/marketo/lead')
      .set('x-webhook-secret', WRONG.webhook)
      .send(lead)
      .expect(401);
    await request(app)
      .post(`/webhooks/marketo/lead?secret=${TEST_SECRETS.WEBHOOK_SECRET}`)
      .send(lead)
      .expect(200);
    await request(app)
      .post(`/webhooks/marketo/lead?secret=${WRONG.webhook}`)
      .send(lead)
      .expect(401);
    await request(app)
      .post(`/webhooks/marketo/lead?secret=${TEST_SECRETS.WEBHOOK_SECRET}`)
      .type('json')
      .send('{"id":')
      .expect(400);

    // Flow steps: wrong key; an invocation whose callback fails once, then one refused for good.
    await request(app).get('/flow-steps/status').set('x-api-key', WRONG.ssfs).expect(401);
    const { calls } = captureCallbacks([500, 401, 200]);
    for (const batch of ['batch-1', 'batch-2']) {
      await request(app)
        .post('/flow-steps/submitAsyncAction')
        .set('x-api-key', TEST_SECRETS.SSFS_API_KEY)
        .send(
          invocation({
            token: `${CALLBACK_TOKEN}-${batch}`,
            apiCallBackKey: CALLBACK_KEY,
            batchid: batch,
          }),
        )
        .expect(201);
    }
    await hand.runAll(6);
    // The callbacks did carry the credentials: the grep below is about the logs alone.
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls[0]!.headers['x-callback-token']).toContain(CALLBACK_TOKEN);

    // Calendar: connect, the provider's redirect with a code, the exchange (tokens), then a
    // refresh and a calendar call that fails, and a revocation that fails.
    const agentId = (
      (await request(app).get('/api/agents').set(ADMIN_AUTH)).body as {
        agents: Array<{ id: string }>;
      }
    ).agents[0]!.id;
    const connect = await request(app)
      .post(`/api/agents/${agentId}/calendar/connect`)
      .set(ADMIN_AUTH)
      .send({ provider: 'google' })
      .expect(200);
    const state = new URL(
      (connect.body as { authorizationUrl: string }).authorizationUrl,
    ).searchParams.get('state')!;
    const idToken = [
      { alg: 'RS256' },
      { email: 'agent@example.com', email_verified: true, sub: '1' },
    ]
      .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
      .concat('sig')
      .join('.');
    nock(OAUTH)
      .post('/token', (body: Record<string, string>) => body['grant_type'] === 'authorization_code')
      .reply(200, {
        access_token: GOOGLE.accessToken,
        refresh_token: GOOGLE.refreshToken,
        expires_in: 3599,
        scope:
          'https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.freebusy openid email',
        token_type: 'Bearer',
        id_token: idToken,
      });
    const callback = await request(app)
      .get('/oauth/calendar/callback')
      .query({ state, code: GOOGLE.code });
    expect(callback.status).toBeLessThan(400);
    // A forged state with a code, too.
    await request(app)
      .get('/oauth/calendar/callback')
      .query({ state: 'forged', code: GOOGLE.code });
    nock(OAUTH).post('/token').times(3).reply(200, {
      access_token: GOOGLE.refreshedAccessToken,
      expires_in: 3599,
      token_type: 'Bearer',
    });
    nock(CALENDAR_API)
      .post(/freeBusy/)
      .times(6)
      .reply(500, { error: { message: 'backend' } });
    await request(app).get(`/api/agents/${agentId}/availability`).set(ADMIN_AUTH);
    nock(OAUTH).post('/revoke').query(true).times(4).reply(500, 'revoke failed');
    await request(app).post(`/api/agents/${agentId}/calendar/disconnect`).set(ADMIN_AUTH).send({});

    // Marketo calls that fail (the client holds a bearer access token): HTTP 500s and a 601
    // (token rejected, so a new token is fetched), through the sandbox's control API. No dropped
    // answer: the client's back-off after one waits on the real clock.
    const sandboxUrl = service.sandbox!.url;
    await request(app).post('/api/marketo/connection-test').set(ADMIN_AUTH).send({}).expect(200);
    for (const fault of [
      { path: '/rest', httpStatus: 500, times: 2 },
      { path: '/rest', code: '601', times: 1 },
      { path: '/identity', httpStatus: 500, times: 1 },
    ]) {
      await request(sandboxUrl).post('/_sandbox/faults').send(fault).expect(201);
    }
    for (let i = 0; i < 2; i += 1)
      await request(app).post('/api/marketo/connection-test').set(ADMIN_AUTH).send({});
    // Lead syncs make REST calls with the bearer token, and meet the faults left.
    for (let i = 0; i < 3; i += 1)
      await service.runner.start('api', { full: true }).done.catch(() => undefined);

    // The visitor's links: a meeting's manage token and a transcript's signature are
    // credentials in a URL; opened rightly and with a wrong value.
    const slots = await request(app)
      .get('/chat/slots')
      .query({ timeZone: 'Europe/Berlin', days: 14 })
      .expect(200);
    const start = (slots.body as { days: Array<{ slots: Array<{ start: string }> }> }).days.flatMap(
      (d) => d.slots,
    )[0]!.start;
    const booked = await request(app)
      .post('/chat/meetings')
      .send({ start, email: 'visitor@example.org', timeZone: 'Europe/Berlin' })
      .expect(201);
    const manage = new URL((booked.body as { meeting: { manageUrl: string } }).meeting.manageUrl);
    const manageToken = manage.pathname.split('/').pop()!;
    await request(app).get(manage.pathname).expect(200);
    await request(app).get(`${manage.pathname}x`).expect(404);
    const chat = await request(app).get('/chat/config').expect(200);
    const demo = (chat.body as { dialogues: Array<{ id: string; version: number }> }).dialogues[0]!;
    await request(app)
      .post('/chat/events')
      .send({
        type: 'triggered',
        dialogueId: demo.id,
        dialogueVersion: demo.version,
        conversationId: 'conv-logs-0001',
        eventId: 'conv-logs-0001-1',
        pageUrl: 'http://localhost:3000/demo',
        visitor: { anonymousId: 'anon-logs-1' },
      })
      .expect(202);
    const transcript = new URL(
      (
        (
          await request(app)
            .get('/api/conversations/conv-logs-0001/transcript')
            .set(ADMIN_AUTH)
            .expect(200)
        ).body as { pageUrl: string }
      ).pageUrl,
    );
    const signature = transcript.searchParams.get('signature')!;
    await request(app).get(`${transcript.pathname}${transcript.search}`).expect(200);
    await request(app)
      .get(`${transcript.pathname}${transcript.search.replace(signature, `${signature}x`)}`)
      .expect(404);

    await service.stop();

    // The logs were written (a silent logger would pass the grep).
    expect(lines.length).toBeGreaterThan(5);
    const secrets: Record<string, string> = {
      adminToken: TEST_SECRETS.ADMIN_TOKEN,
      webhookSecret: TEST_SECRETS.WEBHOOK_SECRET,
      ssfsApiKey: TEST_SECRETS.SSFS_API_KEY,
      tokenEncryptionKey: TEST_SECRETS.TOKEN_ENCRYPTION_KEY,
      consolePassword: CONSOLE_PASSWORD,
      csrfToken,
      ...Object.fromEntries(cookieValues.map((v, i) => [`cookie${i}`, v])),
      ...Object.fromEntries(Object.entries(WRONG).map(([k, v]) => [`wrong.${k}`, v])),
      callbackToken: CALLBACK_TOKEN,
      callbackKey: CALLBACK_KEY,
      ...Object.fromEntries(Object.entries(GOOGLE).map(([k, v]) => [`google.${k}`, v])),
      oauthState: state,
      manageToken,
      transcriptSignature: signature,
      // The built-in sandbox's Marketo API client secret (src/runtime.ts).
      marketoClientSecret: 'sandbox-secret',
    };
    expect(leaks(lines, secrets)).toEqual({});
    // No bearer credential is logged, whatever its value (the Marketo access token included).
    expect(lines.filter((l) => /Bearer\s+(?!\[redacted\])[\w.~+/-]{6,}/i.test(l))).toEqual([]);
    // No logged URL carries a secret parameter, whatever its value.
    expect(lines.filter((l) => /[?&](secret|token|code|access_token|signature)=/.test(l))).toEqual(
      [],
    );
  });
});
