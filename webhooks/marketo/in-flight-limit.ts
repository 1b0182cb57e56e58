import type { RequestHandler } from 'express';
import { AppError } from '../../src/errors.js';
import type { Clock } from '../../src/deps.js';
import type { Logger } from '../../src/logger.js';

export interface InFlightLimitOptions {
  /** Requests in progress at once on the routes behind this guard. */
  max: number;
  /** Seconds in the Retry-After of a refusal. */
  retryAfterSeconds: number;
  logger: Logger;
  clock: Clock;
}

/**
 * Caps the requests in progress on the webhook routes. Marketo keeps at most about 20 webhook
 * connections open per instance (Sanford Whiteman, "Marketo webhooks: 20 concurrent
 * connections"; not in Adobe's docs), so a well-behaved instance never reaches a cap of 64;
 * what does is a misconfigured proxy or a flood that is not Marketo. Past the cap each call is
 * refused at once with 503 and Retry-After instead of queuing, so memory stays bounded (at most
 * `max` bodies of the body limit are read at a time) and answers stay fast. Marketo does not
 * retry (DEV:help/webhooks/errors.md); its "Webhook is Called" trigger can catch the 503.
 */
export function limitInFlight(options: InFlightLimitOptions): RequestHandler {
  let inFlight = 0;
  let lastWarnedAt = 0;
  return (_req, res, next) => {
    if (inFlight >= options.max) {
      const now = options.clock.now();
      // One warning a minute at most: a flood must not become a flood of log lines.
      if (now - lastWarnedAt > 60_000) {
        lastWarnedAt = now;
        options.logger.warn(
          { inFlight, max: options.max },
          'webhook calls refused: too many in progress',
        );
      }
      res.set('Retry-After', String(options.retryAfterSeconds));
      next(
        new AppError('BUSY', 'Too many webhook calls in progress; retry shortly', {
          httpStatus: 503,
          retryable: true,
        }),
      );
      return;
    }
    inFlight += 1;
    let released = false;
    // 'close' fires once the answer is sent or the connection is gone, whichever comes first,
    // and only once: `on`, not `once`, saves a wrapper per call.
    res.on('close', () => {
      if (released) return;
      released = true;
      inFlight -= 1;
    });
    next();
  };
}
