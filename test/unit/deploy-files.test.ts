import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

const root = new URL('../../', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, root), 'utf8');

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Array<{ op: string; args: string }> {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

const composeSchema = z.object({
  services: z.object({
    app: z.object({
      build: z.string(),
      environment: z.record(z.string(), z.string()),
      depends_on: z.record(z.string(), z.object({ condition: z.literal('service_healthy') })),
      stop_grace_period: z.string(),
    }),
    postgres: z.object({ image: z.string(), healthcheck: z.object({ test: z.array(z.string()) }) }),
    redis: z.object({ image: z.string(), healthcheck: z.object({ test: z.array(z.string()) }) }),
  }),
});

describe('the Dockerfile and the compose file', () => {
  const steps = instructions(read('Dockerfile'));
  const stages = steps.filter((step) => step.op === 'FROM');
  const runtime = steps.slice(steps.lastIndexOf(stages.at(-1)!));

  it('when the image is built, then it has a build stage and a runtime stage on Node 20, and the runtime copies only built files and production modules', () => {
    expect(stages.map((stage) => stage.args)).toEqual([
      'node:20-bookworm-slim AS build',
      'node:20-bookworm-slim AS runtime',
    ]);
    const build = steps.slice(0, steps.indexOf(stages[1]!));
    expect(build.map((step) => step.args).join('\n')).toMatch(/npm ci/);
    expect(build.map((step) => step.args).join('\n')).toMatch(
      /npm run build && npm prune --omit=dev/,
    );
    const copied = runtime.filter((step) => step.op === 'COPY').map((step) => step.args);
    expect(copied.every((args) => args.startsWith('--from=build'))).toBe(true);
    expect(copied.map((args) => args.split(' ').at(-1))).toEqual([
      './package.json',
      './node_modules',
      './dist',
    ]);
  });

  it('when the container runs, then it is not root and node itself is the entry, so SIGTERM reaches the service', () => {
    const user = runtime.filter((step) => step.op === 'USER').at(-1);
    expect(user?.args).toBe('node');
    const entry = runtime.filter((step) => step.op === 'CMD' || step.op === 'ENTRYPOINT');
    expect(entry.map((step) => `${step.op} ${step.args}`)).toEqual([
      'CMD ["node", "dist/src/main.js"]',
    ]);
  });

  it('when the build context is sent, then local modules, data, secrets and builds are left out', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', 'dist', 'data', '.env', '.git']) {
      expect(ignored).toContain(entry);
    }
  });

  it('when compose starts the stack, then the service waits for a healthy PostgreSQL and Redis and is pointed at both', () => {
    const compose = composeSchema.parse(parse(read('compose.yaml')));
    const app = compose.services.app;
    expect(Object.keys(app.depends_on).sort()).toEqual(['postgres', 'redis']);
    expect(app.environment['DATABASE_URL']).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    expect(app.environment['REDIS_URL']).toBe('redis://redis:6379');
    expect(compose.services.postgres.healthcheck.test).toContain('pg_isready');
    expect(compose.services.redis.healthcheck.test).toContain('ping');
    // Longer than the service's own bound on stopping (stop-signals.ts, 8 s), so Docker's
    // SIGKILL never cuts a clean stop short.
    expect(Number.parseInt(app.stop_grace_period, 10)).toBeGreaterThan(8);
  });
});
