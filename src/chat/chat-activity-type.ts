import type { CustomActivityInput, LeadActivity } from '../clients/marketo/types.js';
import { activityAttributeOf } from '../marketo-activities/activity-finder.js';
import type { CustomActivityTypeDefinition } from '../marketo-activities/ensure-activity-type.js';
import { chatEventKey, type ChatActivity } from './chat-events-outbox.js';

/**
 * The custom activity type every chat event is written as (marketo-facts.md §4 and §7.6). Dynamic
 * Chat's own "Interacted with Dialogue" activity is built in and cannot be written through the
 * API, so ours is a custom type with its own trigger and filter: "Interacts with Chat Dialogue"
 * fires in trigger campaigns, "Interacted with Chat Dialogue" (with the `event` constraint:
 * triggered, engaged, email-given, goal-reached, meeting-booked, completed) builds smart lists.
 * Dynamic Chat keeps such activity 90 days (§7.2 Retention); Marketo keeps ours as any activity.
 */
export const CHAT_ACTIVITY_TYPE: CustomActivityTypeDefinition = {
  apiName: 'mcChatInteraction',
  name: 'Interact with Chat Dialogue',
  description: 'A visitor event in a chat dialogue (marketo-chat service)',
  triggerName: 'Interacts with Chat Dialogue',
  filterName: 'Interacted with Chat Dialogue',
  primaryAttribute: {
    apiName: 'dialogueName',
    name: 'Dialogue Name',
    description: 'Name of the dialogue',
  },
  attributes: [
    { apiName: 'event', name: 'Event', dataType: 'string', description: 'triggered, engaged, …' },
    { apiName: 'dialogueId', name: 'Dialogue ID', dataType: 'string' },
    { apiName: 'dialogueVersion', name: 'Dialogue Version', dataType: 'integer' },
    { apiName: 'pageUrl', name: 'Page URL', dataType: 'string' },
    {
      apiName: 'value',
      name: 'Value',
      dataType: 'string',
      description: 'The email given, the goal reached or the meeting id',
    },
    { apiName: 'conversationId', name: 'Conversation ID', dataType: 'string' },
    {
      apiName: 'identity',
      name: 'Identity',
      dataType: 'string',
      description: 'cookie: known by its Munchkin cookie; typed: an email the visitor typed',
    },
    {
      apiName: 'eventId',
      name: 'Event ID',
      dataType: 'string',
      description: 'Unique per event: a second activity with the same id is a duplicate',
    },
    {
      apiName: 'transcriptUrl',
      name: 'Transcript',
      dataType: 'link',
      description: 'A signed, expiring link to the conversation transcript (read only)',
    },
  ],
};

/**
 * Attributes added after the type first went live: a type approved before them lacks them, and
 * chat-activity-attributes.ts adds them to it (or writes activities without them).
 */
export const LATER_CHAT_ATTRIBUTES: readonly string[] = ['identity', 'transcriptUrl'];

/** Marketo `string` values hold at most 255 characters; a page URL may be longer. */
const MAX_STRING = 255;
const cut = (text: string) => (text.length > MAX_STRING ? text.slice(0, MAX_STRING) : text);

/**
 * One Add Custom Activities record for an event on lead `leadId`. `withIdentity` false leaves
 * out the `identity` attribute, for a type made before it existed (chat-activity-attributes.ts).
 */
export function toChatActivityInput(
  leadId: number,
  activityTypeId: number,
  activity: ChatActivity,
  withIdentity = true,
  /** The transcript link (transcripts/transcript-links.ts); left out when absent or too long. */
  transcriptUrl?: string,
): CustomActivityInput {
  const attributes: CustomActivityInput['attributes'] = [
    { apiName: 'event', value: activity.type },
    { apiName: 'dialogueId', value: activity.dialogueId },
    { apiName: 'dialogueVersion', value: activity.dialogueVersion },
    { apiName: 'pageUrl', value: cut(activity.pageUrl) },
    { apiName: 'conversationId', value: activity.conversationId },
    { apiName: 'eventId', value: activity.eventId },
  ];
  if (withIdentity) attributes.push({ apiName: 'identity', value: activity.identity });
  if (activity.value !== undefined) attributes.push({ apiName: 'value', value: activity.value });
  // A cut link would not open: one too long for the attribute is left out.
  if (transcriptUrl !== undefined && transcriptUrl.length <= MAX_STRING) {
    attributes.push({ apiName: 'transcriptUrl', value: transcriptUrl });
  }
  return {
    leadId,
    activityDate: new Date(activity.occurredAt).toISOString(),
    activityTypeId,
    primaryAttributeValue: cut(activity.dialogueName),
    attributes,
  };
}

/**
 * The event key (chat-events-outbox.ts chatEventKey) of a chat activity read back with Get Lead
 * Activities: event ids are unique only within their conversation, so both attributes are read.
 */
export function chatEventKeyOf(activity: LeadActivity): string | undefined {
  const conversationId = activityAttributeOf(activity, {
    apiName: 'conversationId',
    name: 'Conversation ID',
  });
  const eventId = activityAttributeOf(activity, { apiName: 'eventId', name: 'Event ID' });
  if (conversationId === undefined || eventId === undefined) return undefined;
  return chatEventKey({ conversationId, eventId });
}
