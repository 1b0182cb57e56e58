import { describe, expect, it } from 'vitest';
import { createChatWriteHandlers } from '../../src/chat/chat-write-handlers.js';
import {
  CHAT_ACTION_KIND,
  CHAT_LEAD_FIELDS_KIND,
  chatActionItem,
  chatLeadFieldsItem,
} from '../../src/chat/chat-write-items.js';
import type { RecordResult } from '../../src/clients/marketo/types.js';
import { silentLogger } from '../../src/logger.js';
import { createLeadUpsertBatcher } from '../../src/marketo-activities/lead-upsert-batcher.js';
import type { NewOutboxItem, OutboxItem } from '../../src/store/types.js';

/** A fake Marketo that records each call and answers every record as done. */
function fakeMarketo() {
  const calls: Array<{ call: string; id?: number; leads: unknown[]; options?: unknown }> = [];
  return {
    calls,
    marketo: {
      syncLeads: async (leads: Array<Record<string, unknown>>, options?: unknown) => {
        calls.push({ call: 'syncLeads', leads, options });
        return leads.map((_, i): RecordResult => ({ status: 'updated', id: 500 + i }));
      },
      addLeadsToList: async (listId: number, ids: number[]) => {
        calls.push({ call: 'addLeadsToList', id: listId, leads: ids });
        return ids.map((id): RecordResult => ({ status: 'added', id }));
      },
      requestCampaign: async (campaignId: number, ids: number[]) => {
        calls.push({ call: 'requestCampaign', id: campaignId, leads: ids });
      },
    },
  };
}

const asItem = (item: NewOutboxItem, n: number): OutboxItem => ({
  ...item,
  id: `item-${n}`,
  status: 'pending',
  attempts: 1,
  nextAttemptAt: 0,
  createdAt: 0,
  updatedAt: 0,
});
const ctx = { attempt: 1, now: () => 0, logger: silentLogger };

function setup() {
  const fake = fakeMarketo();
  const handlers = createChatWriteHandlers({
    marketo: fake.marketo,
    store: { findLeadsByEmail: async () => [] },
    upserts: createLeadUpsertBatcher(fake.marketo),
  });
  return { ...fake, handlers };
}

describe('chat write handlers: batches within Marketo limits', () => {
  it('when 150 leads reach one campaign action together, then Request Campaign is called with 100 and 50', async () => {
    const { calls, handlers } = setup();
    const items = Array.from({ length: 150 }, (_, i) =>
      asItem(
        chatActionItem(
          { leadId: i + 1 },
          { kind: 'request-campaign', campaignId: 2001 },
          `c${i}`,
          'follow',
        ),
        i,
      ),
    );
    await Promise.all(items.map((item) => handlers[CHAT_ACTION_KIND](item, ctx)));
    expect(calls.map((c) => [c.call, c.id, c.leads.length])).toEqual([
      ['requestCampaign', 2001, 100],
      ['requestCampaign', 2001, 50],
    ]);
  });

  it('when 301 leads join two lists together, then each list gets its own calls of at most 300', async () => {
    const { calls, handlers } = setup();
    const items = Array.from({ length: 301 }, (_, i) =>
      asItem(
        chatActionItem(
          { leadId: i + 1 },
          { kind: 'add-to-list', listId: i < 300 ? 1001 : 1002 },
          `c${i}`,
          'listed',
        ),
        i,
      ),
    );
    await Promise.all(items.map((item) => handlers[CHAT_ACTION_KIND](item, ctx)));
    expect(calls.map((c) => [c.call, c.id, c.leads.length])).toEqual([
      ['addLeadsToList', 1001, 300],
      ['addLeadsToList', 1002, 1],
    ]);
  });

  it('when field values go to a lead by email and to a lead by id, then the first is a createOrUpdate by email and the second an updateOnly by id', async () => {
    const { calls, handlers } = setup();
    await Promise.all([
      handlers[CHAT_LEAD_FIELDS_KIND](
        asItem(chatLeadFieldsItem({ email: 'A@x.example' }, { phone: '1234567' }, 'c:e1'), 1),
        ctx,
      ),
      handlers[CHAT_LEAD_FIELDS_KIND](
        asItem(chatLeadFieldsItem({ leadId: 9 }, { title: 'CTO' }, 'c:e2'), 2),
        ctx,
      ),
    ]);
    expect(calls).toEqual([
      {
        call: 'syncLeads',
        leads: [{ email: 'a@x.example', phone: '1234567' }],
        options: { lookupField: 'email', action: 'createOrUpdate' },
      },
      {
        call: 'syncLeads',
        leads: [{ id: 9, title: 'CTO' }],
        options: { lookupField: 'id', action: 'updateOnly' },
      },
    ]);
  });

  it('when an action names a lead by a new email, then the lead is created by email first and the action uses its id', async () => {
    const { calls, handlers } = setup();
    await handlers[CHAT_ACTION_KIND](
      asItem(
        chatActionItem(
          { email: 'new@x.example' },
          { kind: 'add-to-list', listId: 1001 },
          'c1',
          'listed',
        ),
        1,
      ),
      ctx,
    );
    expect(calls.map((c) => [c.call, c.leads])).toEqual([
      ['syncLeads', [{ email: 'new@x.example' }]],
      ['addLeadsToList', [500]],
    ]);
  });
});
