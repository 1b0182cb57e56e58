/**
 * SIGTERM and SIGINT for the service and the sync CLI. The first signal starts a clean stop;
 * later ones are ignored, because one Ctrl-C under `npm run` arrives twice (the terminal signals
 * the whole foreground group, and npm forwards the signal to its child as well). A stop that
 * hangs is ended after `forceAfterMs` with exit code 1; the store's exit hook still removes its
 * lock, so nothing is left for the next start to take over.
 */
export interface StopSignalsOptions {
  /** Called once, with the first signal's name. */
  onStop: (signal: NodeJS.Signals) => void;
  /** Told about each signal that arrives while stopping, and about a forced exit. */
  say?: (message: string) => void;
  forceAfterMs?: number;
  exit?: (code: number) => void;
}

export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export function handleStopSignals(options: StopSignalsOptions): () => void {
  const {
    onStop,
    say = () => {},
    forceAfterMs = 8_000,
    exit = (code) => process.exit(code),
  } = options;
  let stopping = false;
  const listener = (signal: NodeJS.Signals) => {
    if (stopping) {
      say(`${signal} received while stopping; still stopping`);
      return;
    }
    stopping = true;
    const force = setTimeout(() => {
      say(`did not stop within ${forceAfterMs} ms; exiting`);
      exit(1);
    }, forceAfterMs);
    force.unref();
    onStop(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, listener);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, listener);
  };
}
