import type { Card } from '../../records/chat-cards.js';
import { Field, SelectField } from '../ui.js';
import { BranchesEditor } from './branch-editor.js';
import { CardFields } from './card-fields.js';
import { connectOutlet, outletField, outletsOf } from './graph-model.js';

type Problem = { field: string; message: string };

/** The fields the form shows a problem beside (see CardFields, BranchesEditor, the outlets). */
const SHOWN_BESIDE =
  /^(text|name|next|otherwise|field|routing|agentEmail|meetingTypes|submitLabel)$|^(buttons|branches|fields)\.\d+|^(answer|document|action)\./;

/**
 * The selected card's form: its text, its buttons or branches, and where each way on leads (a
 * select per outlet, the keyboard's way to connect cards; the graph's handles are the mouse's).
 * Publish problems of the card are shown beside the field they name.
 */
export function CardEditor(props: {
  card: Card;
  cards: Card[];
  isStart: boolean;
  problems: Problem[];
  onChange: (card: Card) => void;
  onDelete: () => void;
  onMakeStart: () => void;
}) {
  const { card, cards, problems, onChange } = props;
  const problemAt = (field: string) => problems.find((p) => p.field === field)?.message;
  /** The problem of a field or of anything below it (`answer` has `answer.options.0.label`). */
  const problemUnder = (field: string) =>
    problems.find((p) => p.field === field || p.field.startsWith(`${field}.`))?.message;
  // Problems no field of the form shows are listed at its top.
  const others = problems.filter((p) => !SHOWN_BESIDE.test(p.field));
  const targets = [
    { value: '', label: '(end of the conversation)' },
    ...cards
      .filter((c) => c.id !== card.id)
      .map((c) => ({ value: c.id, label: `${c.id} (${c.type})` })),
  ];

  return (
    <div className="card-editor" aria-label={`Card ${card.id}`} role="group">
      <h3>
        Card <code>{card.id}</code> ({card.type})
      </h3>
      {others.length > 0 && (
        <ul className="error-list" role="alert">
          {others.map((p, i) => (
            <li key={i}>{p.field ? `${p.field}: ${p.message}` : p.message}</li>
          ))}
        </ul>
      )}
      {'text' in card && (
        <Field
          label="Text"
          value={card.text}
          error={problemAt('text')}
          onChange={(text) => onChange({ ...card, text } as Card)}
        />
      )}
      {card.type === 'goal' && (
        <Field
          label="Goal name"
          value={card.name}
          error={problemAt('name')}
          onChange={(name) => onChange({ ...card, name })}
        />
      )}
      {card.type === 'question' && (
        <fieldset>
          <legend>Buttons</legend>
          {card.buttons.map((button, i) => (
            <div className="row" key={i}>
              <Field
                label={`Button ${i + 1} label`}
                value={button.label}
                error={problemAt(`buttons.${i}.label`)}
                onChange={(label) =>
                  onChange({
                    ...card,
                    buttons: card.buttons.map((b, j) => (j === i ? { ...b, label } : b)),
                  })
                }
              />
              <button
                type="button"
                disabled={card.buttons.length <= 1}
                onClick={() =>
                  onChange({ ...card, buttons: card.buttons.filter((_, j) => j !== i) })
                }
              >
                Remove button {i + 1}
              </button>
            </div>
          ))}
          <button
            type="button"
            disabled={card.buttons.length >= 10}
            onClick={() =>
              onChange({
                ...card,
                buttons: [
                  ...card.buttons,
                  { label: `Option ${card.buttons.length + 1}`, next: null },
                ],
              })
            }
          >
            Add button
          </button>
        </fieldset>
      )}
      {card.type === 'condition' && (
        <BranchesEditor card={card} problemAt={problemUnder} onChange={onChange} />
      )}
      <CardFields card={card} problemAt={problemUnder} onChange={onChange} />
      <fieldset>
        <legend>Where it leads</legend>
        {outletsOf(card).map((o) => (
          <SelectField
            key={o.handle}
            label={
              o.handle.startsWith('button-')
                ? `Button ${Number(o.handle.slice(7)) + 1} “${o.label}” leads to`
                : `${o.label} leads to`
            }
            value={o.target ?? ''}
            options={targets}
            error={problemAt(outletField(o.handle))}
            onChange={(target) =>
              onChange(connectOutlet(card, o.handle, target === '' ? null : target))
            }
          />
        ))}
      </fieldset>
      <div className="actions">
        <button type="button" disabled={props.isStart} onClick={props.onMakeStart}>
          {props.isStart ? 'This is the start card' : 'Make this the start card'}
        </button>
        <button type="button" className="danger" disabled={props.isStart} onClick={props.onDelete}>
          Delete card
        </button>
      </div>
    </div>
  );
}
