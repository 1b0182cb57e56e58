import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { Dialogue, DialogueContent } from '../../src/records/chat-dialogue.js';
import type { Agent } from '../../src/records/meeting-contract.js';
import { createManualClock } from '../../src/deps.js';
import type { Service } from '../../src/service.js';
import { firstFree } from '../helpers/store-decisions.js';
import { createSyncHarness } from '../helpers/sync-harness.js';
import { ADMIN_AUTH, createHarnessService } from '../helpers/test-service.js';

const SITE = 'https://www.example.com';
const HOUR = 3_600_000;
// 23:30 UTC on 24 November: already 25 November in Berlin.
const T0 = Date.UTC(2026, 10, 24, 23, 30);

const content = (name: string): DialogueContent => ({
  name,
  audience: { visitors: 'all', match: 'all', groups: [] },
  pages: { include: [`${SITE}/*`], exclude: [] },
  priority: 10,
  start: 'hello',
  cards: [{ id: 'hello', type: 'message', text: 'Hi', next: null }],
});

const dialogue = (id: string, name: string): Dialogue => ({
  id,
  enabled: true,
  draft: content(name),
  published: { version: 1, content: content(name), publishedAt: new Date(T0).toISOString() },
  createdAt: new Date(T0).toISOString(),
  updatedAt: new Date(T0).toISOString(),
});

const agent = (n: number, name: string): Agent => ({
  id: `a${n}`,
  name,
  email: `agent${n}@example.com`,
  timeZone: 'UTC',
  availability: [],
  meetingMinutes: 30,
  bufferAfterMinutes: 0,
  minimumNoticeMinutes: 0,
  active: true,
  groups: [],
  conferencing: false,
  calendar: { provider: 'local', status: 'connected' },
  createdAt: T0,
  updatedAt: T0,
});

let harness: Awaited<ReturnType<typeof createSyncHarness>> | undefined;
let service: Service | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
  await harness?.close();
  harness = undefined;
});

async function setup() {
  const clock = createManualClock(T0);
  harness = await createSyncHarness({ sandbox: { seedLeads: 3 } });
  const { store } = harness;
  await store.saveDialogue(dialogue('pricing', 'Pricing, "Q4" =plan'));
  await store.saveDialogue(dialogue('quiet', 'Quiet'));
  await store.saveAgent(agent(1, 'Ann Agent'));
  await store.saveAgent(agent(2, 'Bo, the agent'));
  service = await createHarnessService(
    harness,
    { ROUTING_AGENTS: 'Ann Agent <agent1@example.com>' },
    { clock },
  );
  let n = 0;
  const send = async (type: string, conversation: string, value?: string) => {
    n += 1;
    await request(service!.app)
      .post('/chat/events')
      .send({
        type,
        dialogueId: 'pricing',
        dialogueVersion: 1,
        conversationId: conversation,
        eventId: `event-${String(n).padStart(4, '0')}`,
        pageUrl: `${SITE}/pricing`,
        visitor: { anonymousId: `anon-${conversation}` },
        ...(value === undefined ? {} : { value }),
      })
      .expect(202);
  };
  return { app: service.app, clock, store, send };
}

describe('dialogue report over HTTP', () => {
  it('when events happen on two days, then the report counts each once by the day in the time zone, with rates', async () => {
    const { app, clock, send } = await setup();
    // Ana: triggered, engaged, gave her email, booked, completed (24 Nov UTC, 25 Nov Berlin).
    await send('triggered', 'conv-ana-0001');
    await send('triggered', 'conv-ana-0001'); // another event id: a second trigger
    await send('engaged', 'conv-ana-0001');
    await send('email-given', 'conv-ana-0001', 'ana@example.com');
    await send('meeting-booked', 'conv-ana-0001', 'meeting-1');
    await send('completed', 'conv-ana-0001');
    // Ben, a day later: triggered and engaged only.
    clock.advance(24 * HOUR);
    await send('triggered', 'conv-ben-0001');
    await send('engaged', 'conv-ben-0001');

    const berlin = await request(app)
      .get('/api/reports/dialogues?from=2026-11-25&to=2026-11-26&timeZone=Europe/Berlin')
      .set(ADMIN_AUTH)
      .expect(200);
    expect(berlin.body).toMatchObject({
      from: '2026-11-25',
      to: '2026-11-26',
      timeZone: 'Europe/Berlin',
    });
    const pricing = berlin.body.dialogues.find(
      (d: { dialogueId: string }) => d.dialogueId === 'pricing',
    );
    expect(pricing).toMatchObject({
      dialogueName: 'Pricing, "Q4" =plan',
      triggered: 3,
      engaged: 2,
      completed: 1,
      peopleAcquired: 1,
      meetingsBooked: 1,
      conversions: 1,
      engagementRate: 0.6667,
      completionRate: 0.5,
      conversionRate: 0.5,
    });
    expect(
      pricing.days.map((d: { day: string; triggered: number }) => [d.day, d.triggered]),
    ).toEqual([
      ['2026-11-25', 2],
      ['2026-11-26', 1],
    ]);
    const quiet = berlin.body.dialogues.find(
      (d: { dialogueId: string }) => d.dialogueId === 'quiet',
    );
    expect(quiet).toMatchObject({ triggered: 0, engagementRate: null, conversionRate: null });

    // In UTC, 25 November holds only Ben's conversation.
    const utc = await request(app)
      .get('/api/reports/dialogues?from=2026-11-25&to=2026-11-25')
      .set(ADMIN_AUTH)
      .expect(200);
    expect(
      utc.body.dialogues.find((d: { dialogueId: string }) => d.dialogueId === 'pricing'),
    ).toMatchObject({
      triggered: 1,
      engaged: 1,
      conversions: 0,
    });
  });

  it('when the report is asked as CSV (by Accept or format), then it is RFC 4180 with quoted names', async () => {
    const { app, send } = await setup();
    await send('triggered', 'conv-ana-0001');
    await send('engaged', 'conv-ana-0001');

    const byAccept = await request(app)
      .get('/api/reports/dialogues?from=2026-11-24&to=2026-11-24')
      .set(ADMIN_AUTH)
      .set('Accept', 'text/csv')
      .expect(200);
    expect(byAccept.headers['content-type']).toMatch(/^text\/csv/);
    expect(byAccept.headers['content-disposition']).toContain(
      'dialogues-2026-11-24-2026-11-24.csv',
    );
    expect(byAccept.text).toContain('"Pricing, ""Q4"" =plan"');
    const rows = parse(byAccept.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.find((r) => r['dialogueId'] === 'pricing')).toMatchObject({
      triggered: '1',
      engaged: '1',
      engagementRate: '1',
      completionRate: '0',
      timeZone: 'UTC',
    });
    expect(rows.find((r) => r['dialogueId'] === 'quiet')).toMatchObject({ engagementRate: '' });

    const byDay = await request(app)
      .get('/api/reports/dialogues?from=2026-11-23&to=2026-11-24&format=csv&by=day')
      .set(ADMIN_AUTH)
      .expect(200);
    const days = parse(byDay.text, { columns: true }) as Array<Record<string, string>>;
    expect(
      days.filter((r) => r['dialogueId'] === 'pricing').map((r) => [r['day'], r['triggered']]),
    ).toEqual([
      ['2026-11-23', '0'],
      ['2026-11-24', '1'],
    ]);
  });

  it.each([
    ['to before from', 'from=2026-11-25&to=2026-11-24', ['to']],
    ['more than 366 days', 'from=2025-01-01&to=2026-01-02', ['to']],
    ['a date that does not exist', 'from=2026-02-30&to=2026-03-01', ['from']],
    ['no dates', '', ['from', 'to']],
    ['a datetime', 'from=2026-11-24T00:00:00Z&to=2026-11-25', ['from']],
    ['an unknown time zone', 'from=2026-11-24&to=2026-11-25&timeZone=Mars/Base', ['timeZone']],
    ['an unknown format', 'from=2026-11-24&to=2026-11-25&format=xml', ['format']],
  ])('when the range has %s, then 400 names the field', async (_label, query, fields) => {
    const { app } = await setup();
    for (const path of ['/api/reports/dialogues', '/api/reports/agents']) {
      const res = await request(app).get(`${path}?${query}`).set(ADMIN_AUTH).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.issues.map((i: { field: string }) => i.field).sort()).toEqual(
        fields,
      );
    }
  });

  it('when a full year of 366 days is asked, then it is accepted; without a token 401', async () => {
    const { app } = await setup();
    await request(app)
      .get('/api/reports/dialogues?from=2024-01-01&to=2024-12-31')
      .set(ADMIN_AUTH)
      .expect(200);
    await request(app).get('/api/reports/dialogues?from=2024-01-01&to=2024-12-31').expect(401);
  });
});

describe('agent report over HTTP', () => {
  it('when meetings were booked, held, missed and cancelled, then each agent has their counts, as JSON and CSV', async () => {
    const { app, store } = await setup();
    const start = Date.UTC(2026, 10, 26, 10);
    const hold = (id: string, n: number, offsetHours: number) =>
      store.holdMeeting(
        firstFree(id, { agents: [n], start: start + offsetHours * HOUR, createdAt: T0 }),
      );
    const set = (id: string, status: 'completed' | 'no-show' | 'cancelled' | 'booked') =>
      store.updateMeeting(id, (m) => ({ meeting: { ...m, status } }), T0);
    await hold('m1', 1, 0);
    await set('m1', 'completed');
    await hold('m2', 1, 1);
    await set('m2', 'no-show');
    await hold('m3', 2, 0);
    await set('m3', 'cancelled');
    await hold('m4', 2, 2);
    await set('m4', 'booked');

    const res = await request(app)
      .get('/api/reports/agents?from=2026-11-24&to=2026-11-26')
      .set(ADMIN_AUTH)
      .expect(200);
    expect(res.body.agents).toEqual([
      {
        agentId: 'a1',
        agentName: 'Ann Agent',
        agentEmail: 'agent1@example.com',
        booked: 2,
        held: 1,
        noShows: 1,
        cancelled: 0,
        showRate: 0.5,
      },
      {
        agentId: 'a2',
        agentName: 'Bo, the agent',
        agentEmail: 'agent2@example.com',
        booked: 2,
        held: 0,
        noShows: 0,
        cancelled: 1,
        showRate: null,
      },
    ]);

    const csv = await request(app)
      .get('/api/reports/agents?from=2026-11-24&to=2026-11-26&format=csv')
      .set(ADMIN_AUTH)
      .expect(200);
    expect(csv.text.split('\r\n')[0]).toBe(
      'agentId,agentName,agentEmail,from,to,timeZone,booked,held,noShows,cancelled,showRate',
    );
    expect(csv.text).toContain(
      'a2,"Bo, the agent",agent2@example.com,2026-11-24,2026-11-26,UTC,2,0,0,1,',
    );

    // Meetings created on 24 November, starting on the 26th: a range of the 26th alone.
    const later = await request(app)
      .get('/api/reports/agents?from=2026-11-26&to=2026-11-26')
      .set(ADMIN_AUTH)
      .expect(200);
    expect(
      later.body.agents.map((a: { booked: number; held: number }) => [a.booked, a.held]),
    ).toEqual([
      [0, 1],
      [0, 0],
    ]);
  });
});
