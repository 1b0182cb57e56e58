import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { createMarketoSandbox, type SandboxOptions } from '../../src/sandbox/index.js';

const CREDENTIALS =
  'grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret';

async function setup(options: SandboxOptions = {}) {
  const clock = createManualClock();
  const sandbox = createMarketoSandbox({ seedLeads: 50, clock, ...options });
  const identity = await request(sandbox.app).get(`/identity/oauth/token?${CREDENTIALS}`);
  const auth = { Authorization: `Bearer ${identity.body.access_token as string}` };
  const get = (path: string) => request(sandbox.app).get(path).set(auth);
  return { clock, sandbox, auth, get };
}

describe('get leads', () => {
  it('when leads are asked by id, then found ones come back with every requested field', async () => {
    const { sandbox, get } = await setup({ idGapRate: 0 });
    sandbox.upsertLead({ id: 2, salutation: null });
    const res = await get(
      '/rest/v1/leads.json?filterType=id&filterValues=1,2,999&fields=email,salutation',
    );
    expect(res.body.success).toBe(true);
    expect(res.body.result).toEqual([
      { id: 1, email: sandbox.getLead(1)?.email, salutation: sandbox.getLead(1)?.salutation },
      { id: 2, email: sandbox.getLead(2)?.email, salutation: null },
    ]);
  });

  it('when fields are not given, then the documented default fields are returned', async () => {
    const { get } = await setup({ idGapRate: 0 });
    const res = await get('/rest/v1/leads.json?filterType=id&filterValues=1');
    expect(Object.keys(res.body.result[0]).sort()).toEqual(
      ['createdAt', 'email', 'firstName', 'id', 'lastName', 'updatedAt'].sort(),
    );
  });

  it('when nothing matches, then success with an empty result', async () => {
    const { get } = await setup();
    const res = await get('/rest/v1/leads.json?filterType=email&filterValues=nobody@example.com');
    expect(res.body).toMatchObject({ success: true, result: [] });
  });

  it('when a field is unknown or there are too many values, then 1006 or 1003', async () => {
    const { get } = await setup();
    const unknown = await get('/rest/v1/leads.json?filterType=id&filterValues=1&fields=shoeSize');
    expect(unknown.body.errors).toEqual([{ code: '1006', message: "Field 'shoeSize' not found" }]);
    const ids = Array.from({ length: 301 }, (_, i) => i + 1).join(',');
    const tooMany = await get(`/rest/v1/leads.json?filterType=id&filterValues=${ids}`);
    expect(tooMany.body.errors[0].code).toBe('1003');
  });

  it('when the query goes in a form body with _method=GET, then it answers like the GET', async () => {
    const { sandbox, auth, get } = await setup();
    const query = 'filterType=id&filterValues=1,2,3&fields=email,company';
    const viaGet = await get(`/rest/v1/leads.json?${query}`);
    const viaPost = await request(sandbox.app)
      .post('/rest/v1/leads.json?_method=GET')
      .set(auth)
      .type('form')
      .send(query);
    expect(viaPost.body.result).toEqual(viaGet.body.result);
    expect(sandbox.stats().callsByPath).toEqual({ '/rest/v1/leads.json': 2 });
  });

  it('when the URI is longer than 8 KB, then HTTP 414 and nothing is executed', async () => {
    const { sandbox, get } = await setup();
    const values = Array.from(
      { length: 300 },
      (_, i) => `someone.${i}@a-rather-long-domain.example`,
    );
    const res = await get(`/rest/v1/leads.json?filterType=email&filterValues=${values.join(',')}`);
    expect(res.status).toBe(414);
    expect(sandbox.stats()).toMatchObject({ calls: 0, errorsByCode: { 'http:414': 1 } });
  });
});

describe('sync leads', () => {
  it('when leads are upserted by email, then each record reports created, updated or skipped', async () => {
    const { sandbox, auth } = await setup();
    const existing = sandbox.allLeads()[0];
    const res = await request(sandbox.app)
      .post('/rest/v1/leads.json')
      .set(auth)
      .send({
        action: 'createOrUpdate',
        lookupField: 'email',
        input: [
          { email: 'new.person@example.com', firstName: 'New' },
          { email: existing?.email, title: 'CEO' },
        ],
      });
    expect(res.body.result).toEqual([
      { id: expect.any(Number), status: 'created' },
      { id: existing?.id, status: 'updated' },
    ]);
    expect(sandbox.getLead(existing?.id ?? 0)?.title).toBe('CEO');
    const onlyUpdate = await request(sandbox.app)
      .post('/rest/v1/leads.json')
      .set(auth)
      .send({ action: 'updateOnly', input: [{ email: 'ghost@example.com', title: 'x' }] });
    expect(onlyUpdate.body.result).toEqual([
      { status: 'skipped', reasons: [{ code: '1004', message: 'Lead not found' }] },
    ]);
  });
});

describe('lead changes and deletions', () => {
  async function changes(get: (path: string) => request.Test, token: string, fields: string) {
    const pages: Array<{
      result?: Array<Record<string, unknown>>;
      moreResult: boolean;
      nextPageToken: string;
    }> = [];
    let next = token;
    for (;;) {
      const res = await get(
        `/rest/v1/activities/leadchanges.json?nextPageToken=${encodeURIComponent(next)}&fields=${fields}&batchSize=4`,
      );
      expect(res.body.success).toBe(true);
      pages.push(res.body);
      next = res.body.nextPageToken;
      if (!res.body.moreResult) return pages;
    }
  }

  it('when fields change, then only requested fields come back and pages can be short with moreResult', async () => {
    const { clock, sandbox, get } = await setup({ idGapRate: 0 });
    const since = new Date(clock.now()).toISOString();
    const tokenRes = await get(`/rest/v1/activities/pagingtoken.json?sinceDatetime=${since}`);
    const token = tokenRes.body.nextPageToken as string;
    clock.advance(1000);
    const before = sandbox.getLead(1);
    sandbox.upsertLead({ id: 1, title: 'Chief Everything Officer' });
    for (let score = 0; score < 10; score++) sandbox.upsertLead({ id: 2, leadScore: 1000 + score });
    sandbox.upsertLead({ id: 3, title: 'Intern', city: 'Nowhere' });
    const created = sandbox.upsertLead({ email: 'fresh@example.com', firstName: 'Fresh' });

    const pages = await changes(get, token, 'title,email');
    const items = pages.flatMap((page) => page.result ?? []);
    expect(items.map((item) => [item.leadId, item.activityTypeId])).toEqual([
      [1, 13],
      [3, 13],
      [created.id, 12],
    ]);
    expect(items[0]).toEqual({
      id: expect.any(Number),
      marketoGUID: expect.any(String),
      leadId: 1,
      activityDate: '2026-11-24T12:00:01Z',
      activityTypeId: 13,
      fields: [
        { id: 11, name: 'title', newValue: 'Chief Everything Officer', oldValue: before?.title },
      ],
      attributes: expect.arrayContaining([{ name: 'Source', value: 'Sandbox control' }]),
    });
    expect(pages.some((page) => page.moreResult && (page.result?.length ?? 0) < 4)).toBe(true);
    expect(pages.some((page) => page.moreResult && page.result === undefined)).toBe(true);
    expect(pages.every((page) => typeof page.nextPageToken === 'string')).toBe(true);
  });

  it('when fields is missing or the token is not ours, then 701 or 1003', async () => {
    const { get } = await setup();
    const token = (
      await get('/rest/v1/activities/pagingtoken.json?sinceDatetime=2020-01-01T00:00:00Z')
    ).body.nextPageToken as string;
    const missing = await get(
      `/rest/v1/activities/leadchanges.json?nextPageToken=${encodeURIComponent(token)}`,
    );
    expect(missing.body.errors).toEqual([{ code: '701', message: "'fields' cannot be blank" }]);
    const bogus = await get(
      '/rest/v1/activities/leadchanges.json?nextPageToken=NOTATOKEN&fields=email',
    );
    expect(bogus.body.errors[0].code).toBe('1003');
  });

  it('when a lead is deleted, then Get Deleted Leads reports it and Get Leads no longer finds it', async () => {
    const { clock, sandbox, get } = await setup({ idGapRate: 0 });
    const token = (
      await get(
        `/rest/v1/activities/pagingtoken.json?sinceDatetime=${new Date(clock.now()).toISOString()}`,
      )
    ).body.nextPageToken as string;
    const lead = sandbox.getLead(3);
    expect(sandbox.deleteLead(3)).toBe(true);
    const res = await get(
      `/rest/v1/activities/deletedleads.json?nextPageToken=${encodeURIComponent(token)}`,
    );
    expect(res.body).toMatchObject({ success: true, moreResult: false });
    expect(res.body.result).toEqual([
      {
        id: expect.any(Number),
        marketoGUID: expect.any(String),
        leadId: 3,
        activityDate: '2026-11-24T12:00:00Z',
        activityTypeId: 37,
        primaryAttributeValueId: 3,
        primaryAttributeValue: `${lead?.firstName} ${lead?.lastName}`,
        attributes: [],
      },
    ]);
    expect((await get('/rest/v1/leads.json?filterType=id&filterValues=3')).body.result).toEqual([]);
  });

  it('when paging tokens are taken at two datetimes, then each chain starts at the first activity dated at or after its datetime, and the answer is dated on the sandbox clock', async () => {
    const { clock, sandbox, get } = await setup({ idGapRate: 0 });
    const start = clock.now();
    for (let second = 0; second < 4; second += 1) {
      sandbox.upsertLead({ id: 1 + second, title: `Title ${second}` });
      clock.advance(1000);
    }
    const tokenAt = async (ms: number) => {
      const res = await get(
        `/rest/v1/activities/pagingtoken.json?sinceDatetime=${new Date(ms).toISOString()}`,
      );
      expect(res.headers.date).toBe(new Date(clock.now()).toUTCString());
      return res.body.nextPageToken as string;
    };
    const dates = async (token: string) =>
      (await changes(get, token, 'title'))
        .flatMap((page) => page.result ?? [])
        .map((item) => item.activityDate);

    expect(await dates(await tokenAt(start))).toEqual([
      '2026-11-24T12:00:00Z',
      '2026-11-24T12:00:01Z',
      '2026-11-24T12:00:02Z',
      '2026-11-24T12:00:03Z',
    ]);
    expect(await dates(await tokenAt(start + 2000))).toEqual([
      '2026-11-24T12:00:02Z',
      '2026-11-24T12:00:03Z',
    ]);
  });
});
