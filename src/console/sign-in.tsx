import { useState, type FormEvent } from 'react';
import { ApiError, call, setSession } from './api.js';
import { Field, Notice, type NoticeState } from './ui.js';

export interface SessionInfo {
  csrfToken: string;
  expiresAt: string;
  sessionMinutes: number;
  passwordSignIn: boolean;
}

/**
 * Sign-in with the admin password (when ADMIN_PASSWORD_HASH is set) or the admin token. A wrong
 * one is said beside its field; what was typed stays.
 */
export function SignIn(props: {
  passwordSignIn: boolean;
  expired: boolean;
  onSignedIn: (session: SessionInfo) => void;
}) {
  const [mode, setMode] = useState<'password' | 'token'>(
    props.passwordSignIn ? 'password' : 'token',
  );
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<NoticeState>(
    props.expired ? { kind: 'error', text: 'Your session expired: sign in again.' } : null,
  );
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setNotice(null);
    try {
      const session = await call<SessionInfo>('POST', '/console/session', { [mode]: secret });
      setSession(session);
      setError(null);
      props.onSignedIn(session);
    } catch (err) {
      setError(err instanceof ApiError ? err : null);
      setNotice({
        kind: 'error',
        text:
          err instanceof ApiError && err.field
            ? 'Sign-in failed: see the field above.'
            : `Sign-in failed: ${String((err as Error).message)}`,
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in" id="main">
      <h1>marketo-chat console</h1>
      <form onSubmit={submit} noValidate aria-label="Sign in">
        {props.passwordSignIn && (
          <fieldset className="segmented">
            <legend>Sign in with</legend>
            <label>
              <input
                type="radio"
                name="mode"
                checked={mode === 'password'}
                onChange={() => setMode('password')}
              />{' '}
              the password
            </label>
            <label>
              <input
                type="radio"
                name="mode"
                checked={mode === 'token'}
                onChange={() => setMode('token')}
              />{' '}
              the admin token
            </label>
          </fieldset>
        )}
        <Field
          label={mode === 'password' ? 'Password' : 'Admin token'}
          name={mode}
          type="password"
          value={secret}
          onChange={setSecret}
          error={error?.forField(mode) ?? error?.forField('password')}
          hint={
            mode === 'token'
              ? 'ADMIN_TOKEN, or in sandbox mode the file admin-token beside the data file.'
              : undefined
          }
        />
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
        <Notice notice={notice} />
      </form>
    </main>
  );
}
