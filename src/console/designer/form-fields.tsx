import type { Card, FormField } from '../../records/chat-cards.js';
import { Checkbox, Field } from '../ui.js';
import { AnswerEditor } from './answer-editor.js';
import type { Of, ProblemAt } from './card-fields.js';
import { LeadField, withField } from './lead-field.js';

/**
 * A form card's fields (label, key, answer, lead field, required; up to ten, added and removed
 * by buttons) and its send button's label.
 */
export function FormFields(props: {
  card: Of<'form'>;
  problemAt: ProblemAt;
  onChange: (card: Card) => void;
}) {
  const { card, problemAt, onChange } = props;
  const setField = (i: number, field: FormField) =>
    onChange({ ...card, fields: card.fields.map((f, j) => (j === i ? field : f)) });
  return (
    <fieldset>
      <legend>Form fields</legend>
      {card.fields.map((field, i) => {
        const name = `Field ${i + 1}`;
        const at = (f: string) => problemAt(`fields.${i}.${f}`);
        return (
          <fieldset key={i} className="form-field">
            <legend>{name}</legend>
            <div className="row">
              <Field
                label={`${name} label`}
                value={field.label}
                error={at('label')}
                onChange={(label) => setField(i, { ...field, label })}
              />
              <Field
                label={`${name} key`}
                value={field.key}
                error={at('key')}
                hint="Unique in the dialogue; conditions test the answer by it"
                onChange={(key) => setField(i, { ...field, key })}
              />
            </div>
            <AnswerEditor
              name={name}
              answer={field.answer}
              problemAt={(f) => at(`answer.${f}`)}
              onChange={(answer) => setField(i, { ...field, answer })}
            />
            <LeadField
              label={`${name} lead field`}
              value={field.field}
              error={at('field')}
              onChange={(f) => setField(i, withField(field, f))}
            />
            <Checkbox
              label={`${name} is required`}
              checked={field.required}
              onChange={(required) => setField(i, { ...field, required })}
            />
            <button
              type="button"
              disabled={card.fields.length <= 1}
              onClick={() => onChange({ ...card, fields: card.fields.filter((_, j) => j !== i) })}
            >
              Remove field {i + 1}
            </button>
          </fieldset>
        );
      })}
      <button
        type="button"
        disabled={card.fields.length >= 10}
        onClick={() =>
          onChange({
            ...card,
            fields: [
              ...card.fields,
              {
                key: `${card.id}-field-${card.fields.length + 1}`.slice(0, 40),
                label: `Field ${card.fields.length + 1}`,
                answer: { kind: 'text', maxLength: 255 },
                required: true,
              },
            ],
          })
        }
      >
        Add field
      </button>
      <Field
        label="Send button label"
        value={card.submitLabel}
        error={problemAt('submitLabel')}
        onChange={(submitLabel) => onChange({ ...card, submitLabel })}
      />
    </fieldset>
  );
}
