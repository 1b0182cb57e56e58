import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { Service } from '../../src/service.js';
import {
  ADMIN_AUTH,
  TEST_SECRETS,
  createHarnessService,
  useHarnessService,
} from '../helpers/test-service.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

const services = useHarnessService();

async function setUp() {
  const { harness, service } = await services.open(
    { sandbox: { seedLeads: 20 } },
    { METRICS_TOKEN },
  );
  return { harness, service, app: service.app };
}

/** `name{labels} value` lines of a scrape, as a map. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function bookOneMeeting(app: Service['app']) {
  await request(app)
    .post('/api/agents')
    .set(ADMIN_AUTH)
    .send({ name: 'Ana', email: 'ana@example.com', timeZone: 'Europe/Berlin' })
    .expect(201);
  const slots = await request(app)
    .get('/chat/slots')
    .query({ timeZone: 'Europe/Berlin', days: 14 })
    .expect(200);
  const start = (slots.body as { days: Array<{ slots: Array<{ start: string }> }> }).days[0]!
    .slots[0]!.start;
  await request(app)
    .post('/chat/meetings')
    .send({ start, email: 'visitor@example.org', timeZone: 'Europe/Berlin' })
    .expect(201);
}

describe('GET /metrics: Prometheus text on a registry of the service', () => {
  it('when a sync (with one 606), a webhook and a booking have run, then every named metric is there, routes are patterns, and Marketo results are counted by code', async () => {
    const { harness, service, app } = await setUp();
    // The first lead read fails with 606 (rate limit) and is retried: one failed call, then ok.
    harness.sandbox.injectFault({ path: '/rest/v1/leads', code: '606', times: 1 });
    await service.runner.start('api').done;
    await request(app)
      .post('/webhooks/marketo/lead')
      .set('x-webhook-secret', TEST_SECRETS.WEBHOOK_SECRET)
      .send({ id: 4242, email: 'ada@example.org' })
      .expect(200);
    await request(app).get('/api/leads/4242').set(ADMIN_AUTH).expect(200);
    await request(app).get('/no-such-route').expect(404);
    await bookOneMeeting(app);

    const res = await request(app)
      .get('/metrics')
      .set('Authorization', `Bearer ${METRICS_TOKEN}`)
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds',
      'marketo_calls_total',
      'marketo_calls_today',
      'marketo_daily_quota',
      'sync_lag_seconds',
      'sync_last_run_ok',
      'sync_last_run_timestamp_seconds',
      'sync_last_success_timestamp_seconds',
      'sync_running',
      'sync_stuck',
      'outbox_pending',
      'outbox_oldest_pending_age_seconds',
      'outbox_dead_letters',
      'meetings_booked_total',
      'calendar_errors_total',
      'leader',
    ]) {
      expect(text, name).toContain(`# TYPE marketo_chat_${name} `);
    }
    const s = samples(text);
    expect(
      s.get(
        'marketo_chat_http_requests_total{method="POST",route="/webhooks/marketo/lead",status="200"}',
      ),
    ).toBe(1);
    expect(
      s.get('marketo_chat_http_requests_total{method="GET",route="/api/leads/:id",status="200"}'),
    ).toBe(1);
    expect(
      s.get('marketo_chat_http_requests_total{method="GET",route="unmatched",status="404"}'),
    ).toBe(1);
    // Bounded cardinality: no raw id or path of a request ever becomes a label.
    expect(text).not.toContain('4242');
    expect(text).not.toContain('no-such-route');

    const marketo = [...s].filter(([k]) => k.startsWith('marketo_chat_marketo_calls_total{'));
    expect(marketo.some(([k]) => k.includes('result="606"'))).toBe(true);
    expect(marketo.some(([k]) => k.includes('endpoint="identity",result="ok"'))).toBe(true);
    expect(s.get('marketo_chat_marketo_calls_today')).toBeGreaterThan(0);
    expect(s.get('marketo_chat_sync_last_run_ok')).toBe(1);
    expect(s.get('marketo_chat_sync_stuck')).toBe(0);
    expect(s.get('marketo_chat_sync_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(s.get('marketo_chat_meetings_booked_total')).toBe(1);
    expect(s.get('marketo_chat_leader')).toBe(1);
    // The webhook and the booking enqueued Marketo writes that no worker has sent (not started).
    expect(s.get('marketo_chat_outbox_pending')).toBeGreaterThan(0);
    expect(s.get('marketo_chat_outbox_dead_letters')).toBe(0);
  });

  it('when /metrics is asked without a credential or with a wrong one, then 401 JSON; the admin token opens it too', async () => {
    const { app } = await setUp();
    const none = await request(app).get('/metrics').expect(401);
    expect(none.body.error.code).toBe('UNAUTHORIZED');
    await request(app)
      .get('/metrics')
      .set('Authorization', 'Bearer wrong-token-0123456789abc')
      .expect(401);
    await request(app).get('/metrics').set(ADMIN_AUTH).expect(200);
  });

  it('when two services run in one process, then each has its own registry and counts', async () => {
    const { harness, app } = await setUp();
    const other = await createHarnessService(harness, { METRICS_TOKEN });
    try {
      await request(app).get('/api/leads/1').set(ADMIN_AUTH);
      const scrape = async (a: Service['app']) =>
        samples((await request(a).get('/metrics').set(ADMIN_AUTH).expect(200)).text);
      const mine = await scrape(app);
      const theirs = await scrape(other.app);
      const key =
        'marketo_chat_http_requests_total{method="GET",route="/api/leads/:id",status="404"}';
      expect(mine.get(key)).toBe(1);
      expect(theirs.get(key)).toBeUndefined();
    } finally {
      await other.stop();
    }
  });
});
