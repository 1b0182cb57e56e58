import { defineConfig } from 'vitest/config';

/** The one unit test that replaces a module (vi.mock): it runs isolated, with integration. */
const MOCKS_MODULES = 'test/unit/webhook-auth.test.ts';

/**
 * Files that run one at a time, after the rest: they measure or provoke timing (real-time chaos,
 * kills, stalled clients, leases, cut connections) or drive Chromium, and a neighbour competing
 * for the 2 cores would change what they see.
 */
const ONE_AT_A_TIME = [
  'test/integration/soak-*.test.ts',
  'test/integration/*-browser.test.ts',
  'test/integration/graceful-stop.test.ts',
  'test/integration/http-limits.test.ts',
  'test/integration/webhooks-marketo-kill.test.ts',
  'test/integration/leader-*.test.ts',
  'test/integration/*replicas*.test.ts',
  'test/integration/postgres-store.test.ts',
  'test/integration/postgres-leader-election.test.ts',
  'test/integration/postgres-service-faults.test.ts',
  'test/integration/redis-service-limits.test.ts',
  'test/integration/redis-call-budget.test.ts',
  'test/integration/npm-signals.test.ts',
  'test/integration/service-process.test.ts',
];

/** Two files at a time in the first group (the machine's 2 cores), then the rest alone. */
const TOGETHER = 2;

export default defineConfig({
  test: {
    setupFiles: ['test/helpers/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: [MOCKS_MODULES],
          // Pure logic with no shared state: a worker keeps its module cache from file to file
          // (three times faster than importing the source again for each of ~90 files).
          isolate: false,
          maxWorkers: TOGETHER,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', MOCKS_MODULES],
          exclude: ONE_AT_A_TIME,
          maxWorkers: TOGETHER,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'one-at-a-time',
          include: ONE_AT_A_TIME,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
