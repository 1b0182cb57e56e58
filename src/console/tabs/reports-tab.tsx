import { useState } from 'react';
import { api } from '../api.js';
import { BarChart } from '../bar-chart.js';
import type { TabProps } from '../tabs.js';
import { Field, Section, SelectField, useLoad } from '../ui.js';
import { PerDayChart, timeZones, type DayCounts } from './reports/per-day.js';

interface DialogueReport {
  dialogues: Array<{
    dialogueId: string;
    dialogueName: string;
    triggered: number;
    engaged: number;
    completed: number;
    meetingsBooked: number;
    days: DayCounts[];
  }>;
}
interface AgentReport {
  agents: Array<{
    agentId: string;
    agentName: string;
    booked: number;
    held: number;
    noShows: number;
    cancelled: number;
  }>;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The per-dialogue and per-agent reports for a date range in a time zone, as charts (the
 * dialogues per day too), with CSV export links (per dialogue, per dialogue and day, per agent).
 */
export function ReportsTab(_props: TabProps) {
  const [range, setRange] = useState({
    from: isoDay(Date.now() - 29 * 86_400_000),
    to: isoDay(Date.now()),
    timeZone: 'UTC',
  });
  const [zones] = useState(timeZones);
  const [applied, setApplied] = useState(range);
  const query = new URLSearchParams(applied).toString();
  const dialogues = useLoad(
    () => api.get<DialogueReport>(`/api/reports/dialogues?${query}`),
    [query],
  );
  const agents = useLoad(() => api.get<AgentReport>(`/api/reports/agents?${query}`), [query]);
  const failure = dialogues.failure ?? agents.failure;
  const problem = (field: string) => failure?.forField(field);

  return (
    <div className="grid">
      <Section title="Date range">
        <form
          className="filters"
          noValidate
          aria-label="Report range"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied({ ...range });
          }}
        >
          <Field
            label="From"
            type="date"
            value={range.from}
            error={problem('from')}
            onChange={(from) => setRange({ ...range, from })}
          />
          <Field
            label="To"
            type="date"
            value={range.to}
            error={problem('to')}
            onChange={(to) => setRange({ ...range, to })}
          />
          <SelectField
            label="Time zone"
            value={range.timeZone}
            error={problem('timeZone')}
            options={zones.map((z) => ({ value: z, label: z }))}
            onChange={(timeZone) => setRange({ ...range, timeZone })}
          />
          <button type="submit">Show</button>
        </form>
        {(dialogues.error ?? agents.error) && <p role="alert">{dialogues.error ?? agents.error}</p>}
      </Section>
      <Section
        title="Dialogues"
        actions={
          <a href={`/api/reports/dialogues?${query}&format=csv`} download>
            Export CSV <span className="sr-only">of the dialogue report</span>
          </a>
        }
      >
        {dialogues.data && (
          <BarChart
            title="Conversations per dialogue"
            horizontal
            labels={dialogues.data.dialogues.map((d) => d.dialogueName)}
            series={[
              {
                label: 'Triggered',
                values: dialogues.data.dialogues.map((d) => d.triggered),
                colour: '#5b6b82',
              },
              {
                label: 'Engaged',
                values: dialogues.data.dialogues.map((d) => d.engaged),
                colour: '#1f5fbf',
              },
              {
                label: 'Completed',
                values: dialogues.data.dialogues.map((d) => d.completed),
                colour: '#1e7b4f',
              },
              {
                label: 'Meetings booked',
                values: dialogues.data.dialogues.map((d) => d.meetingsBooked),
                colour: '#b3541e',
              },
            ]}
          />
        )}
      </Section>
      <Section
        title="Dialogues per day"
        actions={
          <a href={`/api/reports/dialogues?${query}&by=day&format=csv`} download>
            Export CSV <span className="sr-only">of the dialogues per day</span>
          </a>
        }
      >
        {dialogues.data && <PerDayChart dialogues={dialogues.data.dialogues} />}
      </Section>
      <Section
        title="Agents"
        actions={
          <a href={`/api/reports/agents?${query}&format=csv`} download>
            Export CSV <span className="sr-only">of the agent report</span>
          </a>
        }
      >
        {agents.data && (
          <BarChart
            title="Meetings per agent"
            horizontal
            labels={agents.data.agents.map((a) => a.agentName)}
            series={[
              {
                label: 'Booked',
                values: agents.data.agents.map((a) => a.booked),
                colour: '#1f5fbf',
              },
              { label: 'Held', values: agents.data.agents.map((a) => a.held), colour: '#1e7b4f' },
              {
                label: 'No-shows',
                values: agents.data.agents.map((a) => a.noShows),
                colour: '#a1262b',
              },
              {
                label: 'Cancelled',
                values: agents.data.agents.map((a) => a.cancelled),
                colour: '#5b6b82',
              },
            ]}
          />
        )}
      </Section>
    </div>
  );
}
