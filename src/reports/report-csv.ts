import { stringify } from 'csv-stringify/sync';
import type { AgentReport } from './agent-report.js';
import type { DialogueReport } from './dialogue-report.js';

/**
 * The reports as CSV (RFC 4180, written by csv-stringify: fields with commas, quotes or line
 * breaks are quoted, quotes doubled, CRLF between records), one header row. `escape_formulas`
 * puts a quote before a value starting with = + - @ (tab, CR) so a name typed in the admin
 * console cannot run as a spreadsheet formula. Rates are fractions (0.25 = 25 %), empty when
 * there is no denominator.
 */

const csv = (rows: unknown[][]) =>
  stringify(rows, {
    record_delimiter: 'windows',
    // With CRLF records csv-stringify quotes only fields holding CRLF; RFC 4180 wants any CR
    // or LF quoted (a name typed with a line break would otherwise split its row).
    quoted_match: /[\r\n]/,
    escape_formulas: true,
    cast: { number: String },
  });
const cell = (value: number | string | null) => (value === null ? '' : value);

const DIALOGUE_COUNTS = [
  'triggered',
  'engaged',
  'completed',
  'peopleAcquired',
  'meetingsBooked',
  'goalsReached',
] as const;

/** One row per dialogue; with `byDay`, one per dialogue and day (counts only). */
export function dialogueReportCsv(report: DialogueReport, byDay = false): string {
  if (byDay) {
    const header = ['dialogueId', 'dialogueName', 'day', 'timeZone', ...DIALOGUE_COUNTS];
    const rows = report.dialogues.flatMap((line) =>
      line.days.map((day) => [
        line.dialogueId,
        cell(line.dialogueName),
        day.day,
        report.timeZone,
        ...DIALOGUE_COUNTS.map((key) => day[key]),
      ]),
    );
    return csv([header, ...rows]);
  }
  const header = [
    'dialogueId',
    'dialogueName',
    'from',
    'to',
    'timeZone',
    ...DIALOGUE_COUNTS,
    'conversions',
    'engagementRate',
    'completionRate',
    'conversionRate',
  ];
  const rows = report.dialogues.map((line) => [
    line.dialogueId,
    cell(line.dialogueName),
    report.from,
    report.to,
    report.timeZone,
    ...DIALOGUE_COUNTS.map((key) => line[key]),
    line.conversions,
    cell(line.engagementRate),
    cell(line.completionRate),
    cell(line.conversionRate),
  ]);
  return csv([header, ...rows]);
}

export function agentReportCsv(report: AgentReport): string {
  const header = [
    'agentId',
    'agentName',
    'agentEmail',
    'from',
    'to',
    'timeZone',
    'booked',
    'held',
    'noShows',
    'cancelled',
    'showRate',
  ];
  const rows = report.agents.map((line) => [
    line.agentId,
    line.agentName,
    line.agentEmail,
    report.from,
    report.to,
    report.timeZone,
    line.booked,
    line.held,
    line.noShows,
    line.cancelled,
    cell(line.showRate),
  ]);
  return csv([header, ...rows]);
}
