import { useState } from 'react';
import { BarChart } from '../../bar-chart.js';
import { SelectField } from '../../ui.js';

export interface DayCounts {
  day: string;
  triggered: number;
  engaged: number;
  completed: number;
  meetingsBooked: number;
}

/**
 * The dialogue report per day of the range (in the report's time zone), for every dialogue
 * together or one of them: each line of the report carries its days, zeros included.
 */
export function PerDayChart(props: {
  dialogues: Array<{ dialogueId: string; dialogueName: string; days: DayCounts[] }>;
}) {
  const [which, setWhich] = useState('');
  const chosen = props.dialogues.filter((d) => which === '' || d.dialogueId === which);
  const totals = new Map<string, DayCounts>();
  for (const line of chosen) {
    for (const day of line.days) {
      const sum = totals.get(day.day) ?? {
        day: day.day,
        triggered: 0,
        engaged: 0,
        completed: 0,
        meetingsBooked: 0,
      };
      sum.triggered += day.triggered;
      sum.engaged += day.engaged;
      sum.completed += day.completed;
      sum.meetingsBooked += day.meetingsBooked;
      totals.set(day.day, sum);
    }
  }
  const days = [...totals.values()].sort((a, b) => a.day.localeCompare(b.day));
  const name = props.dialogues.find((d) => d.dialogueId === which)?.dialogueName;
  return (
    <>
      <SelectField
        label="Days of"
        value={which}
        options={[
          { value: '', label: 'All dialogues' },
          ...props.dialogues.map((d) => ({ value: d.dialogueId, label: d.dialogueName })),
        ]}
        onChange={setWhich}
      />
      <BarChart
        title={`Conversations per day${name ? ` (${name})` : ''}`}
        labels={days.map((d) => d.day.slice(5))}
        series={[
          { label: 'Triggered', values: days.map((d) => d.triggered), colour: '#5b6b82' },
          { label: 'Engaged', values: days.map((d) => d.engaged), colour: '#1f5fbf' },
          { label: 'Completed', values: days.map((d) => d.completed), colour: '#1e7b4f' },
          {
            label: 'Meetings booked',
            values: days.map((d) => d.meetingsBooked),
            colour: '#b3541e',
          },
        ]}
      />
    </>
  );
}

/** The IANA zones this browser knows, UTC first and the browser's own next. */
export function timeZones(): string[] {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const all =
    typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['UTC', own, ...all])];
}
