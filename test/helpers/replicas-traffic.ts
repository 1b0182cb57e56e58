import type { MarketoSandbox } from '../../src/sandbox/index.js';
import { REPLICA_SECRETS, type Replica } from './replicas-cluster.js';

/** The requests the replica test drives: the widget's booking, Marketo's lead webhook. */

/** The first `count` free slot starts of one agent, as the widget lists them. */
export async function slotsOf(replica: Replica, agentId: string, count: number): Promise<string[]> {
  const res = await replica.call(
    `/chat/slots?timeZone=UTC&days=14&agentId=${encodeURIComponent(agentId)}`,
  );
  if (res.status !== 200) throw new Error(`slots: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { days: Array<{ slots: Array<{ start: string }> }> };
  const starts = body.days.flatMap((day) => day.slots.map((slot) => slot.start));
  if (starts.length < count) throw new Error(`only ${starts.length} slots, ${count} needed`);
  return starts.slice(0, count);
}

/** POST /chat/meetings as a visitor at address `from` (TRUST_PROXY_HOPS=1). */
export async function bookMeeting(
  replica: Replica,
  booking: { agentId: string; start: string; email: string; cookie?: string; from: string },
): Promise<{ status: number; meetingId: string | undefined }> {
  const res = await fetch(`${replica.url}/chat/meetings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': booking.from },
    body: JSON.stringify({
      start: booking.start,
      email: booking.email,
      timeZone: 'UTC',
      agentId: booking.agentId,
      ...(booking.cookie === undefined ? {} : { mktoTrk: booking.cookie }),
    }),
  });
  const body = (await res.json()) as { meeting?: { id?: string } };
  return { status: res.status, meetingId: body.meeting?.id };
}

/** One "Call Webhook" of a trigger campaign: changed fields of one lead. */
export async function sendLeadWebhook(
  replica: Replica,
  lead: { id: number; firstName: string },
): Promise<number> {
  const res = await fetch(`${replica.url}/webhooks/marketo/lead`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Webhook-Secret': REPLICA_SECRETS.WEBHOOK_SECRET,
    },
    body: JSON.stringify(lead),
  });
  await res.arrayBuffer();
  return res.status;
}

/** The booking event id of every meeting the service holds (`meeting:<id>#1`). */
export async function meetingEventIds(replica: Replica): Promise<string[]> {
  const res = await replica.call('/api/meetings?limit=1000');
  if (res.status !== 200) throw new Error(`meetings: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { meetings: Array<{ id: string }> };
  return body.meetings.map((meeting) => `meeting:${meeting.id}#1`).sort();
}

/** How many times each meeting event was added to Marketo, by event id. */
export function writtenActivities(sandbox: MarketoSandbox): Map<string, number> {
  const counts = new Map<string, number>();
  for (const activity of sandbox.customActivities()) {
    const eventId = activity.attributes.find((a) => a.apiName === 'eventId')?.value;
    counts.set(String(eventId), (counts.get(String(eventId)) ?? 0) + 1);
  }
  return counts;
}

export interface SyncStatusView {
  state: 'idle' | 'running';
  phase: string;
  leadsStored: number;
  lastRun: { runId: string; mode: string; outcome: string; leadsUpserted: number } | null;
}

/** GET /api/sync/status of one replica. */
export async function syncStatusOf(replica: Replica): Promise<SyncStatusView> {
  const res = await replica.call('/api/sync/status');
  if (res.status !== 200) throw new Error(`sync status: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as SyncStatusView;
}

/**
 * The replica's sync status once no run is in hand and the last one (other than `after`)
 * succeeded; undefined before, for pollFor.
 */
export async function settledSync(
  replica: Replica,
  after?: string,
): Promise<SyncStatusView | undefined> {
  const status = await syncStatusOf(replica);
  const last = status.lastRun;
  if (status.state !== 'idle' || last === null || last.runId === after) return undefined;
  if (last.outcome !== 'succeeded') return undefined;
  return status;
}
