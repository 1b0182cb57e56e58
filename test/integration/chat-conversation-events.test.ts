import { describe, expect, it, vi } from 'vitest';
import { COOKIE, QUALIFY, SITE, openConversationService } from '../helpers/conversation-service.js';
import { ADMIN_AUTH } from '../helpers/test-service.js';
import request from 'supertest';

describe('conversation cards through the whole service and the sandbox Marketo', () => {
  it('when an answer fails its check, names an unknown key or leaves out a required form field, then the whole event is refused naming answers.<key> and nothing is recorded', async () => {
    const { publish, event, store } = await openConversationService();
    await publish().expect(200);
    const record = vi.spyOn(store, 'recordChatEvent');

    const badPhone = await event({
      type: 'answered',
      cardId: 'phone',
      answers: { phone: '12ab' },
    }).expect(400);
    expect(badPhone.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'answers.phone',
    });
    expect(badPhone.body.error.message).toMatch(/phone number/);

    const unknown = await event({
      type: 'answered',
      cardId: 'phone',
      answers: { phone: '+49 30 1234567', sneaky: 'x' },
    }).expect(400);
    expect(unknown.body.error.field).toBe('answers.sneaky');

    const missing = await event({
      type: 'answered',
      cardId: 'details',
      answers: { jobTitle: 'CTO' },
    }).expect(400);
    expect(missing.body.error.field).toBe('answers.teamSize');

    const notOption = await event({
      type: 'answered',
      cardId: 'sector',
      answers: { sector: 'Farming' },
    }).expect(400);
    expect(notOption.body.error.message).toMatch(/one of the offered options/);

    const wrongCard = await event({
      type: 'answered',
      cardId: 'guide',
      answers: { guide: 'x' },
    }).expect(400);
    expect(wrongCard.body.error.field).toBe('cardId');

    expect(record).not.toHaveBeenCalled();
    expect(await store.listOutbox()).toEqual([]);
  });

  it('when an email answer is at a blocked domain, then the event is refused like the email card', async () => {
    const { app, publish, event, store } = await openConversationService();
    const config = (await request(app).get('/api/configuration').set(ADMIN_AUTH).expect(200)).body;
    await request(app)
      .put('/api/configuration')
      .set(ADMIN_AUTH)
      .send({ ...config, blockedEmailDomains: ['gmail.com'] })
      .expect(200);
    await publish().expect(200);
    const res = await event({
      type: 'answered',
      cardId: 'details',
      answers: { jobTitle: 'CTO', teamSize: '12', workEmail: 'me@gmail.com' },
    }).expect(400);
    expect(res.body.error).toMatchObject({ field: 'answers.workEmail' });
    expect(await store.listOutbox()).toEqual([]);
  });

  it('when an anonymous visitor answers, then the values are held and reach their lead, with the activities, once they give an email', async () => {
    const { publish, event, drain, sandbox, store, dialogueId } = await openConversationService();
    await publish().expect(200);
    const record = vi.spyOn(store, 'recordChatEvent');

    await event({
      type: 'answered',
      cardId: 'phone',
      answers: { phone: ' +49 30 1234567 ' },
    }).expect(202);
    await event({ type: 'answered', cardId: 'sector', answers: { sector: 'Retail shops' } }).expect(
      202,
    );
    // Recorded with the checked values: trimmed, and the option's value for its label.
    expect(record.mock.calls.map(([args]) => args.event.answers)).toEqual([
      { phone: '+49 30 1234567' },
      { sector: 'Retail' },
    ]);
    expect(await store.listOutbox()).toEqual([]);

    // A form with an email field: one step, and it makes the visitor known.
    await event({
      type: 'answered',
      cardId: 'details',
      answers: { jobTitle: 'Head of Ops', teamSize: '40', workEmail: 'Grace@Shop.example' },
    }).expect(202);
    await drain();

    const lead = sandbox.allLeads().find((l) => l.email === 'grace@shop.example');
    expect(lead).toMatchObject({
      phone: '+49 30 1234567',
      industry: 'Retail',
      title: 'Head of Ops',
    });
    // Three answers and the email the form gave (an answer written to the email field is an
    // email-given as the email card's: one activity, one person acquired), all on Grace's lead.
    const activities = sandbox.customActivities();
    expect(activities.map((a) => a.leadId)).toEqual([lead!.id, lead!.id, lead!.id, lead!.id]);
    const emailGiven = activities.filter((a) => JSON.stringify(a).includes('"email-given"'));
    expect(emailGiven).toHaveLength(1);
    expect(JSON.stringify(emailGiven[0]!.attributes)).toContain('grace@shop.example');
    expect((await store.dialogueStats(dialogueId)).peopleAcquired).toBe(1);
    // One Sync Leads call per batch: the lead and its fields are one record.
    expect(sandbox.allLeads().filter((l) => l.email === 'grace@shop.example')).toHaveLength(1);
  });

  it('when a visitor known by cookie answers, then the field goes to their lead by email at once', async () => {
    const { publish, event, drain, sandbox, ada } = await openConversationService();
    await publish().expect(200);
    await event({
      type: 'answered',
      cardId: 'phone',
      visitor: { anonymousId: 'visitor-ada-1', mktoTrk: COOKIE },
      answers: { phone: '(030) 555-0199' },
    }).expect(202);
    await drain();
    expect(sandbox.getLead(ada.id)).toMatchObject({ phone: '(030) 555-0199' });
    const calls = sandbox.stats().callsByPath;
    expect(calls['/rest/v1/leads.json']).toBeGreaterThanOrEqual(1);
  });

  it('when a document is opened and the actions are reached (one twice), then the activity names the document, the lead joins the list once and the campaign is requested once', async () => {
    const { publish, event, drain, sandbox, ada, store } = await openConversationService();
    await publish().expect(200);
    const visitor = { anonymousId: 'visitor-ada-2', mktoTrk: COOKIE };
    await event({ type: 'document-opened', cardId: 'guide', visitor }).expect(202);
    await event({ type: 'action-reached', cardId: 'listed', visitor }).expect(202);
    await event({ type: 'action-reached', cardId: 'listed', visitor }).expect(202);
    await event({ type: 'action-reached', cardId: 'follow', visitor }).expect(202);
    expect((await store.listOutbox({ kind: 'marketo-chat-action' })).length).toBe(2);
    await drain();

    const opened = sandbox
      .customActivities()
      .find((a) =>
        a.attributes.some((x) => x.apiName === 'event' && x.value === 'document-opened'),
      );
    expect(opened?.attributes).toContainEqual(
      expect.objectContaining({ apiName: 'value', value: `Pricing guide <${SITE}/pricing.pdf>` }),
    );
    expect(opened?.leadId).toBe(ada.id);
    expect(sandbox.listMembers(1001)?.map((m) => m.leadId)).toEqual([ada.id]);
    expect(sandbox.campaignRequests(2001)?.map((r) => r.leadIds)).toEqual([[ada.id]]);
  });

  it('when an anonymous visitor reaches an action, then it waits for their email and then lands on the lead Marketo creates for it', async () => {
    const { publish, event, drain, sandbox } = await openConversationService();
    await publish().expect(200);
    await event({ type: 'action-reached', cardId: 'follow' }).expect(202);
    await drain();
    expect(sandbox.campaignRequests(2001)).toEqual([]);
    await event({ type: 'email-given', value: 'new@visitor.example' }).expect(202);
    await drain();
    const lead = sandbox.allLeads().find((l) => l.email === 'new@visitor.example');
    expect(sandbox.campaignRequests(2001)?.map((r) => r.leadIds)).toEqual([[lead!.id]]);
  });

  it('when an action names a campaign that cannot be requested, then its item goes to the dead letters and nothing is requested', async () => {
    const content = structuredClone(QUALIFY);
    const follow = content.cards.find((c) => c.id === 'follow')!;
    if (follow.type === 'action') follow.action = { kind: 'request-campaign', campaignId: 2003 };
    const { publish, event, drain, sandbox, store } = await openConversationService(content);
    await publish().expect(200);
    await event({
      type: 'action-reached',
      cardId: 'follow',
      visitor: { anonymousId: 'visitor-ada-3', mktoTrk: COOKIE },
    }).expect(202);
    await drain();
    expect(sandbox.campaignRequests(2003)).toEqual([]);
    expect(await store.listOutbox({ status: 'dead', kind: 'marketo-chat-action' })).toHaveLength(1);
  });

  it('when an event names a version never published, then 400 names dialogueVersion; an event of the version replaced is checked against that version', async () => {
    const { app, publish, event, dialogueId, store } = await openConversationService();
    await publish().expect(200);
    const later = await event({
      type: 'answered',
      cardId: 'phone',
      dialogueVersion: 2,
      answers: { phone: '+49 30 1234567' },
    }).expect(400);
    expect(later.body.error.field).toBe('dialogueVersion');

    // Version 2 asks for a number where version 1 asked for a phone.
    const v2 = structuredClone(QUALIFY);
    const phone = v2.cards.find((c) => c.id === 'phone');
    if (phone?.type === 'input') phone.answer = { kind: 'number', integer: true };
    await request(app)
      .put(`/api/dialogues/${dialogueId}/draft`)
      .set(ADMIN_AUTH)
      .send(v2)
      .expect(200);
    const republished = await publish().expect(200);
    expect(republished.body).not.toHaveProperty('earlier');
    expect((await store.getDialogue(dialogueId))?.earlier?.map((e) => e.version)).toEqual([1]);

    const visitor = { anonymousId: 'visitor-mid-conversation' };
    await event({
      type: 'answered',
      cardId: 'phone',
      dialogueVersion: 1,
      visitor,
      answers: { phone: '+49 30 1234567' },
    }).expect(202);
    const v2Refused = await event({
      type: 'answered',
      cardId: 'phone',
      dialogueVersion: 2,
      visitor,
      answers: { phone: '+49 30 1234567' },
    }).expect(400);
    expect(v2Refused.body.error).toMatchObject({ field: 'answers.phone' });
    expect(v2Refused.body.error.message).toMatch(/must be a number/);
  });
});
