/**
 * What censoring every log line costs (src/log-censor.ts): pino with no redaction, with the
 * fixed-path redact the service used before (one wildcard level), and with the line censor,
 * for an ordinary access line, a larger line with an error, and a line holding a nested secret.
 * Run: npx tsx bench/log-censor.ts
 */
import { pino } from 'pino';
import { censorLogLine } from '../src/log-censor.js';

const OLD_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-webhook-secret"]',
  'req.headers["x-callback-token"]',
  '*.authorization',
  '*.access_token',
  '*.accessToken',
  '*.refresh_token',
  '*.refreshToken',
  '*.client_secret',
  '*.clientSecret',
  '*.apiCallBackKey',
  '*.token',
  '*.password',
];

const sink = { write: (_line: string) => undefined };
const loggers = {
  none: pino({ base: undefined }, sink),
  'fixed paths (before)': pino(
    { base: undefined, redact: { paths: OLD_PATHS, censor: '[redacted]' } },
    sink,
  ),
  'line censor (now)': pino({ base: undefined, hooks: { streamWrite: censorLogLine } }, sink),
};

const error = Object.assign(new Error('Marketo syncLeads failed: 606 Max rate limit'), {
  code: 'MARKETO_API_ERROR',
  details: { endpoint: 'syncLeads', marketoCode: '606', requestId: 'e42b#17d5d0b1a3c' },
});
const lines: Record<string, (log: pino.Logger) => void> = {
  'access line': (log) =>
    log.info(
      { requestId: 'b7c1e2', method: 'POST', route: '/chat/events', status: 201, ms: 3.2 },
      'request',
    ),
  'error line': (log) => log.error({ err: error, outboxId: 'o-1', kind: 'x' }, 'outbox failed'),
  'nested secret': (log) =>
    log.warn({ call: { request: { auth: { clientSecret: 'S3cr3t' } } } }, 'call failed'),
};

const N = 200_000;
for (const [lineName, write] of Object.entries(lines)) {
  for (const [loggerName, log] of Object.entries(loggers)) {
    for (let i = 0; i < 20_000; i += 1) write(log); // warm-up
    const started = process.hrtime.bigint();
    for (let i = 0; i < N; i += 1) write(log);
    const ns = Number(process.hrtime.bigint() - started) / N;
    console.log(
      `${lineName.padEnd(14)} ${loggerName.padEnd(22)} ${ns.toFixed(0).padStart(6)} ns/line`,
    );
  }
}
