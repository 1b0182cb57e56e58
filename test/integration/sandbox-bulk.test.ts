import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { createMarketoSandbox, type SandboxOptions } from '../../src/sandbox/index.js';

const CREDENTIALS =
  'grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret';
const DAY = 24 * 3600 * 1000;

async function setup(options: SandboxOptions = {}) {
  const clock = createManualClock();
  const sandbox = createMarketoSandbox({
    seedLeads: 400,
    clock,
    bulkProcessingMs: 2000,
    ...options,
  });
  const identity = await request(sandbox.app).get(`/identity/oauth/token?${CREDENTIALS}`);
  const auth = { Authorization: `Bearer ${identity.body.access_token as string}` };
  const get = (path: string) => request(sandbox.app).get(path).set(auth);
  const post = (path: string, body?: object) =>
    request(sandbox.app).post(path).set(auth).send(body);
  return { clock, sandbox, get, post };
}

type Post = Awaited<ReturnType<typeof setup>>['post'];

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

async function createExport(post: Post, startAt: string, endAt: string, filter = 'createdAt') {
  const res = await post('/bulk/v1/leads/export/create.json', {
    fields: ['id', 'email', 'firstName', 'salutation', 'createdAt'],
    format: 'CSV',
    filter: { [filter]: { startAt, endAt } },
  });
  return res.body;
}

describe('bulk lead export', () => {
  it('when a job is created, enqueued and polled, then it completes with a checksummed file', async () => {
    const { clock, sandbox, get, post } = await setup();
    const start = clock.now() - 60 * DAY;
    const end = clock.now() - 30 * DAY;
    const created = await createExport(post, iso(start), iso(end));
    expect(created.result[0]).toMatchObject({ status: 'Created', format: 'CSV' });
    const exportId = created.result[0].exportId as string;
    const base = `/bulk/v1/leads/export/${exportId}`;

    expect((await post(`${base}/enqueue.json`)).body.result[0].status).toBe('Queued');
    expect((await get(`${base}/file.json`)).status).toBe(404);
    clock.advance(1000);
    expect((await get(`${base}/status.json`)).body.result[0].status).toBe('Processing');
    clock.advance(1000);
    const status = (await get(`${base}/status.json`)).body.result[0];
    expect(status).toMatchObject({
      exportId,
      status: 'Completed',
      queuedAt: '2026-11-24T12:00:00Z',
      startedAt: '2026-11-24T12:00:01Z',
      finishedAt: '2026-11-24T12:00:02Z',
      fileChecksum: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });

    const file = await get(`${base}/file.json`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    const body = file.body as Buffer;
    expect(file.headers['content-type']).toMatch(/^text\/csv/);
    expect(body.length).toBe(status.fileSize);
    expect(`sha256:${createHash('sha256').update(body).digest('hex')}`).toBe(status.fileChecksum);
    const rows = parse(body.toString('utf8'), { columns: true }) as Array<Record<string, string>>;
    const expected = sandbox
      .allLeads()
      .filter((lead) => lead.createdAt >= iso(start) && lead.createdAt < iso(end));
    expect(rows.map((row) => Number(row.id))).toEqual(expected.map((lead) => lead.id));
    expect(status.numberOfRecords).toBe(expected.length);
    // Marketo writes the literal `null` for empty fields (bulk-lead-extract.md).
    const blank = expected.findIndex((lead) => lead.salutation === null);
    expect(rows[blank]?.salutation).toBe('null');

    const partial = await get(`${base}/file.json`).set('Range', 'bytes=0-9');
    expect(partial.status).toBe(206);
    expect(partial.headers['content-range']).toBe(`bytes 0-9/${body.length}`);
    expect(partial.text).toBe(body.subarray(0, 10).toString('utf8'));
  });

  it('when the date range is longer than 31 days, then 1003; when updatedAt is unsupported, then 1035', async () => {
    const { clock, post } = await setup({ bulkUpdatedAtSupported: false });
    const end = clock.now();
    expect((await createExport(post, iso(end - 31 * DAY), iso(end))).success).toBe(true);
    const tooLong = await createExport(post, iso(end - 32 * DAY), iso(end));
    expect(tooLong.errors[0]).toMatchObject({
      code: '1003',
      message: expect.stringContaining('31 days'),
    });
    const updated = await createExport(post, iso(end - DAY), iso(end), 'updatedAt');
    expect(updated.errors).toEqual([
      { code: '1035', message: 'Unsupported filter type for target subscription' },
    ]);
  });

  it('when ten jobs are queued, then the eleventh gets 1029 and only two process at once', async () => {
    const { clock, get, post } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 11; i++) {
      ids.push(
        (await createExport(post, iso(clock.now() - DAY), iso(clock.now()))).result[0].exportId,
      );
    }
    for (const id of ids.slice(0, 10)) {
      expect((await post(`/bulk/v1/leads/export/${id}/enqueue.json`)).body.success).toBe(true);
    }
    const full = await post(`/bulk/v1/leads/export/${ids[10]}/enqueue.json`);
    expect(full.body.errors).toEqual([{ code: '1029', message: 'Too many jobs in queue' }]);
    const again = await post(`/bulk/v1/leads/export/${ids[0]}/enqueue.json`);
    expect(again.body.errors).toEqual([{ code: '1029', message: 'Job already queued' }]);
    clock.advance(1000);
    const listed = await get('/bulk/v1/leads/export.json?status=Processing,Queued');
    const statuses = listed.body.result.map((job: { status: string }) => job.status);
    expect(statuses.filter((s: string) => s === 'Processing')).toHaveLength(2);
    expect(statuses.filter((s: string) => s === 'Queued')).toHaveLength(8);
  });

  it('when today’s files exceed the export quota, then enqueue and create get 1029 Export daily quota exceeded', async () => {
    const { clock, post } = await setup({ bulkDailyQuotaBytes: 100, bulkProcessingMs: 0 });
    const first = (await createExport(post, iso(clock.now() - 30 * DAY), iso(clock.now())))
      .result[0];
    const second = (await createExport(post, iso(clock.now() - DAY), iso(clock.now()))).result[0];
    await post(`/bulk/v1/leads/export/${first.exportId}/enqueue.json`);
    clock.advance(1);
    const enqueue = await post(`/bulk/v1/leads/export/${second.exportId}/enqueue.json`);
    expect(enqueue.body.errors).toEqual([{ code: '1029', message: 'Export daily quota exceeded' }]);
    const create = await createExport(post, iso(clock.now() - DAY), iso(clock.now()));
    expect(create.errors).toEqual([{ code: '1029', message: 'Export daily quota exceeded' }]);
  });

  it('when a queued job is cancelled, then its status is Cancelled and it has no file', async () => {
    const { clock, get, post } = await setup();
    const job = (await createExport(post, iso(clock.now() - DAY), iso(clock.now()))).result[0];
    await post(`/bulk/v1/leads/export/${job.exportId}/enqueue.json`);
    const cancelled = await post(`/bulk/v1/leads/export/${job.exportId}/cancel.json`);
    expect(cancelled.body.result[0].status).toBe('Cancelled');
    clock.advance(10_000);
    expect((await get(`/bulk/v1/leads/export/${job.exportId}/file.json`)).status).toBe(404);
  });
});

describe('custom activities', () => {
  const type = {
    apiName: 'scheduleMeeting',
    name: 'Schedule Meeting',
    triggerName: 'Schedules Meeting',
    filterName: 'Scheduled Meeting',
    primaryAttribute: { apiName: 'subject', name: 'Subject' },
  };

  it('when a type is created, given attributes and approved, then activities can be added and read back', async () => {
    const { sandbox, get, post } = await setup({ idGapRate: 0 });
    const created = await post('/rest/v1/activities/external/type.json', type);
    expect(created.body.result[0]).toMatchObject({ id: 100001, status: 'draft' });
    expect((await post('/rest/v1/activities/external/type.json', type)).body.errors[0].code).toBe(
      '1017',
    );
    const { triggerName: _t, ...incomplete } = type;
    const missing = await post('/rest/v1/activities/external/type.json', {
      ...incomplete,
      apiName: 'x1',
    });
    expect(missing.body.errors).toEqual([
      { code: '701', message: "'triggerName' cannot be blank" },
    ]);

    const attributes = await post(
      '/rest/v1/activities/external/type/scheduleMeeting/attributes/create.json',
      {
        attributes: [{ apiName: 'agentEmail', name: 'Agent Email', dataType: 'email' }],
      },
    );
    expect(attributes.body.result[0].attributes).toHaveLength(1);
    const many = Array.from({ length: 20 }, (_, i) => ({
      apiName: `extra${i}`,
      name: `Extra ${i}`,
      dataType: 'string',
    }));
    const tooMany = await post(
      '/rest/v1/activities/external/type/scheduleMeeting/attributes/create.json',
      {
        attributes: many,
      },
    );
    expect(tooMany.body.errors).toEqual([{ code: '1028', message: 'Max field limit reached' }]);

    const activity = (leadId: number, attribute = 'agentEmail') => ({
      leadId,
      activityDate: '2026-11-24T10:00:00Z',
      activityTypeId: 100001,
      primaryAttributeValue: 'Intro call',
      attributes: [{ apiName: attribute, value: 'agent@example.com' }],
    });
    const draftOnly = await post('/rest/v1/activities/external.json', { input: [activity(1)] });
    expect(draftOnly.body.result[0]).toMatchObject({ status: 'skipped' });

    expect(
      (await post('/rest/v1/activities/external/type/scheduleMeeting/approve.json')).body.result[0]
        .status,
    ).toBe('approved');
    const added = await post('/rest/v1/activities/external.json', {
      input: [activity(1), activity(999_999), activity(2, 'nope')],
    });
    expect(added.body.result).toEqual([
      { id: expect.any(Number), marketoGUID: expect.any(String), status: 'added' },
      { status: 'skipped', errors: [{ code: '1004', message: 'Lead not found' }] },
      { status: 'skipped', errors: [{ code: '1006', message: "Field 'nope' not found" }] },
    ]);
    expect(sandbox.customActivities()).toEqual([
      expect.objectContaining({
        leadId: 1,
        activityTypeId: 100001,
        activityDate: '2026-11-24T10:00:00Z',
        primaryAttributeValue: 'Intro call',
        attributes: [{ name: 'Agent Email', apiName: 'agentEmail', value: 'agent@example.com' }],
      }),
    ]);
    expect(sandbox.customActivityTypes()[0]).toMatchObject({
      apiName: 'scheduleMeeting',
      status: 'approved',
    });

    const token = (
      await get('/rest/v1/activities/pagingtoken.json?sinceDatetime=2026-01-01T00:00:00Z')
    ).body.nextPageToken as string;
    const read = await get(
      `/rest/v1/activities.json?activityTypeIds=100001&nextPageToken=${encodeURIComponent(token)}`,
    );
    expect(read.body.result).toHaveLength(1);
    const describe = await get('/rest/v1/activities/external/type/scheduleMeeting/describe.json');
    expect(describe.body.result[0].attributes).toEqual([
      { apiName: 'agentEmail', name: 'Agent Email', dataType: 'email' },
    ]);
    const listed = await request(sandbox.app).get('/_sandbox/activities?type=custom');
    expect(listed.body.activities).toHaveLength(1);
  });
});
