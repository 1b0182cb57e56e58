import { useState } from 'react';
import { api } from '../api.js';
import type { TabProps } from '../tabs.js';
import { Notice, Section, useAction, useLoad } from '../ui.js';
import { HoursForm } from './calendar/hours-form.js';
import type { MeetingSettingsOf } from './calendar/meeting-settings.js';

export interface AdminAgent extends MeetingSettingsOf {
  id: string;
  name: string;
  email: string;
  timeZone: string;
  active: boolean;
  availability: Array<{ day: string; start: string; end: string }>;
  outOfOffice?: Array<{ start: number; end: number; note?: string }>;
  weight?: number;
  maxMeetingsPerDay?: number | null;
  maxMeetingsPerWeek?: number | null;
  calendar: {
    provider: 'local' | 'google' | 'microsoft';
    status: 'connected' | 'disconnected';
    accountEmail?: string;
    disconnectedReason?: string;
  };
}

/** Agents with their calendar: connect Google or Outlook (the real OAuth flows), hours, time off. */
export function CalendarTab(_props: TabProps) {
  const agents = useLoad(() => api.get<{ agents: AdminAgent[] }>('/api/agents'));
  const [open, setOpen] = useState<string | null>(null);
  const connect = useAction();

  async function startConnect(agent: AdminAgent, provider: 'google' | 'microsoft') {
    let url = '';
    const ok = await connect.run(
      `Connecting ${agent.name}'s ${provider === 'google' ? 'Google' : 'Outlook'} calendar`,
      async () => {
        url = (
          await api.post<{ authorizationUrl: string }>(`/api/agents/${agent.id}/calendar/connect`, {
            provider,
          })
        ).authorizationUrl;
      },
      'Opening the provider’s sign-in…',
    );
    if (ok && /^https:\/\//.test(url)) location.assign(url);
  }

  return (
    <div className="grid">
      <Section title="Agents and their calendars">
        {agents.error && <p role="alert">{agents.error}</p>}
        <Notice notice={connect.notice} />
        {agents.data && (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">Calendar</th>
                  <th scope="col">Connect</th>
                  <th scope="col">Hours</th>
                </tr>
              </thead>
              <tbody>
                {agents.data.agents.map((agent) => (
                  <tr key={agent.id}>
                    <th scope="row">
                      {agent.name}
                      <br />
                      <small>{agent.email}</small>
                    </th>
                    <td>
                      {agent.calendar.provider === 'local'
                        ? 'Built-in'
                        : agent.calendar.provider === 'google'
                          ? 'Google'
                          : 'Outlook'}
                      , {agent.calendar.status}
                      {agent.calendar.disconnectedReason
                        ? ` (${agent.calendar.disconnectedReason})`
                        : ''}
                    </td>
                    <td className="buttons">
                      <button type="button" onClick={() => void startConnect(agent, 'google')}>
                        {agent.calendar.provider === 'google' &&
                        agent.calendar.status === 'disconnected'
                          ? 'Reconnect'
                          : 'Connect'}{' '}
                        Google
                        <span className="sr-only"> for {agent.name}</span>
                      </button>
                      <button type="button" onClick={() => void startConnect(agent, 'microsoft')}>
                        {agent.calendar.provider === 'microsoft' &&
                        agent.calendar.status === 'disconnected'
                          ? 'Reconnect'
                          : 'Connect'}{' '}
                        Outlook
                        <span className="sr-only"> for {agent.name}</span>
                      </button>
                    </td>
                    <td>
                      <button
                        type="button"
                        aria-expanded={open === agent.id}
                        onClick={() => setOpen(open === agent.id ? null : agent.id)}
                      >
                        Edit hours <span className="sr-only">of {agent.name}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      {open && agents.data?.agents.find((a) => a.id === open) && (
        <HoursForm
          key={open}
          agent={agents.data.agents.find((a) => a.id === open)!}
          onSaved={agents.reload}
        />
      )}
    </div>
  );
}
