import { useState } from 'react';
import { api } from '../api.js';
import type { TabProps } from '../tabs.js';
import { Field, Section, SelectField, formatDateTime, useLoad } from '../ui.js';
import type { AdminAgent } from './calendar-tab.js';
import { MeetingDetail, type AdminMeeting } from './meetings/meeting-detail.js';

const STATUSES = ['booked', 'rescheduled', 'cancelled', 'completed', 'no-show', 'pending'];

/** Meetings with filters by status, agent and date; a meeting's detail and status change. */
export function MeetingsTab(_props: TabProps) {
  const [filters, setFilters] = useState({ status: '', agentId: '', from: '', to: '' });
  const [applied, setApplied] = useState(filters);
  const agents = useLoad(() => api.get<{ agents: AdminAgent[] }>('/api/agents'));
  const meetings = useLoad(() => {
    const query = new URLSearchParams(Object.entries(applied).filter(([, v]) => v !== ''));
    return api.get<{ meetings: AdminMeeting[] }>(`/api/meetings?${query.toString()}`);
  }, [applied]);
  const [openId, setOpenId] = useState<string | null>(null);
  const filterError = meetings.error;
  const open = meetings.data?.meetings.find((m) => m.id === openId);

  return (
    <div className="grid">
      <Section title="Meetings">
        <form
          className="filters"
          noValidate
          aria-label="Meeting filters"
          onSubmit={(e) => {
            e.preventDefault();
            // A copy: pressing Filter again loads the list again, even with the same filters.
            setApplied({ ...filters });
          }}
        >
          <SelectField
            label="Status"
            value={filters.status}
            options={[
              { value: '', label: 'Any' },
              ...STATUSES.map((s) => ({ value: s, label: s })),
            ]}
            onChange={(status) => setFilters({ ...filters, status })}
          />
          <SelectField
            label="Agent"
            value={filters.agentId}
            options={[
              { value: '', label: 'Any' },
              ...(agents.data?.agents ?? []).map((a) => ({ value: a.id, label: a.name })),
            ]}
            onChange={(agentId) => setFilters({ ...filters, agentId })}
          />
          <Field
            label="From (date)"
            type="date"
            value={filters.from}
            onChange={(from) => setFilters({ ...filters, from })}
          />
          <Field
            label="To (date)"
            type="date"
            value={filters.to}
            onChange={(to) => setFilters({ ...filters, to })}
          />
          <button type="submit">Filter</button>
        </form>
        {filterError && <p role="alert">{filterError}</p>}
        {meetings.data && meetings.data.meetings.length === 0 && <p>No meetings match.</p>}
        {meetings.data && meetings.data.meetings.length > 0 && (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Visitor</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Status</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {meetings.data.meetings.map((m) => (
                  <tr key={m.id}>
                    <td>{formatDateTime(m.startIso)}</td>
                    <td>
                      {m.visitor.name ? `${m.visitor.name} <${m.visitor.email}>` : m.visitor.email}
                    </td>
                    <td>{m.agentName}</td>
                    <td data-meeting-status={m.id}>{m.status}</td>
                    <td>
                      <button
                        type="button"
                        aria-expanded={openId === m.id}
                        onClick={() => setOpenId(openId === m.id ? null : m.id)}
                      >
                        Details{' '}
                        <span className="sr-only">of the meeting with {m.visitor.email}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      {open && (
        <MeetingDetail
          key={open.id}
          meeting={open}
          names={new Map((agents.data?.agents ?? []).map((a) => [a.id, a.name]))}
          onChanged={meetings.reload}
        />
      )}
    </div>
  );
}
