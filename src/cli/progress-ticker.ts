import type { Scheduler } from '../scheduler.js';

/**
 * Writes `line()` every `everyMs`, whether or not the work reported anything since: a sync
 * that waits for Marketo's budget still shows a line a second, saying what it waits for.
 */
export function startProgressTicker(args: {
  scheduler: Scheduler;
  everyMs: number;
  line: () => string;
  write: (line: string) => void;
}): { stop(): void } {
  let timer: { cancel(): void } | undefined;
  const tick = () => {
    args.write(args.line());
    timer = args.scheduler.setTimeout(tick, args.everyMs);
  };
  timer = args.scheduler.setTimeout(tick, args.everyMs);
  return {
    stop() {
      timer?.cancel();
      timer = undefined;
    },
  };
}
