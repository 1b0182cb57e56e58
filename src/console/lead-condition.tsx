import { useState } from 'react';
import type { AudienceCondition } from '../records/chat-targeting.js';
import { Field, SelectField } from './ui.js';

import { OPERATORS, type Operator } from './condition-operators.js';

export { OPERATORS, type Operator };

/** A condition's value as typed: a list for `inList` (comma-separated), none for the empties. */
export function valueFor(operator: Operator, text: string): unknown {
  if (operator === 'isEmpty' || operator === 'isNotEmpty') return undefined;
  if (operator === 'inList')
    return text
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  if ((operator === 'greaterThan' || operator === 'lessThan') && text.trim() !== '') {
    const n = Number(text);
    return Number.isNaN(n) ? text : n;
  }
  return text;
}

export function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/**
 * One condition on a synced lead field (a routing rule's, a dialogue audience group's): field,
 * operator, value, each with the API's problem (`…conditions.0.value`) beside it.
 */
export function LeadConditionRow(props: {
  name: string;
  condition: AudienceCondition;
  problemAt: (field: string) => string | undefined;
  onChange: (condition: AudienceCondition) => void;
  onRemove: (() => void) | undefined;
}) {
  const { condition, name, problemAt } = props;
  // What was typed, shown while it still means the stored value ("a," is the list ["a"] too).
  const [typed, setTyped] = useState(valueText(condition.value));
  const shown =
    JSON.stringify(valueFor(condition.operator, typed)) === JSON.stringify(condition.value)
      ? typed
      : valueText(condition.value);
  return (
    <div className="condition row">
      <Field
        label={`${name} lead field`}
        value={condition.field}
        error={problemAt('field')}
        onChange={(field) => props.onChange({ ...condition, field })}
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
          } as AudienceCondition);
        }}
      />
      {condition.operator !== 'isEmpty' && condition.operator !== 'isNotEmpty' && (
        <Field
          label={`${name} value`}
          value={shown}
          error={problemAt('value')}
          {...(condition.operator === 'inList' ? { hint: 'comma-separated' } : {})}
          onChange={(text) => {
            setTyped(text);
            props.onChange({
              ...condition,
              value: valueFor(condition.operator, text),
            } as AudienceCondition);
          }}
        />
      )}
      {props.onRemove && (
        <button type="button" onClick={props.onRemove}>
          Remove {name.toLowerCase()}
        </button>
      )}
    </div>
  );
}
