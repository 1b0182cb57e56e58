import type { JourneyService } from './journey-service.js';

/**
 * What reached the sandbox Marketo, read through its control API (src/sandbox/sandbox-control.ts,
 * `GET /_sandbox/activities`): the lead field changes the service's upserts made and the custom
 * activities it wrote (chat interactions, meetings).
 */

export interface SandboxActivity {
  id: number;
  leadId: number;
  activityTypeId: number;
  primaryAttributeValue?: string;
  attributes: Array<{ name: string; apiName?: string; value: unknown }>;
}

/** Change Data Value, as Marketo numbers it (and the sandbox logs it). */
const CHANGE_DATA_VALUE = 13;

/** The sandbox's recent activities, every kind, oldest first. */
export async function sandboxActivities(journey: JourneyService): Promise<SandboxActivity[]> {
  const res = await fetch(`${journey.sandboxUrl}/_sandbox/activities`);
  return ((await res.json()) as { activities: SandboxActivity[] }).activities;
}

/** Custom activities only (every one ever written), oldest first. */
async function customActivities(journey: JourneyService): Promise<SandboxActivity[]> {
  const res = await fetch(`${journey.sandboxUrl}/_sandbox/activities?type=custom`);
  return ((await res.json()) as { activities: SandboxActivity[] }).activities;
}

/** An activity's attributes by API name (by display name when it has none). */
export function activityAttributes(activity: SandboxActivity): Record<string, unknown> {
  return Object.fromEntries(activity.attributes.map((a) => [a.apiName ?? a.name, a.value]));
}

/** The lead's fields changed through the API, each with its latest new value. */
export function changedFields(
  activities: readonly SandboxActivity[],
  leadId: number,
): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const a of activities) {
    if (a.activityTypeId !== CHANGE_DATA_VALUE || a.leadId !== leadId) continue;
    const field = a.primaryAttributeValue ?? '?';
    changed[field] = a.attributes.find((x) => x.name === 'New Value')?.value;
  }
  return changed;
}

/** The chat's activities (src/chat/chat-activity-type.ts: they carry an `event`). */
export async function chatActivities(journey: JourneyService): Promise<SandboxActivity[]> {
  return (await customActivities(journey)).filter((a) => 'event' in activityAttributes(a));
}

/** The meetings' activities (src/meetings/meeting-activity-type.ts: a `meeting:` event id). */
export async function meetingActivities(journey: JourneyService): Promise<SandboxActivity[]> {
  return (await customActivities(journey)).filter((a) =>
    String(activityAttributes(a)['eventId']).startsWith('meeting:'),
  );
}
