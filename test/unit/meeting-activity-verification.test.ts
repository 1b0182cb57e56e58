import { describe, expect, it } from 'vitest';
import type { LeadActivity } from '../../src/clients/marketo/types.js';
import {
  meetingEventIdOf,
  toMeetingActivityInput,
  MEETING_ACTIVITY_TYPE,
} from '../../src/meetings/meeting-activity-type.js';
import {
  LOOKUP_MARGIN_MS,
  lookupSince,
  MAX_UNSENT_TRIES,
  mayRetryAsUnsent,
  mayTrustAbsence,
  mustLookFirst,
  settleCopy,
  unsentCopy,
  verificationForCopy,
  withResolvedLead,
  type MeetingDelivery,
} from '../../src/meetings/meeting-activity-verification.js';

const T = Date.UTC(2026, 10, 24, 12, 0, 0);
const event: MeetingDelivery = {
  meetingId: 'm-1',
  seq: 2,
  leadId: 7,
  email: 'ada@acme.example',
  status: 'rescheduled',
  occurredAt: T,
  agentId: 'agent-1',
  agentName: 'Grace',
  agentEmail: 'grace@seller.example',
  start: T + 86_400_000,
  durationMinutes: 30,
  provider: 'google',
  routingRule: 'owner',
};
const SETTLE = 120_000;

describe('when a meeting activity may be sent without looking in Marketo first', () => {
  it.each([
    { attempt: 1, verify: undefined, look: false },
    { attempt: 2, verify: undefined, look: true },
    { attempt: 1, verify: {}, look: true },
    { attempt: 1, verify: { absentSince: T }, look: true },
    { attempt: 5, verify: { absentSince: T }, look: true },
  ])('attempt $attempt with verify $verify: look first = $look', ({ attempt, verify, look }) => {
    expect(mustLookFirst(attempt, { ...event, ...(verify ? { verify } : {}) })).toBe(look);
  });
});

describe('when a look that found nothing is trusted', () => {
  it.each([
    { why: 'first look ever', attempt: 2, verify: undefined, now: T, trust: false },
    {
      why: 'settle copy, too early',
      attempt: 1,
      verify: { absentSince: T },
      now: T + SETTLE - 1,
      trust: false,
    },
    {
      why: 'settle copy, settled',
      attempt: 1,
      verify: { absentSince: T },
      now: T + SETTLE,
      trust: true,
    },
    {
      why: 'settle copy retried: a send may have happened',
      attempt: 2,
      verify: { absentSince: T },
      now: T + SETTLE * 10,
      trust: false,
    },
    {
      why: 'deferred copy told to look afresh',
      attempt: 1,
      verify: {},
      now: T + SETTLE * 10,
      trust: false,
    },
  ])('$why: $trust', ({ attempt, verify, now, trust }) => {
    const delivery = { ...event, ...(verify ? { verify } : {}) };
    expect(mayTrustAbsence(attempt, delivery, now, SETTLE)).toBe(trust);
  });
});

describe('when a quota deferral copies the item', () => {
  it.each([
    {
      why: 'first attempt of a fresh item: nothing was ever sent',
      attempt: 1,
      verify: undefined,
      copy: undefined,
    },
    {
      why: 'first attempt of a settle copy: its look still holds',
      attempt: 1,
      verify: { absentSince: T },
      copy: { absentSince: T },
    },
    {
      why: 'a retry: a send may have happened, settle afresh',
      attempt: 3,
      verify: undefined,
      copy: {},
    },
    { why: 'a retried settle copy', attempt: 2, verify: { absentSince: T }, copy: {} },
  ])('$why', ({ attempt, verify, copy }) => {
    expect(verificationForCopy(attempt, { ...event, ...(verify ? { verify } : {}) })).toEqual(copy);
  });

  it('then the lead-resolving step (no lead id, never sends an activity) needs no look', () => {
    const { leadId: _leadId, ...noLead } = event;
    expect(verificationForCopy(4, noLead)).toBeUndefined();
  });
});

describe('follow-up items', () => {
  it('when nothing is found yet, then the settle copy is due later and remembers when', () => {
    const copy = settleCopy({ ...event, verify: {} }, T, SETTLE);
    expect(copy).toEqual({
      kind: 'meeting-activity',
      dedupeKey: `meeting:m-1#2~settle@${T}`,
      payload: { ...event, verify: { absentSince: T } },
      nextAttemptAt: T + SETTLE,
    });
  });

  it('when the lead is resolved, then one fresh item per event carries it, without verify', () => {
    const { leadId: _leadId, ...noLead } = event;
    const item = withResolvedLead({ ...noLead, verify: {} }, 42);
    expect(item).toEqual({
      kind: 'meeting-activity',
      dedupeKey: 'meeting:m-1#2~lead',
      payload: { ...noLead, leadId: 42 },
    });
  });

  it('when looking, then the window starts before the event and the first enqueue', () => {
    expect(lookupSince(event, T + 5_000)).toBe(T - LOOKUP_MARGIN_MS);
    expect(lookupSince(event, T - 5_000)).toBe(T - 5_000 - LOOKUP_MARGIN_MS);
  });
});

describe('the activity record and reading it back', () => {
  it('when built, then it names every attribute by apiName and leaves empty ones out', () => {
    const input = toMeetingActivityInput(7, 100001, { ...event, agentName: '' });
    expect(input).toMatchObject({
      leadId: 7,
      activityTypeId: 100001,
      activityDate: new Date(T).toISOString(),
      primaryAttributeValue: 'm-1',
    });
    const names = input.attributes.map((a) => a.apiName);
    expect(names).not.toContain('agentName');
    expect(names).not.toContain('meetingUrl');
    const declared = new Set(MEETING_ACTIVITY_TYPE.attributes.map((a) => a.apiName));
    expect(names.every((name) => declared.has(name))).toBe(true);
    expect(input.attributes).toContainEqual({ apiName: 'eventId', value: 'meeting:m-1#2' });
    expect(MEETING_ACTIVITY_TYPE.attributes.length).toBeLessThanOrEqual(20);
  });

  const activity = (attributes: LeadActivity['attributes']): LeadActivity => ({
    id: '1',
    leadId: 7,
    activityDate: '2026-11-24T12:00:00Z',
    activityAt: T,
    activityTypeId: 100001,
    attributes,
  });
  it.each([
    {
      why: 'by apiName',
      attributes: [{ name: 'Event ID', apiName: 'eventId', value: 'meeting:m-1#2' }],
      id: 'meeting:m-1#2',
    },
    {
      why: 'by display name only',
      attributes: [{ name: 'Event ID', value: 'meeting:m-1#2' }],
      id: 'meeting:m-1#2',
    },
    { why: 'absent', attributes: [{ name: 'Meeting Status', value: 'booked' }], id: undefined },
    {
      why: 'another attribute shown as "Event ID"',
      attributes: [{ name: 'Event ID', apiName: 'other', value: 'x' }],
      id: undefined,
    },
  ])('when read back $why, then the event id is $id', ({ attributes, id }) => {
    expect(meetingEventIdOf(activity(attributes))).toBe(id);
  });
});

describe('when a failure that wrote nothing is retried as a fresh copy (no look, no settling)', () => {
  it.each([
    {
      what: 'first attempt, nothing sent before',
      attempt: 1,
      verify: undefined,
      unsent: undefined,
      notExecuted: true,
      copy: true,
    },
    {
      what: 'the failure may have written',
      attempt: 1,
      verify: undefined,
      unsent: undefined,
      notExecuted: false,
      copy: false,
    },
    {
      what: 'an earlier attempt may have sent',
      attempt: 2,
      verify: undefined,
      unsent: undefined,
      notExecuted: true,
      copy: false,
    },
    {
      what: 'a copy that must look first',
      attempt: 1,
      verify: {},
      unsent: undefined,
      notExecuted: true,
      copy: false,
    },
    {
      what: 'an unsent copy failing again',
      attempt: 1,
      verify: undefined,
      unsent: 3,
      notExecuted: true,
      copy: true,
    },
    {
      what: 'the unsent tries are used up',
      attempt: 1,
      verify: undefined,
      unsent: MAX_UNSENT_TRIES,
      notExecuted: true,
      copy: false,
    },
  ])('$what: copy $copy', ({ attempt, verify, unsent, notExecuted, copy }) => {
    const delivery: MeetingDelivery = {
      ...event,
      ...(verify === undefined ? {} : { verify }),
      ...(unsent === undefined ? {} : { unsent }),
    };
    expect(mayRetryAsUnsent({ attempt, delivery, notExecuted })).toBe(copy);
  });

  it('the copy is keyed per try, carries the count, drops any verification and is due when asked', () => {
    expect(unsentCopy({ ...event, verify: {} }, 2, T + 4_000)).toEqual({
      kind: 'meeting-activity',
      dedupeKey: 'meeting:m-1#2~unsent@2',
      payload: { ...event, unsent: 2 },
      nextAttemptAt: T + 4_000,
    });
  });
});
