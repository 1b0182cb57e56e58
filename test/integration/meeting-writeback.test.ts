import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { meetingEventIdOf } from '../../src/meetings/meeting-activity-type.js';
import {
  meetingActivityItem,
  meetingEventId,
  type MeetingActivityPayload,
} from '../../src/meetings/meeting-events-outbox.js';
import { createMeetingOutboxHandlers } from '../../src/meetings/meeting-outbox-handlers.js';
import { createSyncHarness } from '../helpers/sync-harness.js';
import { createOutboxDriver } from '../helpers/outbox-driver.js';

const ADD_PATH = '/rest/v1/activities/external.json';
const LOOKUP_PATH = '/rest/v1/activities.json';
const LEADS_PATH = '/rest/v1/leads.json';
const KIND = 'meeting-activity';
/** The handlers' default: a look that finds nothing is trusted after this long. */
const SETTLE_MS = 120_000;

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(options: { clientOnManualClock?: boolean } = {}) {
  // The outbox runs on a manual clock (backoff and settling pass in an instant); the sandbox
  // and the client keep real time, so a paging token "since the event" covers what they wrote.
  // The client may share the manual clock, for a quota pause to end when the test says so.
  const clock = createManualClock(Date.now());
  const harness = await createSyncHarness({
    sandbox: { seedLeads: 20 },
    ...(options.clientOnManualClock === true ? { client: { clock } } : {}),
  });
  const { sandbox, store, marketo } = harness;
  let server = harness.server;
  let running = true;
  close = () => (running ? server.close() : Promise.resolve());
  /** Marketo unreachable: connections are refused. */
  const stop = async () => {
    running = false;
    await server.close();
  };
  /** Back on the same address, with everything it had. */
  const restart = async () => {
    const port = Number(new URL(harness.server.url).port);
    server = await sandbox.listen(port, '127.0.0.1');
    running = true;
  };
  const leadIds = sandbox.allLeads().map((lead) => lead.id);
  const handlers = createMeetingOutboxHandlers({ marketo, store, clock, logger: silentLogger });
  const relay = { store, clock, logger: silentLogger, random: () => 0 };

  const { drain, pending, deliverAll } = createOutboxDriver({
    relay,
    handlers,
    store,
    clock,
    stepMs: SETTLE_MS + 60_000,
  });

  let n = 0;
  const meeting = (overrides: Partial<MeetingActivityPayload> = {}): MeetingActivityPayload => {
    n += 1;
    return {
      meetingId: `mtg-${n}`,
      seq: 1,
      leadId: leadIds[n % leadIds.length]!,
      email: `visitor${n}@acme.example`,
      status: 'booked',
      occurredAt: clock.now(),
      agentId: 'agent-grace',
      agentName: 'Grace Hopper',
      agentEmail: 'grace@seller.example',
      start: clock.now() + 86_400_000,
      durationMinutes: 30,
      provider: 'google',
      meetingUrl: `https://meet.example/${n}`,
      routingRule: 'Enterprise EMEA',
      dialogueId: 'welcome',
      ...overrides,
    };
  };
  const enqueue = (events: MeetingActivityPayload[]) =>
    store.enqueueOutbox(events.map(meetingActivityItem), clock.now());

  /** Our activities in the sandbox, as `eventId → leadId[]`. */
  const written = () => {
    const byEvent = new Map<string, number[]>();
    for (const activity of sandbox.customActivities()) {
      const eventId = String(activity.attributes.find((a) => a.apiName === 'eventId')?.value);
      byEvent.set(eventId, [...(byEvent.get(eventId) ?? []), activity.leadId]);
    }
    return byEvent;
  };
  const expectEachOnce = (events: MeetingActivityPayload[]) => {
    expect(Object.fromEntries(written())).toEqual(
      Object.fromEntries(events.map((e) => [meetingEventId(e.meetingId, e.seq), [e.leadId]])),
    );
  };
  const calls = (path: string) => sandbox.stats().callsByPath[path] ?? 0;
  const injectFault = (fault: Record<string, unknown>) =>
    request(sandbox.app).post('/_sandbox/faults').send(fault).expect(201);
  return {
    ...harness,
    clock,
    handlers,
    drain,
    pending,
    deliverAll,
    meeting,
    enqueue,
    written,
    expectEachOnce,
    calls,
    injectFault,
    stop,
    restart,
  };
}

describe('meeting events written to Marketo through the outbox', () => {
  it('when a booking is delivered, then the type is created as a draft, completed and approved, and one activity lands with its attributes', async () => {
    const { sandbox, marketo, drain, meeting, enqueue, calls, expectEachOnce } = await setup();
    const booked = meeting();
    await enqueue([booked]);

    expect(await drain()).toMatchObject({ done: 1, dead: 0, retried: 0 });

    const [type] = sandbox.customActivityTypes();
    expect(type).toMatchObject({
      apiName: 'mcChatMeeting',
      status: 'approved',
      name: 'Schedule Chat Meeting',
      triggerName: 'Schedules Chat Meeting',
      filterName: 'Scheduled Chat Meeting',
      primaryAttribute: { apiName: 'meetingId', name: 'Meeting ID' },
    });
    expect(type!.attributes.map((a) => `${a.apiName}:${a.dataType}`).sort()).toEqual([
      'agentEmail:email',
      'agentName:string',
      'dialogueId:string',
      'durationMinutes:integer',
      'eventId:string',
      'meetingUrl:string',
      'provider:string',
      'routingRule:string',
      'startTime:datetime',
      'status:string',
    ]);
    expect(calls('/rest/v1/activities/external/type.json')).toBe(1);
    expect(calls('/rest/v1/activities/external/type/:apiName/attributes/create.json')).toBe(1);
    expect(calls('/rest/v1/activities/external/type/:apiName/approve.json')).toBe(1);

    expectEachOnce([booked]);
    const [activity] = sandbox.customActivities();
    expect(activity).toMatchObject({
      leadId: booked.leadId,
      activityTypeId: type!.id,
      primaryAttributeValue: booked.meetingId,
    });
    expect(Date.parse(activity!.activityDate)).toBe(Math.floor(booked.occurredAt / 1000) * 1000);
    expect(Object.fromEntries(activity!.attributes.map((a) => [a.apiName, a.value]))).toEqual({
      status: 'booked',
      agentEmail: 'grace@seller.example',
      agentName: 'Grace Hopper',
      startTime: new Date(booked.start).toISOString(),
      durationMinutes: 30,
      provider: 'google',
      meetingUrl: booked.meetingUrl,
      routingRule: 'Enterprise EMEA',
      dialogueId: 'welcome',
      eventId: `meeting:${booked.meetingId}#1`,
    });

    // Read back as the look-up before a resend reads it: Get Lead Activities, our type, the lead.
    const token = await marketo.getPagingToken(new Date(booked.occurredAt - 60_000));
    const page = await marketo.getLeadActivities({
      nextPageToken: token,
      activityTypeIds: [type!.id],
      leadIds: [booked.leadId!],
    });
    expect(page.items.map(meetingEventIdOf)).toEqual([`meeting:${booked.meetingId}#1`]);
    expect(page.items[0]?.attributes).toContainEqual(
      expect.objectContaining({ name: 'Event ID', value: `meeting:${booked.meetingId}#1` }),
    );
  });

  it('when 650 events are due at once, then they go out in Add Custom Activities calls of at most 300', async () => {
    const { sandbox, drain, meeting, enqueue, calls, expectEachOnce } = await setup();
    const events = Array.from({ length: 650 }, () => meeting());
    await enqueue(events);

    const report = await drain({ limit: 1000, concurrency: 1000 });
    expect(report).toMatchObject({ done: 650, dead: 0, retried: 0 });
    // The sandbox refuses more than 300 per call; 650 in three calls means 300 + 300 + 50.
    expect(calls(ADD_PATH)).toBe(3);
    expect(sandbox.customActivities()).toHaveLength(650);
    expectEachOnce(events);
    expect(calls(LOOKUP_PATH)).toBe(0); // first attempts never look
  });

  it.each([
    {
      what: 'HTTP 502 after Marketo applied the write',
      fault: { httpStatus: 502, after: true },
      settles: false,
    },
    {
      what: 'the connection dropped after the write',
      fault: { drop: true, after: true },
      settles: false,
    },
    { what: 'the connection dropped before the write', fault: { drop: true }, settles: true },
    { what: 'HTTP 503 before the write', fault: { httpStatus: 503 }, settles: true },
  ])(
    'when Add Custom Activities fails with $what, then the batch is retried and each event lands once',
    async ({ fault, settles }) => {
      const { store, drain, deliverAll, meeting, enqueue, calls, expectEachOnce, injectFault } =
        await setup();
      const events = [meeting(), meeting(), meeting({ status: 'cancelled', seq: 2 })];
      await injectFault({ path: ADD_PATH, ...fault });
      await enqueue(events);

      expect(await drain()).toMatchObject({ retried: 3, done: 0, dead: 0 });
      await deliverAll();

      expectEachOnce(events);
      // Executed once: either the faulted call (its write stood) or the one after it.
      expect(calls(ADD_PATH)).toBe(1);
      // The three retries looked together: one paging token, one page.
      expect(calls(LOOKUP_PATH)).toBe(settles ? 2 : 1);
      const settleCopies = (await store.listOutbox()).filter((i) =>
        i.dedupeKey.includes('~settle@'),
      );
      expect(settleCopies).toHaveLength(settles ? 3 : 0);
      expect(await store.listOutbox({ status: 'dead' })).toEqual([]);
    },
  );

  it('when Add Custom Activities is refused with 604 past the client retries (not executed), then the events are retried without looking or settling and land once', async () => {
    const { store, clock, drain, pending, meeting, enqueue, calls, expectEachOnce, injectFault } =
      await setup();
    const events = [meeting(), meeting(), meeting({ status: 'cancelled', seq: 2 })];
    await injectFault({ path: ADD_PATH, code: '604', times: 4 });
    await enqueue(events);

    // Nothing was written: each event comes back as a fresh copy due after a backoff.
    expect(await drain()).toMatchObject({ done: 3, dead: 0 });
    const copies = await pending();
    expect(copies.map((i) => (i.payload as { unsent?: number }).unsent)).toEqual([1, 1, 1]);
    clock.set(Math.max(...copies.map((i) => i.nextAttemptAt)));
    expect(await drain()).toMatchObject({ done: 3, dead: 0 });

    expectEachOnce(events);
    expect(calls(ADD_PATH)).toBe(1);
    expect(calls(LOOKUP_PATH)).toBe(0);
    expect((await store.listOutbox()).filter((i) => i.dedupeKey.includes('~settle@'))).toHaveLength(
      0,
    );
  });

  it('when Marketo is unreachable for a while, then the items wait with growing backoff and land once as soon as it returns', async () => {
    const env = await setup();
    const { store, clock, drain, pending, meeting, enqueue, calls } = env;
    // Down from the start: no token yet, so identity is unreachable too.
    await env.stop();
    const events = [meeting(), meeting()];
    await enqueue(events);

    // Nothing can have been sent: each event comes back as a copy due after a backoff.
    expect(await drain()).toMatchObject({ done: 2, dead: 0 });
    const [first] = await pending();
    expect(first?.payload).toMatchObject({ unsent: 1 });
    const firstDelay = first!.nextAttemptAt - clock.now();
    expect(firstDelay).toBeGreaterThan(0);

    clock.set(Math.max(...(await pending()).map((i) => i.nextAttemptAt)));
    expect(await drain()).toMatchObject({ done: 2, dead: 0 });
    const [second] = await pending();
    expect(second?.payload).toMatchObject({ unsent: 2 });
    expect(second!.nextAttemptAt - clock.now()).toBeGreaterThan(firstDelay);

    // Back: the next due pass delivers at once, with no look and no settling wait.
    await env.restart();
    clock.set(Math.max(...(await pending()).map((i) => i.nextAttemptAt)));
    await drain();
    expect(await pending()).toEqual([]);
    env.expectEachOnce(events);
    expect(calls(ADD_PATH)).toBe(1);
    expect(calls(LOOKUP_PATH)).toBe(0);
    expect(await store.listOutbox({ status: 'dead' })).toEqual([]);
  });

  it('when the worker dies after Marketo wrote the activity but before the outbox recorded it, then the next claim finds it and does not resend', async () => {
    const { store, clock, handlers, drain, meeting, enqueue, calls, expectEachOnce } =
      await setup();
    const booked = meeting();
    await enqueue([booked]);
    const leaseMs = 120_000;
    const [claimed] = await store.claimOutbox({
      now: clock.now(),
      limit: 10,
      leaseMs,
      kinds: [KIND],
    });
    // The handler runs to the end; the process "crashes" before completeOutbox.
    await handlers[KIND](claimed!, {
      attempt: claimed!.attempts,
      now: () => clock.now(),
      logger: silentLogger,
    });
    expectEachOnce([booked]);
    expect(await drain()).toMatchObject({ claimed: 0 }); // still leased

    clock.advance(leaseMs + 1);
    expect(await drain()).toMatchObject({ claimed: 1, done: 1, dead: 0 });
    expectEachOnce([booked]);
    expect(calls(ADD_PATH)).toBe(1);
    expect(await store.findOutboxItem(meetingEventId(booked.meetingId, 1))).toMatchObject({
      status: 'done',
      attempts: 2,
    });
  });

  it('when the worker dies before sending, then the next claim finds nothing, settles, and sends once', async () => {
    const { store, clock, deliverAll, meeting, enqueue, calls, expectEachOnce } = await setup();
    const booked = meeting();
    await enqueue([booked]);
    await store.claimOutbox({ now: clock.now(), limit: 10, leaseMs: 120_000, kinds: [KIND] });

    clock.advance(120_001);
    await deliverAll();
    expectEachOnce([booked]);
    expect(calls(ADD_PATH)).toBe(1);
  });

  it('when the daily quota runs out while looking before a resend, then the item waits for the reset and still looks first', async () => {
    const { store, clock, drain, meeting, enqueue, calls, expectEachOnce, injectFault } =
      await setup({ clientOnManualClock: true });
    const booked = meeting();
    await injectFault({ path: ADD_PATH, httpStatus: 502, after: true });
    await injectFault({ path: '/rest/v1/activities/pagingtoken.json', code: '607' });
    await enqueue([booked]);

    expect(await drain()).toMatchObject({ retried: 1 }); // written, answer lost
    clock.advance(60_000);
    expect(await drain()).toMatchObject({ done: 1, dead: 0 }); // 607 on the look: deferred
    const [waiting] = await store.listOutbox({ status: 'pending' });
    expect(waiting).toMatchObject({ attempts: 0, payload: { verify: {} } });
    expect(waiting!.nextAttemptAt).toBeGreaterThan(clock.now() + 60_000);

    clock.set(waiting!.nextAttemptAt + 1);
    expect(await drain()).toMatchObject({ done: 1, dead: 0 });
    expectEachOnce([booked]);
    expect(calls(ADD_PATH)).toBe(1);
  });

  it('when the visitor has no lead yet, then the lead is created once and each event lands on it once', async () => {
    const { sandbox, store, drain, meeting, enqueue, calls, written } = await setup();
    const ada = sandbox.upsertLead({ email: 'ada@acme.example', firstName: 'Ada' });
    await store.applyLeadChanges({
      upserts: [{ id: ada.id, fields: { email: ada.email }, observedAt: 1, source: 'sync' }],
    });
    sandbox.resetStats();
    const { leadId: _unknown, ...booked } = meeting({ email: 'New.Person@Startup.example' });
    const cancelled = { ...booked, seq: 2, status: 'cancelled' as const };
    const { leadId: _known, ...adas } = meeting({ email: 'ADA@acme.example' });
    await enqueue([booked, cancelled, adas]);

    expect(await drain()).toMatchObject({ done: 6, dead: 0, retried: 0 });

    const created = sandbox.allLeads().filter((l) => l.email === 'new.person@startup.example');
    expect(created).toHaveLength(1);
    // One Sync Leads call for both events of the new visitor; none for Ada, known locally.
    expect(calls(LEADS_PATH)).toBe(1);
    expect(Object.fromEntries(written())).toEqual({
      [meetingEventId(booked.meetingId, 1)]: [created[0]!.id],
      [meetingEventId(booked.meetingId, 2)]: [created[0]!.id],
      [meetingEventId(adas.meetingId, 1)]: [ada.id],
    });
    expect(calls(ADD_PATH)).toBe(1);
    expect(await drain()).toMatchObject({ claimed: 0 });
  });

  it('when the lead is gone from Marketo, then the event goes to the dead letters, not round and round', async () => {
    const { sandbox, store, drain, meeting, enqueue, written } = await setup();
    const booked = meeting();
    sandbox.deleteLead(booked.leadId!);
    await enqueue([booked]);
    expect(await drain()).toMatchObject({ dead: 1, done: 0 });
    expect((await store.listOutbox({ status: 'dead' }))[0]?.lastError).toContain('1004');
    expect(written().size).toBe(0);
  });

  it('when a fault body is not valid, then the control API refuses it', async () => {
    const { sandbox } = await setup();
    const res = await request(sandbox.app)
      .post('/_sandbox/faults')
      .send({ path: ADD_PATH, httpStatus: 200 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: 'httpStatus' } });
  });
});
