import type { CustomActivityInput, LeadActivity } from '../clients/marketo/types.js';
import { activityAttributeOf } from '../marketo-activities/activity-finder.js';
import type { CustomActivityTypeDefinition } from '../marketo-activities/ensure-activity-type.js';
import { meetingEventId, type MeetingActivityPayload } from './meeting-events-outbox.js';

/**
 * The custom activity type every meeting event is written as (marketo-facts.md §4, §7.6).
 * Dynamic Chat records one "Scheduled Meeting in Dialogue" activity whose `meeting status`
 * token tells booked from cancelled; ours follows it with one type for the booking and every
 * later status change, under names of its own (trigger and filter names must be unique in the
 * subscription): "Schedules Chat Meeting" fires in trigger campaigns, "Scheduled Chat Meeting"
 * builds smart lists, each with constraints on the attributes below (Meeting Status is booked,
 * rescheduled, cancelled, completed or no-show).
 *
 * The primary attribute is the meeting id: stable, and it ties the status changes of one
 * meeting together in the activity log. `eventId` (`meeting:<id>#<seq>`) is unique per event:
 * the outbox looks for it before resending, since Marketo has no idempotency key. Display names
 * are the trigger tokens marketers will type ({{trigger.Meeting Status}}), so they follow
 * Dynamic Chat's where it has one (Agent Email, Agent Name, Scheduled For).
 */
export const MEETING_ACTIVITY_TYPE: CustomActivityTypeDefinition = {
  apiName: 'mcChatMeeting',
  name: 'Schedule Chat Meeting',
  description: 'A meeting booked through a chat dialogue, or a change of its status',
  triggerName: 'Schedules Chat Meeting',
  filterName: 'Scheduled Chat Meeting',
  primaryAttribute: {
    apiName: 'meetingId',
    name: 'Meeting ID',
    description: 'The id of the meeting in the chat service',
  },
  attributes: [
    {
      apiName: 'status',
      name: 'Meeting Status',
      dataType: 'string',
      description: 'booked, rescheduled, cancelled, completed or no-show',
    },
    { apiName: 'agentEmail', name: 'Agent Email', dataType: 'email' },
    { apiName: 'agentName', name: 'Agent Name', dataType: 'string' },
    { apiName: 'startTime', name: 'Scheduled For', dataType: 'datetime' },
    { apiName: 'durationMinutes', name: 'Duration Minutes', dataType: 'integer' },
    {
      apiName: 'provider',
      name: 'Calendar Provider',
      dataType: 'string',
      description: 'local, google or microsoft',
    },
    { apiName: 'meetingUrl', name: 'Meeting URL', dataType: 'string' },
    { apiName: 'routingRule', name: 'Routing Rule', dataType: 'string' },
    { apiName: 'dialogueId', name: 'Dialogue ID', dataType: 'string' },
    {
      apiName: 'eventId',
      name: 'Event ID',
      dataType: 'string',
      description: 'Unique per event: a second activity with the same id is a duplicate',
    },
  ],
};

const EVENT_ID = { apiName: 'eventId', name: 'Event ID' };

/** Marketo `string` values hold at most 255 characters. */
const MAX_STRING = 255;
const cut = (text: string) => (text.length > MAX_STRING ? text.slice(0, MAX_STRING) : text);

/** One Add Custom Activities record for a meeting event on lead `leadId`. */
export function toMeetingActivityInput(
  leadId: number,
  activityTypeId: number,
  event: MeetingActivityPayload,
): CustomActivityInput {
  const attributes: CustomActivityInput['attributes'] = [
    { apiName: 'status', value: event.status },
    { apiName: 'startTime', value: new Date(event.start).toISOString() },
    { apiName: 'durationMinutes', value: event.durationMinutes },
    { apiName: 'provider', value: event.provider },
    { apiName: EVENT_ID.apiName, value: meetingEventId(event.meetingId, event.seq) },
  ];
  // Empty values are left out, as Marketo leaves out empty attributes when reading back.
  const optional: Array<[string, string | undefined]> = [
    ['agentEmail', event.agentEmail],
    ['agentName', event.agentName],
    ['meetingUrl', event.meetingUrl],
    ['routingRule', event.routingRule],
    ['dialogueId', event.dialogueId],
  ];
  for (const [apiName, value] of optional) {
    if (value !== undefined && value !== '') attributes.push({ apiName, value: cut(value) });
  }
  return {
    leadId,
    activityDate: new Date(event.occurredAt).toISOString(),
    activityTypeId,
    primaryAttributeValue: cut(event.meetingId),
    attributes,
  };
}

/** The event id of a meeting activity read back with Get Lead Activities (activity-finder.ts). */
export function meetingEventIdOf(activity: LeadActivity): string | undefined {
  return activityAttributeOf(activity, EVENT_ID);
}
