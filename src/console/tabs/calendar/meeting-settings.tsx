import { useState } from 'react';
import { Field } from '../../ui.js';

export interface MeetingSettingsOf {
  meetingMinutes: number;
  bufferBeforeMinutes?: number;
  bufferAfterMinutes: number;
  minimumNoticeMinutes: number;
  meetingTypes?: Array<{ id: string; name: string; minutes: number }>;
}

interface TypeText {
  id: string;
  name: string;
  minutes: string;
}

/** A number as typed: NaN when it is none (sent as null, which the API names beside the field). */
const numberOf = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

/**
 * An agent's meeting length, buffers before and after, minimum notice and meeting types, as
 * typed, with the PATCH /api/agents/:id body they make and whether it differs from the agent's.
 */
export function useMeetingSettings(agent: MeetingSettingsOf) {
  const [text, setText] = useState({
    minutes: String(agent.meetingMinutes),
    before: String(agent.bufferBeforeMinutes ?? 0),
    after: String(agent.bufferAfterMinutes),
    notice: String(agent.minimumNoticeMinutes),
  });
  const [types, setTypes] = useState<TypeText[]>(
    (agent.meetingTypes ?? []).map((t) => ({ ...t, minutes: String(t.minutes) })),
  );
  const body = {
    meetingMinutes: numberOf(text.minutes),
    bufferBeforeMinutes: numberOf(text.before),
    bufferAfterMinutes: numberOf(text.after),
    minimumNoticeMinutes: numberOf(text.notice),
    meetingTypes: types.map((t) => ({ id: t.id, name: t.name, minutes: numberOf(t.minutes) })),
  };
  const saved = {
    meetingMinutes: agent.meetingMinutes,
    bufferBeforeMinutes: agent.bufferBeforeMinutes ?? 0,
    bufferAfterMinutes: agent.bufferAfterMinutes,
    minimumNoticeMinutes: agent.minimumNoticeMinutes,
    meetingTypes: agent.meetingTypes ?? [],
  };
  return {
    text,
    setText,
    types,
    setTypes,
    body,
    dirty: JSON.stringify(body) !== JSON.stringify(saved),
  };
}

/** The fields of useMeetingSettings, each with the API's problem beside it. */
export function MeetingSettingsFields(props: {
  settings: ReturnType<typeof useMeetingSettings>;
  err: (field: string) => string | undefined;
}) {
  const { text, setText, types, setTypes } = props.settings;
  const { err } = props;
  const setType = (i: number, patch: Partial<TypeText>) =>
    setTypes(types.map((t, j) => (j === i ? { ...t, ...patch } : t)));
  return (
    <fieldset>
      <legend>Meetings</legend>
      <div className="row">
        <Field
          label="Meeting length (minutes)"
          type="number"
          value={text.minutes}
          error={err('meetingMinutes')}
          hint="5-480; used when no meeting type is chosen"
          onChange={(minutes) => setText({ ...text, minutes })}
        />
        <Field
          label="Buffer before (minutes)"
          type="number"
          value={text.before}
          error={err('bufferBeforeMinutes')}
          hint="0-240, kept free before each meeting"
          onChange={(before) => setText({ ...text, before })}
        />
        <Field
          label="Buffer after (minutes)"
          type="number"
          value={text.after}
          error={err('bufferAfterMinutes')}
          hint="0-240, kept free after each meeting"
          onChange={(after) => setText({ ...text, after })}
        />
        <Field
          label="Minimum notice (minutes)"
          type="number"
          value={text.notice}
          error={err('minimumNoticeMinutes')}
          hint="How soon a visitor may book: 0 to 43200 (30 days)"
          onChange={(notice) => setText({ ...text, notice })}
        />
      </div>
      {err('meetingTypes') && (
        <p className="error" role="alert">
          {err('meetingTypes')}
        </p>
      )}
      {types.map((type, i) => (
        <div className="row" key={i}>
          <Field
            label={`Meeting type ${i + 1} id`}
            value={type.id}
            error={err(`meetingTypes.${i}.id`)}
            hint="Letters, digits, _ or -"
            onChange={(id) => setType(i, { id })}
          />
          <Field
            label={`Meeting type ${i + 1} name`}
            value={type.name}
            error={err(`meetingTypes.${i}.name`)}
            onChange={(name) => setType(i, { name })}
          />
          <Field
            label={`Meeting type ${i + 1} minutes`}
            type="number"
            value={type.minutes}
            error={err(`meetingTypes.${i}.minutes`)}
            onChange={(minutes) => setType(i, { minutes })}
          />
          <button type="button" onClick={() => setTypes(types.filter((_, j) => j !== i))}>
            Remove meeting type {i + 1}
          </button>
        </div>
      ))}
      <button
        type="button"
        onClick={() => setTypes([...types, { id: '', name: '', minutes: '30' }])}
      >
        Add meeting type
      </button>
    </fieldset>
  );
}
