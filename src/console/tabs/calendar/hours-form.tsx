import { useState } from 'react';
import { api } from '../../api.js';
import { useUnsaved } from '../../unsaved.js';
import { Field, Notice, Section, SelectField, formatDateTime, useAction } from '../../ui.js';
import type { AdminAgent } from '../calendar-tab.js';
import { MeetingSettingsFields, useMeetingSettings } from './meeting-settings.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** '' is "no cap" (null); anything else a number, which the API checks (NaN is sent as null). */
const capOf = (text: string) => (text.trim() === '' ? null : Number(text));
const textOf = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));

/**
 * Weekly hours, meetings (length, buffers, minimum notice, meeting types), routing limits
 * (weight, caps per day and week) and out-of-office of one agent (PATCH /api/agents/:id).
 */
export function HoursForm(props: { agent: AdminAgent; onSaved: () => void }) {
  const { agent } = props;
  const [blocks, setBlocks] = useState(agent.availability);
  const [away, setAway] = useState(
    (agent.outOfOffice ?? []).map((p) => ({
      start: toInput(p.start),
      end: toInput(p.end),
      note: p.note ?? '',
    })),
  );
  const [limits, setLimits] = useState({
    weight: textOf(agent.weight ?? 1),
    day: textOf(agent.maxMeetingsPerDay),
    week: textOf(agent.maxMeetingsPerWeek),
  });
  const meeting = useMeetingSettings(agent);
  const save = useAction();
  const initial = JSON.stringify([
    agent.availability,
    agent.outOfOffice ?? [],
    [agent.weight ?? 1, agent.maxMeetingsPerDay ?? null, agent.maxMeetingsPerWeek ?? null],
  ]);
  const body = {
    ...meeting.body,
    availability: blocks,
    weight: limits.weight.trim() === '' ? Number.NaN : Number(limits.weight),
    maxMeetingsPerDay: capOf(limits.day),
    maxMeetingsPerWeek: capOf(limits.week),
    outOfOffice: away.map((p) => ({
      start: Date.parse(`${p.start}Z`),
      end: Date.parse(`${p.end}Z`),
      ...(p.note.trim() === '' ? {} : { note: p.note.trim() }),
    })),
  };
  useUnsaved(
    `Hours of ${agent.name}`,
    JSON.stringify([
      body.availability,
      body.outOfOffice,
      [body.weight, body.maxMeetingsPerDay, body.maxMeetingsPerWeek],
    ]) !== initial || meeting.dirty,
  );
  const err = (field: string) => save.failure?.forField(field);

  return (
    <Section title={`Hours, meetings and limits of ${agent.name} (${agent.timeZone})`}>
      <form
        noValidate
        aria-label={`Hours of ${agent.name}`}
        onSubmit={(e) => {
          e.preventDefault();
          void save
            .run(
              'Saving the hours',
              () => api.patch(`/api/agents/${agent.id}`, body),
              'Hours, meetings and limits saved.',
            )
            .then((ok) => ok && props.onSaved());
        }}
      >
        <fieldset>
          <legend>Weekly hours</legend>
          {blocks.map((block, i) => (
            <div className="row" key={i}>
              <SelectField
                label={`Block ${i + 1} day`}
                value={block.day}
                options={DAYS.map((d) => ({ value: d, label: d }))}
                error={err(`availability.${i}.day`)}
                onChange={(day) => setBlocks(blocks.map((b, j) => (j === i ? { ...b, day } : b)))}
              />
              <Field
                label={`Block ${i + 1} from`}
                value={block.start}
                error={err(`availability.${i}.start`)}
                onChange={(start) =>
                  setBlocks(blocks.map((b, j) => (j === i ? { ...b, start } : b)))
                }
              />
              <Field
                label={`Block ${i + 1} to`}
                value={block.end}
                error={err(`availability.${i}.end`)}
                onChange={(end) => setBlocks(blocks.map((b, j) => (j === i ? { ...b, end } : b)))}
              />
              <button type="button" onClick={() => setBlocks(blocks.filter((_, j) => j !== i))}>
                Remove block {i + 1}
              </button>
            </div>
          ))}
          <button
            type="button"
            onClick={() => setBlocks([...blocks, { day: 'mon', start: '09:00', end: '17:00' }])}
          >
            Add block
          </button>
        </fieldset>
        <fieldset>
          <legend>Routing limits</legend>
          <div className="row">
            <Field
              label="Weight"
              type="number"
              value={limits.weight}
              error={err('weight')}
              hint="0-100; 2 takes two turns to a 1's one; 0 keeps them out of the rotation"
              onChange={(weight) => setLimits({ ...limits, weight })}
            />
            <Field
              label="Most meetings a day"
              type="number"
              value={limits.day}
              error={err('maxMeetingsPerDay')}
              hint="Empty: no cap"
              onChange={(day) => setLimits({ ...limits, day })}
            />
            <Field
              label="Most meetings a week"
              type="number"
              value={limits.week}
              error={err('maxMeetingsPerWeek')}
              hint="Empty: no cap"
              onChange={(week) => setLimits({ ...limits, week })}
            />
          </div>
        </fieldset>
        <MeetingSettingsFields settings={meeting} err={err} />
        <fieldset>
          <legend>Out of office (UTC)</legend>
          {away.map((period, i) => (
            <div className="row" key={i}>
              <Field
                label={`Away ${i + 1} from`}
                type="datetime-local"
                value={period.start}
                error={err(`outOfOffice.${i}.start`)}
                onChange={(start) => setAway(away.map((p, j) => (j === i ? { ...p, start } : p)))}
              />
              <Field
                label={`Away ${i + 1} until`}
                type="datetime-local"
                value={period.end}
                error={err(`outOfOffice.${i}.end`)}
                onChange={(end) => setAway(away.map((p, j) => (j === i ? { ...p, end } : p)))}
              />
              <Field
                label={`Away ${i + 1} note`}
                value={period.note}
                error={err(`outOfOffice.${i}.note`)}
                onChange={(note) => setAway(away.map((p, j) => (j === i ? { ...p, note } : p)))}
              />
              <button type="button" onClick={() => setAway(away.filter((_, j) => j !== i))}>
                Remove period {i + 1}
              </button>
            </div>
          ))}
          <button
            type="button"
            onClick={() => setAway([...away, { start: '', end: '', note: '' }])}
          >
            Add out-of-office period
          </button>
        </fieldset>
        <button type="submit" className="primary" disabled={save.busy}>
          Save hours
        </button>
        <Notice notice={save.notice} />
        {(agent.outOfOffice ?? []).length > 0 && (
          <p className="hint">
            Saved periods:{' '}
            {(agent.outOfOffice ?? [])
              .map((p) => `${formatDateTime(p.start)} – ${formatDateTime(p.end)}`)
              .join('; ')}
          </p>
        )}
      </form>
    </Section>
  );
}

/** Epoch ms as a datetime-local value in UTC. */
function toInput(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}
