import { useState } from 'react';
import { ApiError, api } from '../../api.js';
import { Field, Notice, formatDateTime, useAction } from '../../ui.js';

interface FreeSlots {
  timeZone: string;
  days: Array<{ date: string; slots: Array<{ start: string }> }>;
}

/** A datetime-local value (read as UTC) from an ISO instant, and back. */
const toInput = (iso: string) => new Date(iso).toISOString().slice(0, 16);
const fromInput = (text: string) => (text === '' ? '' : `${text}:00Z`);

/**
 * Moves a meeting to a new start (POST /api/meetings/:id/reschedule; the service gives it to
 * another agent when its own is not free then). A refused time is named beside the field; when
 * nobody is free then (409), that day's free times are offered to pick from.
 */
export function RescheduleForm(props: {
  meeting: { id: string; startIso: string };
  onChanged: () => void;
}) {
  const [when, setWhen] = useState(toInput(props.meeting.startIso));
  const [free, setFree] = useState<FreeSlots | null>(null);
  const action = useAction();
  const submit = () => {
    setFree(null);
    void action
      .run(
        'Rescheduling',
        async () => {
          try {
            await api.post(`/api/meetings/${props.meeting.id}/reschedule`, {
              start: fromInput(when),
            });
          } catch (error) {
            const slots = error instanceof ApiError ? freeSlotsOf(error.body) : null;
            if (slots) setFree(slots);
            throw error;
          }
        },
        'Meeting rescheduled.',
      )
      .then((ok) => ok && props.onChanged());
  };
  const offered = free?.days.flatMap((d) => d.slots) ?? [];
  return (
    <form
      className="inline-form"
      noValidate
      aria-label="Reschedule"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Field
        label="New start (UTC)"
        type="datetime-local"
        value={when}
        error={action.failure?.forField('start')}
        onChange={setWhen}
      />
      <button type="submit" className="primary" disabled={action.busy}>
        Reschedule
      </button>
      <Notice notice={action.notice} />
      {free && (
        <div className="free-slots">
          {offered.length === 0 ? (
            <p>Nobody is free that day: try another day.</p>
          ) : (
            <>
              <p>Free that day (pick one, then Reschedule):</p>
              <ul className="buttons" aria-label="Free times that day">
                {offered.map((slot) => (
                  <li key={slot.start}>
                    <button type="button" onClick={() => setWhen(toInput(slot.start))}>
                      {formatDateTime(slot.start)}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </form>
  );
}

function freeSlotsOf(body: unknown): FreeSlots | null {
  if (typeof body !== 'object' || body === null || !('slots' in body)) return null;
  const slots = (body as { slots: unknown }).slots;
  return typeof slots === 'object' && slots !== null && 'days' in slots
    ? (slots as FreeSlots)
    : null;
}
