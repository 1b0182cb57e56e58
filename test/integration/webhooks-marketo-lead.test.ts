import { describe, expect, it } from 'vitest';
import { createWebhookTestApp } from '../helpers/marketo-webhook-app.js';
import { makeLead } from '../helpers/store-fixtures.js';

const setup = () => createWebhookTestApp();

describe('POST /webhooks/marketo/lead', () => {
  it('when a new lead is sent as JSON, then it is stored at once and the answer says created', async () => {
    const { store, clock, post } = setup();

    const res = await post('{"id": 42, "email": "Ann@Example.com", "firstName": "Ann"}');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'created', leadId: 42 });
    expect(await store.getLead(42)).toEqual({
      id: 42,
      fields: { email: 'Ann@Example.com', firstName: 'Ann' },
      observedAt: clock.now(),
      source: 'webhook',
    });
    expect((await store.findLeadsByEmail('ann@example.com')).map((l) => l.id)).toEqual([42]);
  });

  it('when a known lead sends some fields, then they are merged and the others are kept', async () => {
    const { store, clock, post } = setup();
    await store.applyLeadChanges({ upserts: [makeLead(7, { observedAt: clock.now() - 60_000 })] });
    clock.advance(1_000);

    const res = await post('{"id": "7", "firstName": "Renamed", "leadScore": "85"}');

    expect(res.body).toEqual({ status: 'updated', leadId: 7 });
    const lead = (await store.getLead(7))!;
    expect(lead.fields).toEqual({ ...makeLead(7).fields, firstName: 'Renamed', leadScore: 85 });
    expect(lead).toMatchObject({ observedAt: clock.now(), source: 'webhook' });
  });

  it.each([
    [
      'Form/Url encoding',
      'application/x-www-form-urlencoded',
      'id=9&email=a%2Bb%40x.com&firstName=Ann+Lee&city=S%C3%A3o+Paulo',
    ],
    [
      'Form/Url with %20 and leadId',
      'application/x-www-form-urlencoded',
      'leadId=9&email=a%2Bb%40x.com&firstName=Ann%20Lee&city=S%C3%A3o%20Paulo',
    ],
    [
      'Form/Url with no Content-Type',
      null,
      'id=9&email=a%2Bb%40x.com&firstName=Ann+Lee&city=S%C3%A3o+Paulo',
    ],
    [
      'a raw + in a form email (encoding None)',
      'application/x-www-form-urlencoded',
      'id=9&email=a+b%40x.com&firstName=Ann+Lee&city=S%C3%A3o+Paulo',
    ],
    [
      'JSON as text/plain, key Id',
      'text/plain',
      '{"Id": 9, "email": "a+b@x.com", "firstName": "Ann Lee", "city": "São Paulo"}',
    ],
    [
      'JSON with no Content-Type, key lead.Id',
      null,
      '{"lead.Id": "9", "email": "a+b@x.com", "firstName": "Ann Lee", "city": "São Paulo"}',
    ],
    [
      'JSON labelled as a form (no custom header)',
      'application/x-www-form-urlencoded',
      '{"id": 9, "email": "a+b@x.com", "firstName": "Ann Lee", "city": "São Paulo"}',
    ],
    [
      'JSON with doubled quotes labelled as a form',
      'application/x-www-form-urlencoded; charset=UTF-8',
      '\n  {"id": 9, "email": ""a+b@x.com"", "firstName": ""Ann Lee"", "city": ""São Paulo""}',
    ],
    [
      'JSON wrapped in "lead"',
      'application/json',
      '{"lead": {"id": 9, "email": "a+b@x.com", "firstName": "Ann Lee", "city": "São Paulo"}}',
    ],
  ])('when the lead comes as %s, then the same lead is stored', async (_what, type, body) => {
    const { store, post } = setup();

    const res = await post(body, type);

    expect(res.status).toBe(200);
    expect((await store.getLead(9))?.fields).toEqual({
      email: 'a+b@x.com',
      firstName: 'Ann Lee',
      city: 'São Paulo',
    });
  });

  it('when string tokens were quoted again in the template, then the doubled quotes are repaired', async () => {
    const { store, post } = setup();

    const res = await post(
      '{"id": 5, "email": ""a@b.com"", "firstName": ""Zoë \\"Z\\""", "phone": """"}',
    );

    expect(res.status).toBe(200);
    expect((await store.getLead(5))?.fields).toEqual({
      email: 'a@b.com',
      firstName: 'Zoë "Z"',
      phone: null,
    });
  });

  it('when tokens are empty, then the fields are stored as null, as the sync stores them', async () => {
    const { store, post } = setup();

    await post('{"id": 5, "email": "", "company": "", "leadScore": , "unsubscribed": }');

    expect((await store.getLead(5))?.fields).toEqual({
      email: null,
      company: null,
      leadScore: null,
      unsubscribed: null,
    });
  });

  it('when numbers, booleans and dates arrive as text, then known fields get their REST types', async () => {
    const { store, post } = setup();

    await post(
      'id=5&leadScore=42&annualRevenue=1500000.50&unsubscribed=true&doNotCall=0&zip=01234' +
        '&createdAt=2026-11-24+10%3A15%3A00&updatedAt=2026-11-24T10%3A15%3A00%2B02%3A00' +
        '&dateOfBirth=Nov+24%2C+1990&lastActivityDate=sometime',
      'application/x-www-form-urlencoded',
    );

    expect((await store.getLead(5))?.fields).toEqual({
      leadScore: 42,
      annualRevenue: 1500000.5,
      unsubscribed: true,
      doNotCall: false,
      zip: '01234',
      createdAt: '2026-11-24T10:15:00Z',
      updatedAt: '2026-11-24T08:15:00Z',
      dateOfBirth: '1990-11-24',
      lastActivityDate: 'sometime',
    });
  });

  it('when the payload has fields this service does not know, then they are kept', async () => {
    const { store, post } = setup();

    await post('{"id": 5, "Favourite_Colour__c": "teal", "tags": ["a", "b"], "secret": "x"}');

    expect((await store.getLead(5))?.fields).toEqual({
      Favourite_Colour__c: 'teal',
      tags: ['a', 'b'],
    });
  });
});
