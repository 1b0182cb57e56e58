import type { Logger } from '../src/logger.js';

/**
 * A scheduled job's timer: runs `run` every `everyMs`, never two at once (a tick while one runs
 * joins it), logs the report when `worthLogging` says so and a failure as an error. `runNow`
 * is the same tick; `stop` clears the timer and awaits the run in hand.
 */
export function runEvery<R>(options: {
  run: () => Promise<R>;
  everyMs: number;
  logger: Logger;
  name: string;
  worthLogging: (report: R) => boolean;
}): { stop(): Promise<void>; runNow(): Promise<void> } {
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= options
      .run()
      .then((report) => {
        if (options.worthLogging(report)) options.logger.info(report as object, options.name);
      })
      .catch((error: unknown) => options.logger.error({ err: error }, `${options.name} failed`))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void tick(), options.everyMs);
  timer.unref();
  return {
    runNow: tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
