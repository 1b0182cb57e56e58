import { useState } from 'react';
import { api } from '../api.js';
import type { TabProps } from '../tabs.js';
import { Field, Notice, Section, SelectField, formatDateTime, useAction, useLoad } from '../ui.js';
import type { AdminAgent } from './calendar-tab.js';

interface AdminMeeting {
  id: string;
  status: string;
  agentId: string;
  agentName: string;
  startIso: string;
  durationMinutes: number;
  meetingType?: { name: string };
  visitor: { email: string; name?: string; timeZone?: string };
  leadId?: number;
  dialogueId?: string;
  provider: string;
  meetingUrl?: string;
  routing: {
    rule: string;
    ruleName?: string;
    pool: string;
    skipped: Array<{ agentId: string; reason: string }>;
    identity?: string;
  };
  history: Array<{ status: string; at: number; by: string; note?: string }>;
}

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
            setApplied(filters);
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
      {open && <MeetingDetail key={open.id} meeting={open} onChanged={meetings.reload} />}
    </div>
  );
}

function MeetingDetail(props: { meeting: AdminMeeting; onChanged: () => void }) {
  const { meeting } = props;
  const [status, setStatus] = useState('cancelled');
  const [note, setNote] = useState('');
  const change = useAction();
  return (
    <Section title={`Meeting with ${meeting.visitor.email}`}>
      <dl className="facts">
        <dt>When</dt>
        <dd>
          {formatDateTime(meeting.startIso)}, {meeting.durationMinutes} min
          {meeting.meetingType ? ` (${meeting.meetingType.name})` : ''}
        </dd>
        <dt>Agent</dt>
        <dd>{meeting.agentName}</dd>
        <dt>Why this agent</dt>
        <dd>
          {meeting.routing.ruleName ?? meeting.routing.rule} in pool {meeting.routing.pool}
          {meeting.routing.identity
            ? `, visitor ${meeting.routing.identity === 'cookie' ? 'known by cookie' : 'typed their email'}`
            : ''}
          {meeting.routing.skipped.length > 0 &&
            `; passed over: ${meeting.routing.skipped.map((s) => `${s.agentId} (${s.reason})`).join(', ')}`}
        </dd>
        <dt>Calendar</dt>
        <dd>
          {meeting.provider}
          {meeting.meetingUrl ? `, ${meeting.meetingUrl}` : ''}
        </dd>
        <dt>Marketo lead</dt>
        <dd>
          {meeting.leadId !== undefined
            ? `Lead ${meeting.leadId}: its meeting activity is written through the outbox`
            : 'No lead yet: written once the visitor is known'}
        </dd>
      </dl>
      <h3>History</h3>
      <ol>
        {meeting.history.map((h, i) => (
          <li key={i}>
            {formatDateTime(h.at)}: {h.status} by {h.by}
            {h.note ? ` — ${h.note}` : ''}
          </li>
        ))}
      </ol>
      <form
        className="inline-form"
        noValidate
        aria-label="Change the status"
        onSubmit={(e) => {
          e.preventDefault();
          void change
            .run(
              'Changing the status',
              () =>
                api.post(`/api/meetings/${meeting.id}/status`, {
                  status,
                  ...(note.trim() ? { note: note.trim() } : {}),
                }),
              'Status changed.',
            )
            .then((ok) => ok && props.onChanged());
        }}
      >
        <SelectField
          label="New status"
          value={status}
          error={change.failure?.forField('status')}
          options={[
            { value: 'cancelled', label: 'cancelled' },
            { value: 'completed', label: 'completed' },
            { value: 'no-show', label: 'no-show' },
          ]}
          onChange={setStatus}
        />
        <Field
          label="Note"
          value={note}
          error={change.failure?.forField('note')}
          onChange={setNote}
        />
        <button type="submit" className="primary" disabled={change.busy}>
          Change status
        </button>
      </form>
      <Notice notice={change.notice} />
    </Section>
  );
}
