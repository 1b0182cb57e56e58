import { afterEach, describe, expect, it, vi } from 'vitest';
import { handleStopSignals } from '../../src/stop-signals.js';

let remove: (() => void) | undefined;
afterEach(() => {
  remove?.();
  vi.useRealTimers();
});

describe('handleStopSignals', () => {
  it('when SIGINT arrives twice (Ctrl-C under npm), then the stop starts once and the second is only reported', () => {
    const onStop = vi.fn();
    const said: string[] = [];
    remove = handleStopSignals({ onStop, say: (m) => said.push(m), exit: vi.fn() });
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGTERM', 'SIGTERM');
    expect(onStop).toHaveBeenCalledTimes(1);
    expect(onStop).toHaveBeenCalledWith('SIGINT');
    expect(said).toEqual([
      'SIGINT received while stopping; still stopping',
      'SIGTERM received while stopping; still stopping',
    ]);
  });

  it('when the stop hangs, then the process exits 1 after forceAfterMs, not before', () => {
    vi.useFakeTimers();
    const exit = vi.fn();
    remove = handleStopSignals({ onStop: () => {}, exit, forceAfterMs: 8_000 });
    process.emit('SIGTERM', 'SIGTERM');
    vi.advanceTimersByTime(7_999);
    expect(exit).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(exit).toHaveBeenCalledWith(1);
  });
});
