import { z } from 'zod';
import type { NewOutboxItem } from '../store/types.js';
import {
  chatActivityItem,
  chatActivitySchema,
  chatLeadUpsertItem,
  type ChatActivity,
} from './chat-events-outbox.js';
import {
  chatActionItem,
  chatActionSchema,
  chatLeadFieldsItem,
  leadFieldValuesSchema,
  type LeadRef,
} from './chat-write-items.js';

/**
 * What one widget event writes to Marketo: always its chat activity; for an `answered` event the
 * values of answers mapped to lead fields; for `action-reached` the card's action. Written at
 * once for a visitor we can name a lead for, or held with the conversation until an event names
 * one (the email card, or an email answer), then written to that lead in the same store write.
 */
export const pendingWritesSchema = z.object({
  activity: chatActivitySchema,
  leadFields: leadFieldValuesSchema.optional(),
  action: z.object({ cardId: z.string().min(1).max(40), action: chatActionSchema }).optional(),
});
export type PendingWrites = z.infer<typeof pendingWritesSchema>;

/** Where a visitor's writes go, once we can name their lead. */
export interface WriteTarget {
  /** The chat activity's item: on the lead id, or an upsert by email followed by it. */
  activity: (activity: ChatActivity) => NewOutboxItem;
  /** Field values are written createOrUpdate by email when there is one. */
  fieldsLead: LeadRef;
  /** Actions need the lead id: given, or found or created by email when delivered. */
  actionLead: LeadRef;
}

export function cookieTarget(leadId: number, leadEmail: string | undefined): WriteTarget {
  return {
    activity: (activity) => chatActivityItem(leadId, { ...activity, identity: 'cookie' }),
    fieldsLead: leadEmail === undefined || leadEmail === '' ? { leadId } : { email: leadEmail },
    actionLead: { leadId },
  };
}

export function typedTarget(email: string, localLeadId: number | undefined): WriteTarget {
  return {
    activity: (activity) => {
      const typed = { ...activity, identity: 'typed' as const };
      return localLeadId === undefined
        ? chatLeadUpsertItem(email, typed)
        : chatActivityItem(localLeadId, typed);
    },
    fieldsLead: { email },
    actionLead: localLeadId === undefined ? { email } : { leadId: localLeadId },
  };
}

/** The outbox items of one event's writes for `target`. */
export function writeItems(target: WriteTarget, writes: PendingWrites): NewOutboxItem[] {
  const { activity } = writes;
  const items = [target.activity(activity)];
  if (writes.leadFields !== undefined && Object.keys(writes.leadFields).length > 0) {
    const key = `${activity.conversationId}:${activity.eventId}`;
    items.push(chatLeadFieldsItem(target.fieldsLead, writes.leadFields, key));
  }
  if (writes.action !== undefined) {
    const { cardId, action } = writes.action;
    items.push(chatActionItem(target.actionLead, action, activity.conversationId, cardId));
  }
  return items;
}

/**
 * The items of values held while the conversation was anonymous, oldest first: each is a
 * PendingWrites, or a bare activity held before field values and actions existed; one that no
 * longer parses is dropped, not fatal. An action held twice is released once (same key).
 */
export function releaseHeld(target: WriteTarget, held: readonly unknown[]): NewOutboxItem[] {
  const items: NewOutboxItem[] = [];
  const keys = new Set<string>();
  for (const value of held) {
    const writes = pendingWritesSchema.safeParse(value);
    const legacy = writes.success ? undefined : chatActivitySchema.safeParse(value);
    const pending = writes.success
      ? writes.data
      : legacy?.success === true
        ? { activity: legacy.data }
        : undefined;
    if (pending === undefined) continue;
    for (const item of writeItems(target, pending)) {
      if (keys.has(item.dedupeKey)) continue;
      keys.add(item.dedupeKey);
      items.push(item);
    }
  }
  return items;
}
