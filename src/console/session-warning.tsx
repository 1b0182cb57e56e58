import { useEffect, useState, useSyncExternalStore } from 'react';
import { api, sessionExpiry } from './api.js';
import { useUnsavedForms } from './unsaved.js';

/** How long before the end of the session the warning shows. */
const WARN_MS = 2 * 60_000;

/**
 * Warns while a form holds unsaved edits and the session ends soon: a click on "Stay signed
 * in" makes a request, which renews the session (every admin request does).
 */
export function SessionWarning() {
  const expiresAt = useSyncExternalStore(sessionExpiry.subscribe, sessionExpiry.get);
  const unsaved = useUnsavedForms();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(timer);
  }, []);
  if (expiresAt === null || unsaved.length === 0 || expiresAt - now > WARN_MS) return null;
  const left = Math.max(0, Math.round((expiresAt - now) / 1000));
  return (
    <div className="session-warning" role="alert">
      <span>
        Your session ends in {Math.floor(left / 60)} min {left % 60} s; unsaved edits in{' '}
        {unsaved.join(', ')} would be lost.
      </span>
      <button
        type="button"
        onClick={() => void api.get('/api/configuration').catch(() => undefined)}
      >
        Stay signed in
      </button>
    </div>
  );
}
