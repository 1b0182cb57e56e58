import { useEffect, useSyncExternalStore } from 'react';

/**
 * Which forms hold edits not yet saved, by name. The session warning (session-warning.tsx)
 * speaks up only while one does; leaving the page asks first.
 */
const dirty = new Set<string>();
const listeners = new Set<() => void>();
let snapshot: readonly string[] = [];

function publish(): void {
  snapshot = [...dirty];
  for (const l of listeners) l();
}

export function useUnsaved(name: string, isDirty: boolean): void {
  useEffect(() => {
    if (isDirty) dirty.add(name);
    else dirty.delete(name);
    publish();
    return () => {
      dirty.delete(name);
      publish();
    };
  }, [name, isDirty]);
}

export function useUnsavedForms(): readonly string[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    () => snapshot,
  );
}

window.addEventListener('beforeunload', (event) => {
  if (dirty.size > 0) event.preventDefault();
});
