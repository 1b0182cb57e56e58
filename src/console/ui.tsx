import { useCallback, useEffect, useId, useState, type ReactNode } from 'react';
import { ApiError, describeError } from './api.js';

/**
 * Small building blocks shared by the tabs. Every text is rendered by React as text: nothing a
 * visitor typed ever becomes HTML (no dangerouslySetInnerHTML anywhere in the console).
 */

export interface FieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** The API's message for this field, shown beside it. */
  error?: string | undefined;
  type?: string;
  hint?: string;
  name?: string;
  required?: boolean;
}

export function Field(props: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [props.error ? errorId : '', props.hint ? hintId : ''].filter(Boolean);
  return (
    <div className={`field${props.error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        required={props.required}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy.length > 0 ? describedBy.join(' ') : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.hint && (
        <small id={hintId} className="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={errorId} className="error" role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}

/** A multi-line Field: the API's message (or each of its issues) beside it. */
export function TextAreaField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  errors?: string[];
  hint?: string;
  rows?: number;
}) {
  const id = useId();
  const errors = props.errors ?? [];
  const describedBy = [errors.length > 0 ? `${id}-error` : '', props.hint ? `${id}-hint` : ''];
  return (
    <div className={`field${errors.length > 0 ? ' has-error' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <textarea
        id={id}
        rows={props.rows ?? 6}
        value={props.value}
        spellCheck={false}
        aria-invalid={errors.length > 0 ? true : undefined}
        aria-describedby={describedBy.filter(Boolean).join(' ') || undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.hint && (
        <small id={`${id}-hint`} className="hint">
          {props.hint}
        </small>
      )}
      {errors.length > 0 && (
        <ul id={`${id}-error`} className="error error-list" role="alert">
          {errors.map((e, i) => (
            <li key={i}>{e}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function SelectField(props: {
  label: string;
  value: string;
  options: Array<{ value: string; label: string }>;
  onChange: (value: string) => void;
  error?: string | undefined;
}) {
  const id = useId();
  return (
    <div className={`field${props.error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {props.error && (
        <small id={`${id}-error`} className="error" role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}

export function Checkbox(props: {
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="field checkbox">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <label htmlFor={id}>{props.label}</label>
    </div>
  );
}

/** A result line: what happened, or what failed and what to do (role=status / alert). */
export function Notice(props: { notice: NoticeState }) {
  const { notice } = props;
  if (notice === null) return <div role="status" className="notice-slot" />;
  return (
    <div role={notice.kind === 'error' ? 'alert' : 'status'} className={`notice ${notice.kind}`}>
      {notice.text}
    </div>
  );
}

export type NoticeState = { kind: 'ok' | 'error'; text: string } | null;

/** Loads with `load`, again on `reload()`; the error is said as a notice (`failure`: its fields). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [version, setVersion] = useState(0);
  const run = useCallback(load, deps);
  useEffect(() => {
    let live = true;
    run().then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(null);
        setFailure(null);
      },
      (err: unknown) => {
        if (!live) return;
        setError(describeError(err, 'Loading'));
        setFailure(err instanceof ApiError ? err : null);
      },
    );
    return () => {
      live = false;
    };
  }, [run, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { data, error, failure, reload, setData };
}

/** Runs an action, saying what happened; field errors stay on the ApiError for the form. */
export function useAction() {
  const [notice, setNotice] = useState<NoticeState>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const run = useCallback(async (what: string, action: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    setNotice(null);
    try {
      await action();
      setFailure(null);
      setNotice({ kind: 'ok', text: done ?? `${what}: done.` });
      return true;
    } catch (error) {
      setFailure(error instanceof ApiError ? error : null);
      setNotice({ kind: 'error', text: describeError(error, what) });
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  /** Forgets the last notice and field errors (a form opened afresh). */
  const clear = useCallback(() => {
    setNotice(null);
    setFailure(null);
  }, []);
  return { notice, busy, failure, run, setNotice, clear };
}

/**
 * A table's own sideways-scrolling box at narrow widths: focusable and named, so the keyboard
 * can scroll it too (axe: scrollable-region-focusable).
 */
export function TableScroll(props: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={props.label} tabIndex={0}>
      {props.children}
    </div>
  );
}

export function Section(props: { title: string; children: ReactNode; actions?: ReactNode }) {
  const id = useId();
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-head">
        <h2 id={id}>{props.title}</h2>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}

export const formatDateTime = (value: string | number | null | undefined) =>
  value === null || value === undefined
    ? '—'
    : new Date(value).toLocaleString('en-GB', { timeZone: 'UTC' }) + ' UTC';
