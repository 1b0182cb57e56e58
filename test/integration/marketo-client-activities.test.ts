import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BASE_URL,
  caught,
  connectionReset,
  createTestClient,
  mockApi,
  mockIdentity,
  recordRequests,
  success,
} from '../fixtures/marketo/marketo-nock.js';

afterEach(() => {
  nock.cleanAll();
});

describe('MarketoClient: Get Lead Activities', () => {
  it('when activities of a type and some leads are read, then the query carries them and attributes keep name, apiName and value', async () => {
    mockIdentity();
    const requests = recordRequests(
      mockApi()
        .get('/rest/v1/activities.json')
        .query({
          nextPageToken: 'GIYD+==',
          activityTypeIds: '100001',
          leadIds: '7,8',
          batchSize: '300',
        })
        .reply(200, {
          ...success([
            {
              marketoGUID: 'a1b2',
              leadId: 7,
              activityDate: '2026-11-24T12:00:00+0000',
              activityTypeId: 100001,
              primaryAttributeValue: 'mtg-1',
              attributes: [
                { name: 'Event ID', apiName: 'eventId', value: 'meeting:mtg-1#1' },
                { name: 'Duration Minutes', value: 30 },
              ],
            },
            // Every attribute empty: Marketo leaves `attributes` out.
            { id: 51, leadId: 8, activityDate: '2026-11-24T12:01:00Z', activityTypeId: 100001 },
          ]),
          nextPageToken: 'NEXT',
          moreResult: true,
        }),
    );
    const client = createTestClient();

    const page = await client.getLeadActivities({
      nextPageToken: 'GIYD+==',
      activityTypeIds: [100001],
      leadIds: [7, 8, 7],
    });

    expect(requests[0]?.path).toBe(
      '/rest/v1/activities.json?nextPageToken=GIYD%2B%3D%3D&activityTypeIds=100001&leadIds=7,8&batchSize=300',
    );
    expect(page).toMatchObject({ nextPageToken: 'NEXT', moreResult: true });
    expect(page.items).toEqual([
      {
        id: 'a1b2',
        leadId: 7,
        activityDate: '2026-11-24T12:00:00+0000',
        activityAt: Date.parse('2026-11-24T12:00:00Z'),
        activityTypeId: 100001,
        primaryAttributeValue: 'mtg-1',
        attributes: [
          { name: 'Event ID', apiName: 'eventId', value: 'meeting:mtg-1#1' },
          { name: 'Duration Minutes', value: 30 },
        ],
      },
      {
        id: '51',
        leadId: 8,
        activityDate: '2026-11-24T12:01:00Z',
        activityAt: Date.parse('2026-11-24T12:01:00Z'),
        activityTypeId: 100001,
        attributes: [],
      },
    ]);
  });

  it('when a page is empty while more follow, then it reads as no items and the next token', async () => {
    mockIdentity();
    mockApi()
      .get('/rest/v1/activities.json')
      .query(true)
      .reply(200, { ...success(undefined), nextPageToken: 'NEXT', moreResult: true });
    const client = createTestClient();
    const page = await client.getLeadActivities({ nextPageToken: 'T', activityTypeIds: [1] });
    expect(page).toMatchObject({ items: [], nextPageToken: 'NEXT', moreResult: true });
  });

  it.each([
    { what: 'no type id', args: { activityTypeIds: [] }, field: 'activityTypeIds' },
    {
      what: 'eleven type ids',
      args: { activityTypeIds: Array.from({ length: 11 }, (_, i) => i + 1) },
      field: 'activityTypeIds',
    },
    {
      what: 'thirty-one lead ids',
      args: { activityTypeIds: [1], leadIds: Array.from({ length: 31 }, (_, i) => i + 1) },
      field: 'leadIds',
    },
    {
      what: 'a lead id that is not one',
      args: { activityTypeIds: [1], leadIds: [0] },
      field: 'leadIds',
    },
  ])(
    'when asked with $what, then nothing is sent and the field is named',
    async ({ args, field }) => {
      const client = createTestClient();
      await expect(client.getLeadActivities({ nextPageToken: 'T', ...args })).rejects.toMatchObject(
        {
          code: 'VALIDATION_FAILED',
          field,
        },
      );
    },
  );

  it('when an activity has neither id nor marketoGUID, then the page is a bad response', async () => {
    mockIdentity();
    mockApi()
      .get('/rest/v1/activities.json')
      .query(true)
      .reply(200, {
        ...success([{ leadId: 7, activityDate: '2026-11-24T12:00:00Z', activityTypeId: 1 }]),
        nextPageToken: 'NEXT',
      });
    const client = createTestClient();
    const error = await caught(
      client.getLeadActivities({ nextPageToken: 'T', activityTypeIds: [1] }),
    );
    expect(error.code).toBe('MARKETO_BAD_RESPONSE');
  });
});

describe('MarketoClient: identity outage', () => {
  it.each([
    {
      what: 'the connection fails',
      reply: 'error' as const,
      code: 'MARKETO_UNREACHABLE',
      retryable: true,
    },
    { what: 'identity answers 503', reply: 503, code: 'MARKETO_AUTH_FAILED', retryable: true },
    {
      what: 'identity refuses the credentials',
      reply: 401,
      code: 'MARKETO_AUTH_FAILED',
      retryable: false,
    },
  ])(
    'when $what, then the code is $code and retryable is $retryable',
    async ({ reply, code, retryable }) => {
      const scope = nock(BASE_URL).get('/identity/oauth/token').query(true);
      if (reply === 'error') scope.replyWithError(connectionReset());
      else scope.reply(reply, { error: 'x' });
      const client = createTestClient();
      const error = await caught(
        client.getLeadActivities({ nextPageToken: 'T', activityTypeIds: [1] }),
      );
      expect(error).toMatchObject({ code, retryable });
    },
  );
});
