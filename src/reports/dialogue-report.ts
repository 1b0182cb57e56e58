import type { Dialogue } from '../records/chat-dialogue.js';
import type { DialogueReportRows } from '../records/conversation-log.js';
import { daysOf, type DateRange } from './report-range.js';

/** The counts of one dialogue over a range or a day (Dynamic Chat's dialogue report). */
export interface DialogueCounts {
  triggered: number;
  engaged: number;
  completed: number;
  /** Emails given (Dynamic Chat's "People Acquired"). */
  peopleAcquired: number;
  meetingsBooked: number;
  goalsReached: number;
}

export interface DialogueReportLine extends DialogueCounts {
  dialogueId: string;
  /** The dialogue's name now; null for a dialogue deleted since. */
  dialogueName: string | null;
  /** Conversations that gave an email or booked a meeting (each counted once). */
  conversions: number;
  /** engaged / triggered; null when nothing was triggered. */
  engagementRate: number | null;
  /** completed / engaged; null when nothing was engaged. */
  completionRate: number | null;
  /** conversions / engaged; null when nothing was engaged. */
  conversionRate: number | null;
  /** Every day of the range, in order, zeros included. */
  days: Array<DialogueCounts & { day: string }>;
}

export interface DialogueReport {
  from: string;
  to: string;
  timeZone: string;
  dialogues: DialogueReportLine[];
}

const COUNTED: Record<string, keyof DialogueCounts> = {
  triggered: 'triggered',
  engaged: 'engaged',
  completed: 'completed',
  'email-given': 'peopleAcquired',
  'meeting-booked': 'meetingsBooked',
  'goal-reached': 'goalsReached',
};

const zero = (): DialogueCounts => ({
  triggered: 0,
  engaged: 0,
  completed: 0,
  peopleAcquired: 0,
  meetingsBooked: 0,
  goalsReached: 0,
});

/** Rounded to 4 decimals (0.1234 = 12.34 %), null without a denominator. */
export const rate = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;

/**
 * Builds the report from the store's counts per dialogue, day and event type. Every published
 * dialogue gets a line (zeros included), and so does any dialogue with events in the range.
 */
export function buildDialogueReport(
  range: DateRange,
  rows: DialogueReportRows,
  dialogues: readonly Dialogue[],
): DialogueReport {
  const days = daysOf(range);
  const byDialogue = new Map<string, Map<string, DialogueCounts>>();
  const dayCounts = (dialogueId: string) => {
    let map = byDialogue.get(dialogueId);
    if (map === undefined) {
      map = new Map(days.map((day) => [day, zero()]));
      byDialogue.set(dialogueId, map);
    }
    return map;
  };
  for (const dialogue of dialogues) if (dialogue.published !== null) dayCounts(dialogue.id);
  for (const row of rows.days) {
    const counter = COUNTED[row.type];
    const day = dayCounts(row.dialogueId).get(row.day);
    if (counter !== undefined && day !== undefined) day[counter] += row.count;
  }
  const names = new Map(
    dialogues.map((d) => [d.id, d.published?.content.name ?? d.draft.name] as const),
  );
  const lines = [...byDialogue].map(([dialogueId, perDay]): DialogueReportLine => {
    const total = zero();
    for (const counts of perDay.values()) {
      for (const key of Object.keys(total) as Array<keyof DialogueCounts>)
        total[key] += counts[key];
    }
    const conversions = rows.converted[dialogueId] ?? 0;
    return {
      dialogueId,
      dialogueName: names.get(dialogueId) ?? null,
      ...total,
      conversions,
      engagementRate: rate(total.engaged, total.triggered),
      completionRate: rate(total.completed, total.engaged),
      conversionRate: rate(conversions, total.engaged),
      days: [...perDay].map(([day, counts]) => ({ day, ...counts })),
    };
  });
  lines.sort((a, b) => (a.dialogueId < b.dialogueId ? -1 : 1));
  return { from: range.fromDate, to: range.toDate, timeZone: range.timeZone, dialogues: lines };
}
