import { Field } from '../ui.js';

/** An optional lead field's REST name: empty is none. */
export function LeadField(props: {
  label: string;
  value: string | undefined;
  error: string | undefined;
  onChange: (field: string | undefined) => void;
}) {
  return (
    <Field
      label={props.label}
      value={props.value ?? ''}
      error={props.error}
      hint="A Marketo field's REST name, e.g. phone; empty: kept in the conversation only"
      onChange={(v) => props.onChange(v.trim() === '' ? undefined : v.trim())}
    />
  );
}

/** `{ ...card, field }`, or the card without `field` when it is undefined. */
export function withField<T extends { field?: string }>(card: T, field: string | undefined): T {
  const { field: _old, ...rest } = card;
  return (field === undefined ? rest : { ...rest, field }) as T;
}
