import type { Clock } from '../deps.js';
import type { Meeting } from '../records/meeting-contract.js';
import type { MeetingStore } from '../store/meeting-store-types.js';
import type { OutboxStore } from '../store/types.js';
import { reminderItem } from './notification-items.js';

export interface MeetingRemindersDeps {
  store: Pick<MeetingStore, 'listMeetings'> & Pick<OutboxStore, 'enqueueOutbox'>;
  clock: Clock;
}

export interface MeetingReminderReport {
  /** Meetings to come whose reminder time has come. */
  due: number;
  /** Reminders enqueued by this run (the others were enqueued by an earlier one). */
  enqueued: number;
  /** Booked or moved within the reminder's lead: their confirmation is fresh, no reminder. */
  bookedLate: number;
}

/**
 * The visitors' reminders: every booked or rescheduled meeting starting within `leadMs` from
 * now gets one reminder for its start, enqueued in the outbox under the key
 * `notify:visitor-reminder:<meeting>@<start>`. Idempotent: a later run (or another leader after
 * a failover) finds the key taken and adds nothing; a meeting moved to another start gets a new
 * key, so a new reminder; a cancelled meeting is not active and gets none (and a reminder
 * enqueued before it was cancelled or moved is dropped when delivered, notification-handler.ts).
 *
 * A meeting booked (or moved) when its start was already within the lead gets no reminder, as
 * in Calendly: the visitor has just chosen the time. The outbox keeps a delivered reminder's key
 * longer than the lead (config.ts checks OUTBOX_RETENTION_MS against REMINDER_MINUTES_BEFORE),
 * so the prune never frees a key while its meeting is still in the window.
 */
export async function runMeetingReminders(
  deps: MeetingRemindersDeps,
  options: { leadMs: number },
): Promise<MeetingReminderReport> {
  const report: MeetingReminderReport = { due: 0, enqueued: 0, bookedLate: 0 };
  if (options.leadMs <= 0) return report;
  const now = deps.clock.now();
  // Starting in (now, now + lead]: the reminder is due once `start - lead` has come.
  const window = { from: now + 1, to: now + options.leadMs + 1 };
  const [booked, moved] = await Promise.all([
    deps.store.listMeetings({ ...window, status: 'booked' }),
    deps.store.listMeetings({ ...window, status: 'rescheduled' }),
  ]);
  const due: Meeting[] = [];
  for (const meeting of [...booked, ...moved]) {
    if (timeChosenAt(meeting) >= meeting.start - options.leadMs) report.bookedLate += 1;
    else due.push(meeting);
  }
  report.due = due.length;
  if (due.length === 0) return report;
  const results = await deps.store.enqueueOutbox(
    due.map((meeting) => reminderItem(meeting, now)),
    now,
  );
  report.enqueued = results.filter((result) => result.created).length;
  return report;
}

/** When the meeting's current time was chosen: its booking, or its last reschedule. */
function timeChosenAt(meeting: Meeting): number {
  for (let i = meeting.history.length - 1; i >= 0; i -= 1) {
    const entry = meeting.history[i]!;
    if (entry.status === 'booked' || entry.status === 'rescheduled') return entry.at;
  }
  return meeting.createdAt;
}
