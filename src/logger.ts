import { createRequire } from 'node:module';
import { pino, type Logger, type DestinationStream } from 'pino';
import { AppError } from './errors.js';
import { censorLogLine } from './log-censor.js';

export type { Logger };

/**
 * The service's logger. No secret (admin token, client secret, access or refresh token, SSFS
 * keys, passwords) reaches the logs: every finished line goes through censorLogLine, which
 * replaces the value of a secret key at any depth (log-censor.ts says why not pino's redact).
 * `format: 'pretty'` (LOG_FORMAT=pretty) writes readable lines through pino-pretty; the line is
 * censored before, so it hides the same secrets.
 */
export function createLogger(
  options: { level?: string; destination?: DestinationStream; format?: 'json' | 'pretty' } = {},
): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      hooks: { streamWrite: censorLogLine },
      base: undefined,
    },
    options.format === 'pretty' ? prettyStream(options.destination) : options.destination,
  );
}

type PrettyFactory = (options: {
  colorize?: boolean;
  sync?: boolean;
  destination?: DestinationStream | number;
  translateTime?: string;
}) => DestinationStream;

/**
 * pino-pretty is a devDependency: loaded only when asked for, synchronously (in this thread,
 * not a worker transport, so the last lines before an exit are not lost), and a production
 * install without it stops the start with a message that says what to do.
 */
function prettyStream(destination: DestinationStream | undefined): DestinationStream {
  let pretty: PrettyFactory;
  try {
    const loaded = createRequire(import.meta.url)('pino-pretty') as
      PrettyFactory | { default: PrettyFactory };
    pretty = typeof loaded === 'function' ? loaded : loaded.default;
  } catch {
    throw new AppError(
      'LOG_FORMAT_UNAVAILABLE',
      'LOG_FORMAT=pretty needs the pino-pretty package, a development dependency that is not ' +
        'installed here: install the dev dependencies (npm install) or set LOG_FORMAT=json.',
    );
  }
  return pretty({
    colorize: destination === undefined && process.stdout.isTTY,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    destination: destination ?? 1,
  });
}

/** A logger that writes nothing, for tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
