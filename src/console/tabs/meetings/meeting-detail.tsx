import { useState } from 'react';
import { api } from '../../api.js';
import { Field, Notice, Section, SelectField, formatDateTime, useAction } from '../../ui.js';
import { routingReason, skippedText, type RoutingRecord } from '../../routing-reason.js';
import { RescheduleForm } from './reschedule-form.js';
import { WriteBack } from './write-back.js';

export interface AdminMeeting {
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
  routing: RoutingRecord;
  history: Array<{ status: string; at: number; by: string; note?: string }>;
}

/**
 * One meeting: when, who, why this agent (the routing record), its write-back to Marketo, its
 * history, a status change, and a reschedule while it is to come.
 */
export function MeetingDetail(props: {
  meeting: AdminMeeting;
  names: ReadonlyMap<string, string>;
  onChanged: () => void;
}) {
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
          {routingReason(meeting.routing)} (rotation {meeting.routing.pool})
        </dd>
        <dt>Passed over</dt>
        <dd>{skippedText(meeting.routing, props.names)}</dd>
        <dt>Calendar</dt>
        <dd>
          {meeting.provider}
          {meeting.meetingUrl ? `, ${meeting.meetingUrl}` : ''}
        </dd>
        <dt>Marketo lead</dt>
        <dd>
          {meeting.leadId !== undefined
            ? `Lead ${meeting.leadId}`
            : 'Not known at booking: found or created by email when the activity is written'}
        </dd>
      </dl>
      <WriteBack meetingId={meeting.id} version={meeting.history.length} />
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
      {(meeting.status === 'booked' || meeting.status === 'rescheduled') && (
        <>
          <h3>Reschedule</h3>
          <RescheduleForm meeting={meeting} onChanged={props.onChanged} />
        </>
      )}
    </Section>
  );
}
