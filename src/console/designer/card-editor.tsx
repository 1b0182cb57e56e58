import type { BranchCondition, Card } from '../../records/chat-contract.js';
import { Field, SelectField } from '../ui.js';
import { connectOutlet, outletField, outletsOf } from './graph-model.js';

type Problem = { field: string; message: string };

const OPERATORS = [
  'equals',
  'notEquals',
  'contains',
  'startsWith',
  'isEmpty',
  'isNotEmpty',
] as const;

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
  const others = problems.filter(
    (p) => !['text', 'name'].includes(p.field) && !/^(buttons|branches)\.\d+/.test(p.field),
  );
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
        <fieldset>
          <legend>Branches (the first that holds wins)</legend>
          {card.branches.map((branch, i) => (
            <BranchEditor
              key={i}
              index={i}
              condition={branch.conditions[0] ?? { source: 'known', known: true }}
              problem={
                problemAt(`branches.${i}.conditions.0.value`) ??
                problemAt(`branches.${i}.conditions.0.answer`) ??
                problemAt(`branches.${i}.conditions.0.field`)
              }
              onChange={(condition) =>
                onChange({
                  ...card,
                  branches: card.branches.map((b, j) =>
                    j === i ? { ...b, conditions: [condition] } : b,
                  ),
                })
              }
            />
          ))}
          <button
            type="button"
            disabled={card.branches.length >= 10}
            onClick={() =>
              onChange({
                ...card,
                branches: [
                  ...card.branches,
                  { match: 'all', conditions: [{ source: 'known', known: false }], next: null },
                ],
              })
            }
          >
            Add branch
          </button>
        </fieldset>
      )}
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

function BranchEditor(props: {
  index: number;
  condition: BranchCondition;
  problem: string | undefined;
  onChange: (condition: BranchCondition) => void;
}) {
  const { condition, index } = props;
  const n = index + 1;
  return (
    <div className="branch">
      <SelectField
        label={`Branch ${n} tests`}
        value={condition.source}
        options={[
          { value: 'known', label: 'Whether the visitor is a known lead' },
          { value: 'answer', label: 'An earlier answer' },
          { value: 'lead', label: 'A lead field' },
        ]}
        onChange={(source) =>
          props.onChange(
            source === 'known'
              ? { source: 'known', known: true }
              : source === 'answer'
                ? { source: 'answer', answer: '', operator: 'equals', value: '' }
                : { source: 'lead', field: 'country', operator: 'equals', value: '' },
          )
        }
      />
      {condition.source === 'known' && (
        <SelectField
          label={`Branch ${n} holds when the visitor is`}
          value={condition.known ? 'yes' : 'no'}
          options={[
            { value: 'yes', label: 'known' },
            { value: 'no', label: 'anonymous' },
          ]}
          onChange={(v) => props.onChange({ source: 'known', known: v === 'yes' })}
        />
      )}
      {condition.source !== 'known' && (
        <>
          <Field
            label={
              condition.source === 'answer'
                ? `Branch ${n} answer (card id)`
                : `Branch ${n} lead field`
            }
            value={condition.source === 'answer' ? condition.answer : condition.field}
            onChange={(v) =>
              props.onChange(
                condition.source === 'answer'
                  ? { ...condition, answer: v }
                  : { ...condition, field: v },
              )
            }
          />
          <SelectField
            label={`Branch ${n} operator`}
            value={condition.operator}
            options={OPERATORS.map((o) => ({ value: o, label: o }))}
            onChange={(operator) =>
              props.onChange({ ...condition, operator: operator as (typeof OPERATORS)[number] })
            }
          />
          <Field
            label={`Branch ${n} value`}
            value={
              typeof condition.value === 'string' || typeof condition.value === 'number'
                ? String(condition.value)
                : ''
            }
            error={props.problem}
            onChange={(value) => props.onChange({ ...condition, value })}
          />
        </>
      )}
      {condition.source === 'known' && props.problem && (
        <small className="error" role="alert">
          {props.problem}
        </small>
      )}
    </div>
  );
}
