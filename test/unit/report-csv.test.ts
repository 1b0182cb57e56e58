import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { agentReportCsv, dialogueReportCsv } from '../../src/reports/report-csv.js';
import type { DialogueReport } from '../../src/reports/dialogue-report.js';

const counts = {
  triggered: 4,
  engaged: 2,
  completed: 1,
  peopleAcquired: 1,
  meetingsBooked: 0,
  goalsReached: 0,
};

function reportNamed(name: string | null): DialogueReport {
  return {
    from: '2026-11-24',
    to: '2026-11-24',
    timeZone: 'UTC',
    dialogues: [
      {
        dialogueId: 'd1',
        dialogueName: name,
        ...counts,
        conversions: 1,
        engagementRate: 0.5,
        completionRate: 0.5,
        conversionRate: null,
        days: [{ day: '2026-11-24', ...counts }],
      },
    ],
  };
}

describe('report CSV', () => {
  it.each([
    ['a comma', 'Pricing, EMEA', '"Pricing, EMEA"', 'Pricing, EMEA'],
    ['quotes', 'The "Q4" deal', '"The ""Q4"" deal"', 'The "Q4" deal'],
    ['a line break', 'Two\nlines', '"Two\nlines"', 'Two\nlines'],
    ['a formula', '=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`, `'=HYPERLINK("x")`],
    ['a leading minus', '-1+2', "'-1+2", "'-1+2"],
    ['no name (deleted dialogue)', null, ',', ''],
  ])(
    'when a name holds %s, then it is escaped as RFC 4180 and reads back',
    (_label, name, written, read) => {
      const text = dialogueReportCsv(reportNamed(name));
      expect(text).toContain(`d1,${written}`);
      const [row] = parse(text, { columns: true }) as Array<Record<string, string>>;
      expect(row).toMatchObject({ dialogueName: read, engagementRate: '0.5', conversionRate: '' });
    },
  );

  it('when a report is written, then records end with CRLF after one header row', () => {
    const text = dialogueReportCsv(reportNamed('Plain'));
    expect(text.split('\r\n')).toEqual([
      'dialogueId,dialogueName,from,to,timeZone,triggered,engaged,completed,peopleAcquired,meetingsBooked,goalsReached,conversions,engagementRate,completionRate,conversionRate',
      'd1,Plain,2026-11-24,2026-11-24,UTC,4,2,1,1,0,0,1,0.5,0.5,',
      '',
    ]);
    expect(dialogueReportCsv(reportNamed('Plain'), true).split('\r\n')[1]).toBe(
      'd1,Plain,2026-11-24,UTC,4,2,1,1,0,0',
    );
    expect(
      agentReportCsv({ from: 'a', to: 'b', timeZone: 'UTC', agents: [] }).split('\r\n'),
    ).toHaveLength(2);
  });
});
