import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { call, onSignedOut, setSession } from './api.js';
import { SessionWarning } from './session-warning.js';
import { SignIn, type SessionInfo } from './sign-in.js';
import { TABS, type TabId } from './tabs.js';

type SessionState =
  | (SessionInfo & { signedIn: true })
  | { signedIn: false; expired: boolean; passwordSignIn: boolean };

type State =
  | { kind: 'loading' }
  | { kind: 'signed-out'; passwordSignIn: boolean; expired: boolean }
  | { kind: 'signed-in'; session: SessionInfo };

function readHash(): string {
  return location.hash.replace(/^#\/?/, '');
}

function useHash(): string {
  return useSyncExternalStore((l) => {
    window.addEventListener('hashchange', l);
    return () => window.removeEventListener('hashchange', l);
  }, readHash);
}

/** The console: sign-in, then the tabs, each a `#/<tab>` fragment so links and Back work. */
export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const hash = useHash();

  const check = useCallback(async (expired = false) => {
    try {
      const state = await call<SessionState>('GET', '/console/session');
      if (state.signedIn) {
        setSession(state);
        setState({ kind: 'signed-in', session: state });
        return;
      }
      setSession(null);
      setState({
        kind: 'signed-out',
        passwordSignIn: state.passwordSignIn,
        expired: expired || state.expired,
      });
    } catch {
      setSession(null);
      setState({ kind: 'signed-out', passwordSignIn: false, expired });
    }
  }, []);

  useEffect(() => {
    void check();
    return onSignedOut(() => void check(true));
  }, [check]);

  if (state.kind === 'loading') return <p className="loading">Loading…</p>;
  if (state.kind === 'signed-out') {
    return (
      <SignIn
        passwordSignIn={state.passwordSignIn}
        expired={state.expired}
        onSignedIn={(session) => setState({ kind: 'signed-in', session })}
      />
    );
  }

  const [tabPart = '', ...rest] = hash.split('/');
  const tab = TABS.find((t) => t.id === tabPart) ?? TABS[0]!;
  const Body = tab.component;

  async function signOut() {
    await call('DELETE', '/console/session').catch(() => undefined);
    setSession(null);
    await check();
  }

  return (
    <div className="shell">
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="top">
        <span className="brand">marketo-chat</span>
        <nav aria-label="Console sections">
          <ul>
            {TABS.map((t) => (
              <li key={t.id}>
                <a href={`#/${t.id}`} aria-current={t.id === tab.id ? 'page' : undefined}>
                  {t.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" className="sign-out" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <SessionWarning />
      <main id="main" tabIndex={-1} aria-labelledby="page-title">
        <h1 id="page-title">{tab.label}</h1>
        <Body path={rest} />
      </main>
    </div>
  );
}

export type { TabId };
