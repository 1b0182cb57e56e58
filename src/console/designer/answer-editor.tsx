import { useState } from 'react';
import type { AnswerSpec } from '../../records/chat-cards.js';
import { Checkbox, Field, SelectField, TextAreaField } from '../ui.js';
import { optionsText, parseOptions } from './picklist-text.js';

const KINDS = ['text', 'phone', 'number', 'email', 'picklist'] as const;

function defaultAnswer(kind: AnswerSpec['kind']): AnswerSpec {
  switch (kind) {
    case 'text':
      return { kind, maxLength: 255 };
    case 'number':
      return { kind, integer: false };
    case 'picklist':
      return { kind, options: [{ label: 'Option 1' }, { label: 'Option 2' }] };
    default:
      return { kind };
  }
}

/** A number field's value, or undefined when empty; NaN (sent as null) is refused by the API. */
const numberOrUndefined = (text: string) => (text.trim() === '' ? undefined : Number(text));

/**
 * What a visitor may answer (an input card, or one field of a form card): the kind, and its
 * limits or choices. `name` prefixes every label (“Answer”, “Field 2”) so each is unique.
 */
export function AnswerEditor(props: {
  name: string;
  answer: AnswerSpec;
  problemAt: (field: string) => string | undefined;
  onChange: (answer: AnswerSpec) => void;
}) {
  const { answer, name, problemAt, onChange } = props;
  const [typed, setTyped] = useState(answer.kind === 'picklist' ? optionsText(answer.options) : '');
  return (
    <>
      <SelectField
        label={`${name} type`}
        value={answer.kind}
        error={problemAt('kind')}
        options={KINDS.map((k) => ({ value: k, label: k }))}
        onChange={(kind) => {
          const next = defaultAnswer(kind as AnswerSpec['kind']);
          if (next.kind === 'picklist') setTyped(optionsText(next.options));
          onChange(next);
        }}
      />
      {answer.kind === 'text' && (
        <Field
          label={`${name} longest answer (characters)`}
          type="number"
          value={String(answer.maxLength)}
          error={problemAt('maxLength')}
          onChange={(v) => onChange({ ...answer, maxLength: Number(v === '' ? Number.NaN : v) })}
        />
      )}
      {answer.kind === 'number' && (
        <div className="row">
          <Field
            label={`${name} lowest`}
            type="number"
            value={answer.min === undefined ? '' : String(answer.min)}
            error={problemAt('min')}
            onChange={(v) => {
              const { min: _min, ...rest } = answer;
              const min = numberOrUndefined(v);
              onChange(min === undefined ? rest : { ...rest, min });
            }}
          />
          <Field
            label={`${name} highest`}
            type="number"
            value={answer.max === undefined ? '' : String(answer.max)}
            error={problemAt('max')}
            onChange={(v) => {
              const { max: _max, ...rest } = answer;
              const max = numberOrUndefined(v);
              onChange(max === undefined ? rest : { ...rest, max });
            }}
          />
          <Checkbox
            label={`${name}: whole numbers only`}
            checked={answer.integer}
            onChange={(integer) => onChange({ ...answer, integer })}
          />
        </div>
      )}
      {answer.kind === 'picklist' && (
        <TextAreaField
          label={`${name} choices`}
          rows={4}
          hint="One a line: a label, or label=value to store another value"
          value={
            JSON.stringify(parseOptions(typed)) === JSON.stringify(answer.options)
              ? typed
              : optionsText(answer.options)
          }
          errors={[problemAt('options')].filter((e): e is string => e !== undefined)}
          onChange={(text) => {
            setTyped(text);
            onChange({ ...answer, options: parseOptions(text) });
          }}
        />
      )}
    </>
  );
}
