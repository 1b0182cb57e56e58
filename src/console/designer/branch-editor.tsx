import { useState } from 'react';
import type { BranchCondition, Card } from '../../records/chat-cards.js';
import { OPERATORS, valueFor, valueText, type Operator } from '../lead-condition.js';
import { Field, SelectField } from '../ui.js';

type ConditionCard = Extract<Card, { type: 'condition' }>;
type Branch = ConditionCard['branches'][number];

/**
 * A condition card's branches: each with how its conditions combine (all / any) and up to ten
 * conditions (known visitor, an earlier answer, a lead field), added and removed by buttons.
 * The API's problems (`branches.1.conditions.0.value`) show beside their field.
 */
export function BranchesEditor(props: {
  card: ConditionCard;
  problemAt: (field: string) => string | undefined;
  onChange: (card: ConditionCard) => void;
}) {
  const { card, problemAt, onChange } = props;
  const setBranch = (i: number, branch: Branch) =>
    onChange({ ...card, branches: card.branches.map((b, j) => (j === i ? branch : b)) });
  return (
    <fieldset>
      <legend>Branches (the first that holds wins)</legend>
      {card.branches.map((branch, i) => (
        <fieldset className="branch" key={i}>
          <legend>Branch {i + 1}</legend>
          <SelectField
            label={`Branch ${i + 1} holds when`}
            value={branch.match}
            options={[
              { value: 'all', label: 'all its conditions hold' },
              { value: 'any', label: 'any of its conditions holds' },
            ]}
            onChange={(match) => setBranch(i, { ...branch, match: match as 'all' | 'any' })}
          />
          {branch.conditions.map((condition, k) => (
            <ConditionEditor
              key={k}
              name={`Branch ${i + 1} condition ${k + 1}`}
              condition={condition}
              problemAt={(field) => problemAt(`branches.${i}.conditions.${k}.${field}`)}
              onChange={(next) =>
                setBranch(i, {
                  ...branch,
                  conditions: branch.conditions.map((c, j) => (j === k ? next : c)),
                })
              }
              onRemove={
                branch.conditions.length > 1
                  ? () =>
                      setBranch(i, {
                        ...branch,
                        conditions: branch.conditions.filter((_, j) => j !== k),
                      })
                  : undefined
              }
            />
          ))}
          <div className="actions">
            <button
              type="button"
              disabled={branch.conditions.length >= 10}
              onClick={() =>
                setBranch(i, {
                  ...branch,
                  conditions: [
                    ...branch.conditions,
                    { source: 'lead', field: 'country', operator: 'equals', value: '' },
                  ],
                })
              }
            >
              Add condition to branch {i + 1}
            </button>
            <button
              type="button"
              disabled={card.branches.length <= 1}
              onClick={() =>
                onChange({ ...card, branches: card.branches.filter((_, j) => j !== i) })
              }
            >
              Remove branch {i + 1}
            </button>
          </div>
        </fieldset>
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
  );
}

function ConditionEditor(props: {
  name: string;
  condition: BranchCondition;
  problemAt: (field: string) => string | undefined;
  onChange: (condition: BranchCondition) => void;
  onRemove: (() => void) | undefined;
}) {
  const { condition, name, problemAt } = props;
  const other = problemAt('source') ?? problemAt('known');
  // What was typed, shown while it still means the stored value ("a," is the list ["a"] too);
  // the value itself otherwise (another condition took this place in the list).
  const [typed, setTyped] = useState(valueText('value' in condition ? condition.value : ''));
  const shown = (c: Extract<BranchCondition, { operator: string }>) =>
    JSON.stringify(valueFor(c.operator, typed)) === JSON.stringify(c.value)
      ? typed
      : valueText(c.value);
  return (
    <div className="condition row">
      <SelectField
        label={`${name} tests`}
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
      {condition.source === 'known' ? (
        <SelectField
          label={`${name}: the visitor is`}
          value={condition.known ? 'yes' : 'no'}
          error={other}
          options={[
            { value: 'yes', label: 'known' },
            { value: 'no', label: 'anonymous' },
          ]}
          onChange={(v) => props.onChange({ source: 'known', known: v === 'yes' })}
        />
      ) : (
        <>
          <Field
            label={
              condition.source === 'answer'
                ? `${name} answer (card id or form key)`
                : `${name} lead field`
            }
            value={condition.source === 'answer' ? condition.answer : condition.field}
            error={problemAt(condition.source === 'answer' ? 'answer' : 'field')}
            onChange={(v) =>
              props.onChange(
                condition.source === 'answer'
                  ? { ...condition, answer: v }
                  : { ...condition, field: v },
              )
            }
          />
          <SelectField
            label={`${name} operator`}
            value={condition.operator}
            error={problemAt('operator')}
            options={OPERATORS.map((o) => ({ value: o, label: o }))}
            onChange={(operator) => {
              const op = operator as Operator;
              const value = valueFor(op, valueText(condition.value));
              const { value: _old, ...rest } = condition;
              props.onChange({
                ...rest,
                operator: op,
                ...(value === undefined ? {} : { value }),
              } as BranchCondition);
            }}
          />
          {condition.operator !== 'isEmpty' && condition.operator !== 'isNotEmpty' && (
            <Field
              label={`${name} value`}
              value={shown(condition)}
              error={problemAt('value')}
              {...(condition.operator === 'inList' ? { hint: 'comma-separated' } : {})}
              onChange={(text) => {
                setTyped(text);
                props.onChange({
                  ...condition,
                  value: valueFor(condition.operator, text),
                } as BranchCondition);
              }}
            />
          )}
        </>
      )}
      {props.onRemove && (
        <button type="button" onClick={props.onRemove}>
          Remove {name.toLowerCase()}
        </button>
      )}
    </div>
  );
}
