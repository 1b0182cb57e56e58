import { createHash } from 'node:crypto';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  caught,
  createTestClient,
  failure,
  mockApi,
  mockIdentity,
  readFixture,
  success,
} from '../fixtures/marketo/marketo-nock.js';

const EXPORT_ID = 'ce45a7a1-f19d-4ce2-882c-a3c795940a7d';
const EXPORT_PATH = `/bulk/v1/leads/export/${EXPORT_ID}`;
const job = (status: string, extra: Record<string, unknown> = {}) =>
  success([
    { exportId: EXPORT_ID, format: 'CSV', status, createdAt: '2026-11-24T18:00:00Z', ...extra },
  ]);

afterEach(() => {
  nock.cleanAll();
});

describe('MarketoClient: bulk lead export', () => {
  const csv = 'id,email\n1,a@example.com\n2,b@example.com\n';
  const checksum = `sha256:${createHash('sha256').update(csv).digest('hex')}`;

  it('when an export is created, then the body holds fields, CSV and a createdAt filter without milliseconds, and bulk calls ask for no compression', async () => {
    mockIdentity();
    mockApi()
      .matchHeader('accept-encoding', 'identity')
      .post('/bulk/v1/leads/export/create.json', {
        fields: ['id', 'email'],
        format: 'CSV',
        filter: { createdAt: { startAt: '2026-10-01T00:00:00Z', endAt: '2026-10-31T00:00:00Z' } },
      })
      .reply(200, job('Created'));
    const client = createTestClient();

    const created = await client.createLeadExport({
      fields: ['id', 'email'],
      createdAt: { startAt: '2026-10-01T00:00:00.000Z', endAt: '2026-10-31T00:00:00Z' },
    });
    expect(created).toEqual({ exportId: EXPORT_ID, status: 'Created' });
  });

  it('when an export would span more than 31 days, then ValidationError is thrown', async () => {
    const client = createTestClient();
    await expect(
      client.createLeadExport({
        fields: ['id'],
        createdAt: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-02-02T00:00:00Z' },
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('when the job is already queued, then enqueue reports the job status instead of failing', async () => {
    mockIdentity();
    mockApi()
      .post(`${EXPORT_PATH}/enqueue.json`)
      .reply(200, failure('1029', 'Job already queued'))
      .get(`${EXPORT_PATH}/status.json`)
      .reply(200, job('Processing'));
    const client = createTestClient();

    await expect(client.enqueueLeadExport(EXPORT_ID)).resolves.toEqual({
      exportId: EXPORT_ID,
      status: 'Processing',
    });
  });

  it('when the export daily quota is spent, then MARKETO_DAILY_QUOTA is thrown but REST calls go on', async () => {
    mockIdentity();
    mockApi()
      .post(`${EXPORT_PATH}/enqueue.json`)
      .reply(200, failure('1029', 'Export daily quota 500MB exceeded'))
      .get('/rest/v1/leads/describe.json')
      .reply(200, success([]));
    const client = createTestClient();

    const error = await caught(client.enqueueLeadExport(EXPORT_ID));
    expect(error).toMatchObject({ code: 'MARKETO_DAILY_QUOTA', marketoCode: '1029' });
    expect(error.details).toMatchObject({ quota: 'bulk-export' });
    await expect(client.describeLeadFields()).resolves.toEqual([]);
    expect(client.stats().pausedUntil).toBeUndefined();
  });

  it('when a completed job is polled, then counts and checksum come back, and "Canceled" reads as Cancelled', async () => {
    mockIdentity();
    mockApi()
      .get(`${EXPORT_PATH}/status.json`)
      .reply(200, { ...readFixture('export-completed.json') })
      .post(`${EXPORT_PATH}/cancel.json`)
      .reply(200, job('Canceled'));
    const client = createTestClient();

    await expect(client.getLeadExportStatus(EXPORT_ID)).resolves.toEqual({
      exportId: EXPORT_ID,
      status: 'Completed',
      numberOfRecords: 2,
      fileSize: 58,
    });
    await expect(client.cancelLeadExport(EXPORT_ID)).resolves.toMatchObject({
      status: 'Cancelled',
    });
  });

  it('when the file is downloaded with its checksum, then the CSV text comes back', async () => {
    mockIdentity();
    mockApi()
      .matchHeader('accept-encoding', 'identity')
      .get(`${EXPORT_PATH}/file.json`)
      .reply(200, csv, { 'Content-Type': 'text/csv' });
    const client = createTestClient();
    await expect(client.getLeadExportFile(EXPORT_ID, checksum)).resolves.toBe(csv);
  });

  it('when the file does not match its checksum, then MARKETO_BAD_RESPONSE is thrown', async () => {
    mockIdentity();
    mockApi()
      .get(`${EXPORT_PATH}/file.json`)
      .reply(200, csv.slice(0, 20), { 'Content-Type': 'text/csv' });
    const client = createTestClient();
    const error = await caught(client.getLeadExportFile(EXPORT_ID, checksum));
    expect(error).toMatchObject({ code: 'MARKETO_BAD_RESPONSE', retryable: true });
  });

  it('when the file is not ready (HTTP 404 text), then MARKETO_EXPORT_NOT_READY is thrown without retrying', async () => {
    mockIdentity();
    mockApi()
      .get(`${EXPORT_PATH}/file.json`)
      .reply(404, 'Export file not available', { 'Content-Type': 'text/plain' });
    const client = createTestClient();
    const error = await caught(client.getLeadExportFile(EXPORT_ID));
    expect(error).toMatchObject({ code: 'MARKETO_EXPORT_NOT_READY', upstreamStatus: 404 });
    expect(client.stats().calls).toBe(1);
  });

  it('when the file endpoint answers a JSON token error, then the client re-authenticates and downloads', async () => {
    mockIdentity('token-1');
    mockApi('token-1').get(`${EXPORT_PATH}/file.json`).reply(200, failure('602'));
    mockIdentity('token-2');
    mockApi('token-2')
      .get(`${EXPORT_PATH}/file.json`)
      .reply(200, csv, { 'Content-Type': 'text/csv' });
    const client = createTestClient();
    await expect(client.getLeadExportFile(EXPORT_ID)).resolves.toBe(csv);
  });
});

describe('MarketoClient: custom activities', () => {
  const meetingType = {
    id: 100001,
    apiName: 'bookedMeeting',
    name: 'Book Meeting',
    description: 'A meeting booked in chat',
    triggerName: 'Books Meeting',
    filterName: 'Booked Meeting',
    status: 'draft',
    primaryAttribute: { apiName: 'subject', name: 'Subject', dataType: 'string' },
    attributes: [],
  };

  it('when a type is created, given attributes and approved, then each call hits its documented path', async () => {
    mockIdentity();
    mockApi()
      .post('/rest/v1/activities/external/type.json', {
        apiName: 'bookedMeeting',
        name: 'Book Meeting',
        triggerName: 'Books Meeting',
        filterName: 'Booked Meeting',
        primaryAttribute: { apiName: 'subject', name: 'Subject' },
      })
      .reply(200, success([meetingType]))
      .post('/rest/v1/activities/external/type/bookedMeeting/attributes/create.json', {
        attributes: [{ apiName: 'agentEmail', name: 'Agent Email', dataType: 'email' }],
      })
      .reply(200, success([meetingType]))
      .post('/rest/v1/activities/external/type/bookedMeeting/approve.json')
      .reply(200, success([{ ...meetingType, status: 'approved' }]))
      .get('/rest/v1/activities/external/types.json')
      .reply(200, success([{ ...meetingType, status: 'approved' }]));
    const client = createTestClient();

    const created = await client.createCustomActivityType({
      apiName: 'bookedMeeting',
      name: 'Book Meeting',
      triggerName: 'Books Meeting',
      filterName: 'Booked Meeting',
      primaryAttribute: { apiName: 'subject', name: 'Subject' },
    });
    expect(created).toMatchObject({ id: 100001, apiName: 'bookedMeeting', status: 'draft' });
    await client.createCustomActivityTypeAttributes('bookedMeeting', [
      { apiName: 'agentEmail', name: 'Agent Email', dataType: 'email' },
    ]);
    await expect(client.approveCustomActivityType('bookedMeeting')).resolves.toMatchObject({
      status: 'approved',
    });
    const [listed] = await client.listCustomActivityTypes();
    expect(listed).toEqual({
      id: 100001,
      apiName: 'bookedMeeting',
      name: 'Book Meeting',
      status: 'approved',
      triggerName: 'Books Meeting',
      filterName: 'Booked Meeting',
      primaryAttribute: { apiName: 'subject', name: 'Subject', dataType: 'string' },
      attributes: [],
    });
  });

  it('when activities are added, then results come back in input order with record errors counted', async () => {
    const input = [1, 2].map((leadId) => ({
      leadId,
      activityDate: '2026-11-24T18:00:00Z',
      activityTypeId: 100001,
      primaryAttributeValue: 'Demo',
      attributes: [{ apiName: 'agentEmail', value: 'agent@example.com' }],
    }));
    mockIdentity();
    mockApi()
      .post('/rest/v1/activities/external.json', { input })
      .reply(
        200,
        success([
          { id: 50, marketoGUID: '50', status: 'added' },
          { status: 'skipped', errors: [{ code: '1004', message: 'Lead not found' }] },
        ]),
      );
    const client = createTestClient();

    await expect(client.addCustomActivities(input)).resolves.toEqual([
      { id: 50, marketoGUID: '50', status: 'added' },
      { status: 'skipped', errors: [{ code: '1004', message: 'Lead not found' }] },
    ]);
    expect(client.stats().errorsByCode).toEqual({ '1004': 1 });
  });

  it('when results do not line up with the input, then MARKETO_BAD_RESPONSE is thrown', async () => {
    mockIdentity();
    mockApi()
      .post('/rest/v1/activities/external.json')
      .reply(200, success([{ id: 50, status: 'added' }]));
    const client = createTestClient();
    const input = [1, 2].map((leadId) => ({
      leadId,
      activityDate: '2026-11-24T18:00:00Z',
      activityTypeId: 100001,
      primaryAttributeValue: 'Demo',
      attributes: [],
    }));
    expect((await caught(client.addCustomActivities(input))).code).toBe('MARKETO_BAD_RESPONSE');
  });
});
