import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration of logs, metrics and readiness', () => {
  it('when nothing is set, then logs are JSON, /metrics takes the admin token only, and a sync may be 6 hours old', () => {
    expect(loadConfig({}).observability).toEqual({
      logFormat: 'json',
      metricsToken: undefined,
      readyMaxSyncAgeMs: 6 * 3_600_000,
    });
  });

  it('when the keys are set, then they are used', () => {
    const config = loadConfig({
      LOG_FORMAT: 'pretty',
      METRICS_TOKEN: 'metrics-token-0123456789abcdef',
      READY_MAX_SYNC_AGE_MINUTES: '90',
    });
    expect(config.observability).toEqual({
      logFormat: 'pretty',
      metricsToken: 'metrics-token-0123456789abcdef',
      readyMaxSyncAgeMs: 90 * 60_000,
    });
  });

  it('when they are wrong, then each is named and the short token is not echoed', () => {
    let error: unknown;
    try {
      loadConfig({
        LOG_FORMAT: 'xml',
        METRICS_TOKEN: 'short-secret',
        READY_MAX_SYNC_AGE_MINUTES: '0',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^LOG_FORMAT: /m);
    expect(problems).toMatch(/^METRICS_TOKEN: must be at least 24 characters/m);
    expect(problems).toMatch(/^READY_MAX_SYNC_AGE_MINUTES: must be at least 1/m);
    expect(problems).not.toContain('short-secret');
  });
});
