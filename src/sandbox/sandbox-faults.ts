import type { FaultSpec } from './sandbox-types.js';

/**
 * Scripted failures for tests: `injectFault({ path, code: '606', times: 2 })` makes the next
 * two matching calls fail that way. A fault answers before auth and limits, so it is not an
 * executed call, just as Marketo's 6xx responses are "not executed" (error-codes.md). An
 * `after` fault is taken only once the call has executed, and replaces its success answer.
 */

interface PendingFault extends FaultSpec {
  remaining: number;
}

export interface FaultQueue {
  inject(fault: FaultSpec): void;
  /** Consumes and returns the first fault of that phase matching `path`, if any. */
  take(path: string, phase?: 'before' | 'after'): FaultSpec | undefined;
}

function matches(fault: FaultSpec, path: string): boolean {
  if (fault.path === undefined) return true;
  if (typeof fault.path === 'string') return path.startsWith(fault.path);
  fault.path.lastIndex = 0;
  return fault.path.test(path);
}

export function createFaultQueue(): FaultQueue {
  const pending: PendingFault[] = [];
  return {
    inject(fault) {
      const times = fault.times ?? 1;
      if (times > 0) pending.push({ ...fault, remaining: times });
    },
    take(path, phase = 'before') {
      const index = pending.findIndex(
        (fault) => (fault.after === true) === (phase === 'after') && matches(fault, path),
      );
      const fault = pending[index];
      if (!fault) return undefined;
      fault.remaining--;
      if (fault.remaining <= 0) pending.splice(index, 1);
      return fault;
    },
  };
}
