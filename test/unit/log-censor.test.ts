import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { censorLogLine, SECRET_LOG_KEYS } from '../../src/log-censor.js';
import { createLogger } from '../../src/logger.js';

/** A logger writing into `lines`, as the service's (createLogger), at every level. */
function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (l) => lines.push(l) } });
  return { lines, logger };
}

/** `value` under `key`, `depth` levels down: depth 1 is a top-level key of the log line. */
function nested(key: string, value: unknown, depth: number): Record<string, unknown> {
  let obj: Record<string, unknown> = { [key]: value };
  for (let level = depth - 1; level >= 1; level -= 1) obj = { [`level${level}`]: obj };
  return obj;
}

describe('log redaction: secrets at any depth', () => {
  const cases = SECRET_LOG_KEYS.flatMap((key) => [1, 2, 3, 4, 6].map((depth) => ({ key, depth })));

  it.each(cases)(
    'when $key is logged $depth levels deep, then its value never appears and the line stays JSON',
    ({ key, depth }) => {
      const { lines, logger } = capture();
      const secret = `s3cr3t-${key}-${depth}`;
      logger.info(nested(key, secret, depth), 'a line');
      logger.child(nested(key, `${secret}-bound`, depth)).warn('a child line');

      expect(lines).toHaveLength(2);
      for (const line of lines) {
        expect(line).not.toContain(secret);
        const parsed = JSON.parse(line) as Record<string, unknown>;
        let at: unknown = parsed;
        for (let level = 1; level < depth; level += 1) {
          at = (at as Record<string, unknown>)[`level${level}`];
        }
        expect((at as Record<string, unknown>)[key]).toBe('[redacted]');
      }
    },
  );

  it('when a secret key differs in case (an axios error’s config.headers.Authorization), then it is redacted too', () => {
    const { lines, logger } = capture();
    const error = Object.assign(new Error('request failed'), {
      config: { headers: { Authorization: 'Bearer tok-123', Accept: 'application/json' } },
    });
    logger.error({ err: error }, 'failed');
    logger.error({ err: new Error('outer', { cause: error }) }, 'failed');
    for (const line of lines) expect(line).not.toContain('tok-123');
    // pino's error serializer copies the error's own fields: the header's neighbours stay.
    expect(JSON.parse(lines[0]!)).toMatchObject({
      err: { config: { headers: { Authorization: '[redacted]', Accept: 'application/json' } } },
    });
  });

  it('when a secret key holds an object, an array, a number or a string with quotes and braces, then the whole value goes and the rest of the line stays', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        a: { token: { value: 'x1', nested: ['x2', { y: 'x3' }] }, after: 'kept-1' },
        b: { password: ['x4', 'x5'], after: 'kept-2' },
        c: { secret: 12345, after: 'kept-3' },
        d: { clientSecret: 'x6 "quoted" {brace} [bracket], comma \\ backslash', after: 'kept-4' },
      },
      'values',
    );
    const line = lines[0]!;
    for (const gone of ['x1', 'x2', 'x3', 'x4', 'x5', '12345', 'x6', 'quoted', 'brace']) {
      expect(line).not.toContain(gone);
    }
    expect(JSON.parse(line)).toMatchObject({
      a: { token: '[redacted]', after: 'kept-1' },
      b: { password: '[redacted]', after: 'kept-2' },
      c: { secret: '[redacted]', after: 'kept-3' },
      d: { clientSecret: '[redacted]', after: 'kept-4' },
      msg: 'values',
    });
  });

  it('when keys only resemble secret ones, or a message quotes one, then nothing is redacted', () => {
    const { lines, logger } = capture();
    logger.info(
      { nextPageToken: 'GIYD', tokenRequests: 3, endpoint: 'identity', secretary: 'Ann' },
      'the body was {"token":"abc"}',
    );
    expect(JSON.parse(lines[0]!)).toMatchObject({
      nextPageToken: 'GIYD',
      tokenRequests: 3,
      secretary: 'Ann',
      msg: 'the body was {"token":"abc"}',
    });
  });

  it('when a line has no secret key, then censorLogLine returns the very same string', () => {
    const line = '{"level":30,"time":1,"route":"/chat/events","status":201,"msg":"request"}\n';
    expect(censorLogLine(line)).toBe(line);
  });

  it('when the pretty format is used, then secrets are redacted before pino-pretty prints them', () => {
    let out = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString('utf8');
        done();
      },
    });
    const logger = createLogger({ format: 'pretty', destination });
    logger.info({ a: { b: { c: { refreshToken: 'rt-999' } } } }, 'pretty');
    expect(out).toContain('pretty');
    expect(out).toContain('[redacted]');
    expect(out).not.toContain('rt-999');
  });
});
