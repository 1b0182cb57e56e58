import { describe, expect, it } from 'vitest';
import { chatEventKeyOf } from '../../src/chat/chat-activity-type.js';
import {
  chatActivityIdentity,
  chatActivityItem,
  chatActivityPayloadSchema,
  type ChatActivity,
} from '../../src/chat/chat-events-outbox.js';
import type { LeadActivity } from '../../src/clients/marketo/types.js';
import {
  attemptForRules,
  LOOKUP_MARGIN_MS,
  lookupSince,
  settleCopy,
  unsentCopy,
  verificationForCopy,
} from '../../src/marketo-activities/activity-verification.js';

const T = Date.UTC(2026, 11, 7, 12, 0, 0);
const activity: ChatActivity = {
  eventId: 'event-1',
  type: 'goal-reached',
  dialogueId: 'welcome',
  dialogueVersion: 1,
  dialogueName: 'Welcome',
  conversationId: 'conv-a',
  pageUrl: 'https://www.example.com/pricing',
  identity: 'typed',
  occurredAt: T,
};
const identity = chatActivityIdentity(activity);

describe('the exactly-once rules applied to a chat activity item', () => {
  it('when the event is enqueued, then its item and its copies share one key base', () => {
    expect(chatActivityItem(7, activity)).toEqual({
      kind: 'marketo-chat-activity',
      dedupeKey: 'chat-activity:conv-a:event-1',
      payload: { leadId: 7, activity },
    });
    expect(identity).toEqual({
      kind: 'marketo-chat-activity',
      dedupeKey: 'chat-activity:conv-a:event-1',
    });
  });

  it('when nothing is found yet, then the settle copy keeps the payload, remembers when and is due later', () => {
    expect(settleCopy(identity, { leadId: 7, activity, verify: {} }, T, 120_000)).toEqual({
      kind: 'marketo-chat-activity',
      dedupeKey: `chat-activity:conv-a:event-1~settle@${T}`,
      payload: { leadId: 7, activity, verify: { absentSince: T } },
      nextAttemptAt: T + 120_000,
    });
  });

  it('when an attempt certainly sent nothing, then the unsent copy drops verify and counts the try', () => {
    expect(unsentCopy(identity, { leadId: 7, activity, verify: {} }, 3, T + 8_000)).toEqual({
      kind: 'marketo-chat-activity',
      dedupeKey: 'chat-activity:conv-a:event-1~unsent@3',
      payload: { leadId: 7, activity, unsent: 3 },
      nextAttemptAt: T + 8_000,
    });
  });

  it.each([
    { attempt: 1, verify: undefined, copy: undefined },
    { attempt: 1, verify: { absentSince: T }, copy: { absentSince: T } },
    { attempt: 2, verify: undefined, copy: {} },
  ])('when a quota deferral copies attempt $attempt, then its verify is $copy', (row) => {
    const delivery = { leadId: 7, activity, ...(row.verify ? { verify: row.verify } : {}) };
    expect(verificationForCopy(row.attempt, delivery)).toEqual(row.copy);
  });

  it('when looking, then the window starts before the event and the first enqueue', () => {
    expect(lookupSince(T, T + 5_000)).toBe(T - LOOKUP_MARGIN_MS);
    expect(lookupSince(T, T - 5_000)).toBe(T - 5_000 - LOOKUP_MARGIN_MS);
  });

  it('when a payload stored before verification is read, then it parses without verify or unsent', () => {
    const parsed = chatActivityPayloadSchema.parse({ leadId: 7, activity });
    expect(parsed).toEqual({ leadId: 7, activity });
    expect(chatActivityPayloadSchema.parse({ leadId: 7, activity, unsent: 2 }).unsent).toBe(2);
  });
});

describe('when the rules count the attempt', () => {
  it.each([
    { why: 'a fresh item', attempt: 1, lastError: undefined, counted: 1 },
    { why: 'a retry', attempt: 3, lastError: 'HTTP 502', counted: 3 },
    { why: 'a replayed dead letter (count reset)', attempt: 1, lastError: 'HTTP 502', counted: 2 },
  ])('$why: attempt $counted', ({ attempt, lastError, counted }) => {
    expect(attemptForRules(attempt, lastError)).toBe(counted);
  });
});

describe('reading the chat event key back from Marketo', () => {
  const read = (attributes: LeadActivity['attributes']): LeadActivity => ({
    id: '1',
    leadId: 7,
    activityDate: '2026-12-07T12:00:00Z',
    activityAt: T,
    activityTypeId: 100002,
    attributes,
  });
  it.each([
    {
      why: 'by apiName',
      attributes: [
        { name: 'Conversation ID', apiName: 'conversationId', value: 'conv-a' },
        { name: 'Event ID', apiName: 'eventId', value: 'event-1' },
      ],
      key: 'conv-a:event-1',
    },
    {
      why: 'by display name only',
      attributes: [
        { name: 'Conversation ID', value: 'conv-a' },
        { name: 'Event ID', value: 'event-1' },
      ],
      key: 'conv-a:event-1',
    },
    {
      why: 'without the conversation',
      attributes: [{ name: 'Event ID', apiName: 'eventId', value: 'event-1' }],
      key: undefined,
    },
    {
      why: 'without the event id',
      attributes: [{ name: 'Conversation ID', apiName: 'conversationId', value: 'conv-a' }],
      key: undefined,
    },
  ])('when read back $why, then the key is $key', ({ attributes, key }) => {
    expect(chatEventKeyOf(read(attributes))).toBe(key);
  });
});
