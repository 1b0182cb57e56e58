import request from 'supertest';
import { describe, expect, it } from 'vitest';
import {
  addAgent,
  book,
  createMeetingsTestApp,
  T0,
  type TestApp,
} from '../helpers/meetings-app.js';

/**
 * Account routing over HTTP (issue 11 item 8): the list uploaded as CSV (any bad row imports
 * nothing and is named), read back as JSON or CSV, tried before the owner, rules and rotation
 * when a visitor books (by the email's domain, else the proven lead's company), falling back to
 * the rotation when the account's agent is not free, and named in the decision either way.
 */

const putCsv = (t: TestApp, csv: string) =>
  request(t.app).put('/api/routing/accounts').set('Content-Type', 'text/csv').send(csv);

async function threeAgents(t: TestApp) {
  const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
  const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com' });
  const cy = await addAgent(t, { name: 'Cy', email: 'cy@example.com' });
  return { ana, ben, cy };
}

const COOKIE = 'id:123-ABC-456&token:_mch-example.com-1700000000000-33333';

describe('account routing: the list', () => {
  it('when a CSV has bad rows, then 400 names every bad row and field, and nothing is imported', async () => {
    const t = createMeetingsTestApp();
    const { ana, ben } = await threeAgents(t);
    await putCsv(t, `match,agentId\nkept.com,${ana.id}\n`).expect(200);
    const res = await putCsv(
      t,
      [
        'match,agentId',
        `acme.com,${ana.id}`,
        `,${ben.id}`,
        'globex.com,agt_nobody',
        `ACME.COM,${ben.id}`,
        `acme..org,${ben.id}`,
      ].join('\n'),
    ).expect(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'rows.2.match' });
    expect(res.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual([
      'rows.2.match',
      'rows.3.agentId',
      'rows.4.match',
      'rows.5.match',
    ]);
    expect(res.body.error.message).toContain('row 3 (line 4): agentId names no agent (agt_nobody)');
    const list = await request(t.app).get('/api/routing/accounts').expect(200);
    expect(list.body.accounts).toEqual([
      { match: 'kept.com', agentId: ana.id, kind: 'domain', agentName: 'Ana' },
    ]);
  });

  it('when a good CSV is uploaded, then it replaces the list, and GET answers it as JSON, and as CSV that uploads back the same', async () => {
    const t = createMeetingsTestApp();
    const { ana, ben } = await threeAgents(t);
    const put = await putCsv(
      t,
      `match,agentId\r\nAcme.com,${ana.id}\r\n"Globex, Inc.",ben@example.com\r\n`,
    ).expect(200);
    expect(put.body).toEqual({
      imported: 2,
      accounts: [
        { match: 'acme.com', agentId: ana.id },
        { match: 'globex, inc.', agentId: ben.id },
      ],
    });
    const json = await request(t.app).get('/api/routing/accounts').expect(200);
    expect(json.body.accounts).toEqual([
      { match: 'acme.com', agentId: ana.id, kind: 'domain', agentName: 'Ana' },
      { match: 'globex, inc.', agentId: ben.id, kind: 'company', agentName: 'Ben' },
    ]);
    const csv = await request(t.app).get('/api/routing/accounts?format=csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text).toBe(`match,agentId\r\nacme.com,${ana.id}\r\n"globex, inc.",${ben.id}\r\n`);
    const viaAccept = await request(t.app)
      .get('/api/routing/accounts')
      .set('Accept', 'text/csv')
      .expect(200);
    expect(viaAccept.text).toBe(csv.text);
    await putCsv(t, csv.text).expect(200);
    expect((await request(t.app).get('/api/routing/accounts')).body).toEqual(json.body);
  });

  it('when the body is not text/csv, then 415 naming the body; a bad format is 400 naming it', async () => {
    const t = createMeetingsTestApp();
    const res = await request(t.app)
      .put('/api/routing/accounts')
      .send({ accounts: [] })
      .expect(415);
    expect(res.body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', field: 'body' });
    const bad = await request(t.app).get('/api/routing/accounts?format=xml').expect(400);
    expect(bad.body.error.field).toBe('format');
  });

  it('when an agent owns accounts, then deleting them is refused (409) until the list leaves them out', async () => {
    const t = createMeetingsTestApp();
    const { ana } = await threeAgents(t);
    await putCsv(t, `match,agentId\nacme.com,${ana.id}\n`).expect(200);
    const res = await request(t.app).delete(`/api/agents/${ana.id}`).expect(409);
    expect(res.body.error).toMatchObject({ code: 'AGENT_IN_ACCOUNTS' });
    await putCsv(t, 'match,agentId\n').expect(200);
    await request(t.app).delete(`/api/agents/${ana.id}`).expect(204);
  });
});

describe('account routing: bookings', () => {
  it('when a visitor’s email domain is on the list, then its agent gets the meeting before the rotation, and the decision names the account', async () => {
    const t = createMeetingsTestApp();
    const { cy } = await threeAgents(t);
    await putCsv(t, `match,agentId\nacme.com,${cy.id}\n`).expect(200);
    const res = await book(t, { email: 'jo@eu.acme.com' });
    expect(res.body.meeting.agent).toEqual({ id: cy.id, name: 'Cy' });
    const [meeting] = await t.store.listMeetings();
    expect(meeting!.routing).toMatchObject({
      rule: 'account',
      pool: 'none',
      account: { match: 'acme.com', by: 'domain' },
      skipped: [],
    });
    // The rotation did not move: the next visitor starts it with the first agent.
    const next = await book(t, { start: '2026-11-25T10:00:00+01:00', email: 'x@example.org' });
    expect(next.body.meeting.agent.name).toBe('Ana');
  });

  it('when the visitor’s lead is proven by cookie, then the lead’s company matches a company entry; a typed address alone does not use stored fields', async () => {
    const t = createMeetingsTestApp();
    const { ben } = await threeAgents(t);
    await putCsv(t, `match,agentId\nGlobex Corporation,${ben.id}\n`).expect(200);
    await t.store.applyLeadChanges({
      upserts: [
        {
          id: 7,
          fields: { email: 'hank@gmail.com', company: 'GLOBEX  corporation' },
          observedAt: T0,
          source: 'sync',
        },
      ],
    });
    const typed = await book(t, { email: 'hank@gmail.com' });
    expect(typed.body.meeting.agent.name).toBe('Ana');
    t.associateCookie(COOKIE, { id: 7, email: 'hank@gmail.com' });
    const proven = await book(t, {
      start: '2026-11-25T10:00:00+01:00',
      email: 'hank@gmail.com',
      mktoTrk: COOKIE,
    });
    expect(proven.body.meeting.agent.id).toBe(ben.id);
    const meeting = (await t.store.listMeetings()).find((m) => m.agentId === ben.id)!;
    expect(meeting.routing).toMatchObject({
      rule: 'account',
      account: { match: 'globex corporation', by: 'company' },
      identity: 'cookie',
    });
  });

  it('when the account’s agent is out of office at the slot, then the rotation takes the meeting and the decision records the account and why its agent was passed', async () => {
    const t = createMeetingsTestApp();
    const { ana, ben } = await threeAgents(t);
    await putCsv(t, `match,agentId\nacme.com,${ana.id}\n`).expect(200);
    await request(t.app)
      .patch(`/api/agents/${ana.id}`)
      .send({
        outOfOffice: [
          { start: '2026-11-25T00:00:00+01:00', end: '2026-11-26T00:00:00+01:00', note: 'Offsite' },
        ],
      })
      .expect(200);
    const res = await book(t, { email: 'jo@acme.com' });
    expect(res.body.meeting.agent.id).toBe(ben.id);
    const [meeting] = await t.store.listMeetings();
    expect(meeting!.routing).toMatchObject({
      rule: 'fallback-round-robin',
      pool: 'default',
      account: { match: 'acme.com', by: 'domain' },
      skipped: [{ agentId: ana.id, reason: 'out-of-office' }],
    });
  });

  it('when the account’s agent is at their daily cap, then the rotation takes the meeting and the cap is named', async () => {
    const t = createMeetingsTestApp();
    const { ana, ben } = await threeAgents(t);
    await putCsv(t, `match,agentId\nacme.com,${ana.id}\n`).expect(200);
    await request(t.app).patch(`/api/agents/${ana.id}`).send({ maxMeetingsPerDay: 1 }).expect(200);
    expect((await book(t, { email: 'first@acme.com' })).body.meeting.agent.id).toBe(ana.id);
    const second = await book(t, { start: '2026-11-25T11:00:00+01:00', email: 'second@acme.com' });
    expect(second.body.meeting.agent.id).toBe(ben.id);
    const meeting = (await t.store.listMeetings()).find((m) => m.agentId === ben.id)!;
    expect(meeting.routing.account).toEqual({ match: 'acme.com', by: 'domain' });
    expect(meeting.routing.skipped).toContainEqual({ agentId: ana.id, reason: 'daily-cap' });
  });

  it('when slots are asked with a domain on the list, then they are the account agent’s free times', async () => {
    const t = createMeetingsTestApp();
    const { ben } = await threeAgents(t);
    await putCsv(t, `match,agentId\nacme.com,${ben.id}\n`).expect(200);
    // Ben is away on Wednesday morning: the account's slots have no Wednesday morning.
    await request(t.app)
      .patch(`/api/agents/${ben.id}`)
      .send({
        outOfOffice: [{ start: '2026-11-25T00:00:00+01:00', end: '2026-11-25T12:00:00+01:00' }],
      })
      .expect(200);
    const query = { from: '2026-11-25', days: 1, timeZone: 'Europe/Berlin' };
    const all = await request(t.app).get('/chat/slots').query(query).expect(200);
    const account = await request(t.app)
      .get('/chat/slots')
      .query({ ...query, domain: 'acme.com' })
      .expect(200);
    const starts = (body: { days: Array<{ slots: Array<{ start: string }> }> }) =>
      body.days.flatMap((d) => d.slots.map((s) => s.start));
    expect(starts(all.body)).toContain('2026-11-25T09:00:00.000+01:00');
    expect(starts(account.body)[0]).toBe('2026-11-25T12:00:00.000+01:00');
    const other = await request(t.app)
      .get('/chat/slots')
      .query({ ...query, domain: 'example.org' })
      .expect(200);
    expect(other.body).toEqual(all.body);
  });
});
