import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  caught,
  createTestClient,
  mockApi,
  mockIdentity,
  readFixture,
  recordRequests,
  success,
} from '../fixtures/marketo/marketo-nock.js';

afterEach(() => {
  nock.cleanAll();
});

describe('MarketoClient: lead reads', () => {
  it('when lead fields are described, then REST names map to the neutral shape and SOAP-only fields are left out', async () => {
    mockIdentity();
    mockApi()
      .matchHeader('accept-encoding', 'gzip')
      .get('/rest/v1/leads/describe.json')
      .reply(200, readFixture('describe-leads.json'));
    const client = createTestClient();

    await expect(client.describeLeadFields()).resolves.toEqual([
      { name: 'company', displayName: 'Company Name', dataType: 'string', readOnly: false },
      { name: 'updatedAt', displayName: 'Updated At', dataType: 'datetime', readOnly: true },
    ]);
  });

  it('when lead changes are read, then the token is URL-encoded, dates become epoch ms, and serverTime comes from the Date header', async () => {
    mockIdentity();
    const requests = recordRequests(
      mockApi()
        .get('/rest/v1/activities/leadchanges.json')
        .query({ nextPageToken: 'ABC+/==', fields: 'firstName,email', batchSize: '100' })
        .reply(200, readFixture('lead-changes-page.json'), {
          Date: 'Tue, 24 Nov 2026 18:00:05 GMT',
        }),
    );
    const client = createTestClient();

    const page = await client.getLeadChanges({
      nextPageToken: 'ABC+/==',
      fields: ['firstName', 'email'],
      batchSize: 100,
    });

    expect(requests[0]?.path).toBe(
      '/rest/v1/activities/leadchanges.json?nextPageToken=ABC%2B%2F%3D%3D&fields=firstName,email&batchSize=100',
    );
    expect(page).toEqual({
      items: [
        {
          id: '1078',
          leadId: 775,
          activityDate: '2014-09-17T22:31:49+0000',
          activityAt: Date.parse('2014-09-17T22:31:49Z'),
          activityTypeId: 13,
          fields: [{ name: 'firstName', newValue: 'Ada', oldValue: 'Adda' }],
        },
        {
          id: '1079',
          leadId: 776,
          activityDate: '2014-09-17T22:32:01Z',
          activityAt: Date.parse('2014-09-17T22:32:01Z'),
          activityTypeId: 12,
          fields: [],
        },
      ],
      nextPageToken: 'GIYDAOBNGEYS2MBWKQYDAORQGA5DAMBOGAYDAKZQGAYDALBQ==',
      moreResult: true,
      serverTime: Date.parse('2026-11-24T18:00:05Z'),
    });
  });

  it('when a lead change page has no result, then it is an empty page with the next token', async () => {
    mockIdentity();
    mockApi()
      .get('/rest/v1/activities/leadchanges.json')
      .query(true)
      .reply(200, { requestId: 'r', success: true, nextPageToken: 'NEXT', moreResult: false });
    const client = createTestClient();

    const page = await client.getLeadChanges({ nextPageToken: 'T', fields: ['email'] });
    expect(page).toMatchObject({ items: [], nextPageToken: 'NEXT', moreResult: false });
  });

  it('when an activity date is not a date, then the page is refused as a bad response', async () => {
    mockIdentity();
    mockApi()
      .get('/rest/v1/activities/deletedleads.json')
      .query(true)
      .reply(200, {
        ...success([{ id: 1, leadId: 2, activityDate: 'yesterday', activityTypeId: 37 }]),
        nextPageToken: 'NEXT',
      });
    const client = createTestClient();
    const error = await caught(client.getDeletedLeads({ nextPageToken: 'T' }));
    expect(error.code).toBe('MARKETO_BAD_RESPONSE');
  });

  it('when deleted leads are read, then each maps to id, leadId and dates', async () => {
    mockIdentity();
    mockApi()
      .get('/rest/v1/activities/deletedleads.json')
      .query({ nextPageToken: 'T', batchSize: '300' })
      .reply(200, {
        ...success([
          {
            id: 9,
            marketoGUID: '9',
            leadId: 44,
            activityDate: '2026-11-20T10:00:00Z',
            activityTypeId: 37,
            primaryAttributeValue: 'Ada Lovelace',
            attributes: [],
          },
        ]),
        nextPageToken: 'NEXT',
        moreResult: false,
      });
    const client = createTestClient();

    const page = await client.getDeletedLeads({ nextPageToken: 'T' });
    expect(page.items).toEqual([
      {
        id: '9',
        leadId: 44,
        activityDate: '2026-11-20T10:00:00Z',
        activityAt: Date.parse('2026-11-20T10:00:00Z'),
      },
    ]);
  });

  it('when Marketo says there are more leads, then the next page is fetched with nextPageToken', async () => {
    mockIdentity();
    mockApi()
      .get('/rest/v1/leads.json')
      .query((q) => q['nextPageToken'] === undefined)
      .reply(200, { ...success([{ id: 1 }]), moreResult: true, nextPageToken: 'P2' })
      .get('/rest/v1/leads.json')
      .query((q) => q['nextPageToken'] === 'P2' && q['filterValues'] === '1,2')
      .reply(200, success([{ id: 2 }]));
    const client = createTestClient();

    const { leads } = await client.getLeadsByIds([1, 2], ['email']);
    expect(leads.map((l) => l.id)).toEqual([1, 2]);
  });

  it('when leads are synced, then the body carries action, lookupField and input, and reasons come back as errors', async () => {
    mockIdentity();
    const requests = recordRequests(
      mockApi()
        .post('/rest/v1/leads.json', {
          action: 'createOrUpdate',
          lookupField: 'email',
          input: [{ email: 'a@example.com' }, { email: 'bad' }],
        })
        .reply(
          200,
          success([
            { id: 50, status: 'updated' },
            { status: 'skipped', reasons: [{ code: '1003', message: 'Invalid email' }] },
          ]),
        ),
    );
    const client = createTestClient();

    const results = await client.syncLeads([{ email: 'a@example.com' }, { email: 'bad' }]);
    expect(results).toEqual([
      { id: 50, status: 'updated' },
      { status: 'skipped', errors: [{ code: '1003', message: 'Invalid email' }] },
    ]);
    expect(requests[0]?.headers['content-type']).toBe('application/json');
    expect(client.stats().errorsByCode).toEqual({ '1003': 1 });
  });
});
