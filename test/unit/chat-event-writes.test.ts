import { describe, expect, it } from 'vitest';
import type { ChatActivity } from '../../src/chat/chat-events-outbox.js';
import { cookieTarget, releaseHeld, typedTarget, writeItems } from '../../src/chat/event-writes.js';
import { createLeadUpsertBatcher } from '../../src/marketo-activities/lead-upsert-batcher.js';

const activity = (eventId: string): ChatActivity => ({
  eventId,
  type: 'answered',
  dialogueId: 'd1',
  dialogueVersion: 1,
  dialogueName: 'Qualify',
  conversationId: 'conv-1',
  pageUrl: 'https://www.example.com/',
  identity: 'typed',
  occurredAt: 1,
});
const listAction = { cardId: 'listed', action: { kind: 'add-to-list' as const, listId: 1001 } };

describe('the writes of one event', () => {
  it('when a cookie lead answers and reaches an action, then the activity goes to its id, the fields by its email and the action by its id', () => {
    const items = writeItems(cookieTarget(7, 'ada@acme.example'), {
      activity: activity('e1'),
      leadFields: { phone: '123456' },
      action: listAction,
    });
    expect(items.map((i) => [i.kind, i.dedupeKey, i.payload])).toEqual([
      ['marketo-chat-activity', 'chat-activity:conv-1:e1', expect.objectContaining({ leadId: 7 })],
      [
        'marketo-chat-lead-fields',
        'chat-lead-fields:conv-1:e1',
        { lead: { email: 'ada@acme.example' }, fields: { phone: '123456' } },
      ],
      [
        'marketo-chat-action',
        'chat-action:conv-1:listed',
        expect.objectContaining({ lead: { leadId: 7 } }),
      ],
    ]);
  });

  it('when a new typed email is released, then held values from before (bare activities too) become items, an action held twice once', () => {
    const held = [
      activity('e0'),
      { activity: activity('e1'), action: listAction },
      { activity: activity('e2'), action: listAction },
      { nonsense: true },
    ];
    const items = releaseHeld(typedTarget('new@x.example', undefined), held);
    expect(items.map((i) => i.dedupeKey)).toEqual([
      'chat-lead-upsert:conv-1:e0',
      'chat-lead-upsert:conv-1:e1',
      'chat-action:conv-1:listed',
      'chat-lead-upsert:conv-1:e2',
    ]);
  });
});

describe('createLeadUpsertBatcher', () => {
  it('when an email and its field values are submitted together, then one Sync Leads record carries both', async () => {
    const calls: Array<Array<Record<string, unknown>>> = [];
    const batcher = createLeadUpsertBatcher({
      syncLeads: async (leads) => {
        calls.push(leads);
        return leads.map((_, i) => ({ status: 'created', id: 100 + i }));
      },
    });
    const results = await Promise.all([
      batcher.submit('a@x.example'),
      batcher.submit({ email: 'a@x.example', fields: { phone: '1234567' } }),
      batcher.submit({ email: 'b@x.example', fields: { title: 'CTO' } }),
    ]);
    expect(calls).toEqual([
      [
        { email: 'a@x.example', phone: '1234567' },
        { email: 'b@x.example', title: 'CTO' },
      ],
    ]);
    expect(results.map((r) => r.id)).toEqual([100, 100, 101]);
  });
});
