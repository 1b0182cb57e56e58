import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, DEFAULT_SYNC_FIELDS, loadConfig } from '../../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('when the environment is empty, then it runs in sandbox mode with headroom defaults', () => {
    const config = loadConfig({});
    expect(config.marketo.baseUrl).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.marketo.rateLimit).toBe(50);
    expect(config.marketo.rateWindowMs).toBe(20_000);
    expect(config.marketo.maxConcurrency).toBe(5);
    expect(config.marketo.dailyQuota).toBe(25_000);
    expect(config.sync.cron).toBe('*/15 * * * *');
    expect(config.sync.fields).toEqual(DEFAULT_SYNC_FIELDS);
    expect(config.marketo.rateMarginMs).toBe(500);
    expect(loadConfig({ MARKETO_RATE_WINDOW_MS: '2000' }).marketo.rateMarginMs).toBe(50);
  });

  it('when several keys are bad, then one error lists every one of them', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      MARKETO_RATE_LIMIT: '500',
      MARKETO_MAX_CONCURRENCY: '0',
      SYNC_CRON: 'every day',
      SYNC_FIELDS: 'email, first name',
      MARKETO_BASE_URL: 'not a url',
    });
    const keys = problems.map((p) => p.split(':')[0]);
    expect(keys).toEqual(
      expect.arrayContaining([
        'PORT',
        'MARKETO_RATE_LIMIT',
        'MARKETO_MAX_CONCURRENCY',
        'SYNC_CRON',
        'SYNC_FIELDS',
        'MARKETO_BASE_URL',
      ]),
    );
  });

  it('when a Marketo instance is set without credentials, then each missing key is named', () => {
    const problems = problemsOf({ MARKETO_BASE_URL: 'https://123-ABC-456.mktorest.com' });
    expect(problems.join('\n')).toMatch(/MARKETO_CLIENT_ID/);
    expect(problems.join('\n')).toMatch(/MARKETO_CLIENT_SECRET/);
    expect(problems.join('\n')).toMatch(/ADMIN_TOKEN/);
    expect(problems.join('\n')).toMatch(/WEBHOOK_SECRET/);
    expect(problems.join('\n')).toMatch(/SSFS_API_KEY/);
  });

  it('when PORT is bad and a Marketo instance lacks its keys, then one pass lists the port and all five missing keys', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      MARKETO_BASE_URL: 'https://123-ABC-456.mktorest.com',
      GOOGLE_CLIENT_ID: 'gid',
    });
    const keys = problems.map((p) => p.split(':')[0]);
    expect(keys).toEqual(
      expect.arrayContaining([
        'PORT',
        'MARKETO_CLIENT_ID',
        'MARKETO_CLIENT_SECRET',
        'ADMIN_TOKEN',
        'WEBHOOK_SECRET',
        'SSFS_API_KEY',
        'TOKEN_ENCRYPTION_KEY',
        'GOOGLE_CLIENT_SECRET',
      ]),
    );
  });

  it.each([
    ['*/61 * * * *', /minute "\*\/61": step 61 is out of range \(1-59\)/],
    ['60 * * * *', /minute "60": 60 is out of range \(0-59\)/],
    ['0 24 * * *', /hour "24": 24 is out of range \(0-23\)/],
    ['0 */25 * * *', /hour "\*\/25": step 25 is out of range/],
    ['*/0 * * * *', /step 0 is out of range/],
    ['30-10 * * * *', /the range runs backwards/],
    ['0 0 32 * *', /day of month "32"/],
    ['*/15 * * *', /5 fields/],
    ['61 * * * * *', /second "61"/],
  ])(
    'when SYNC_CRON is %s, then it is refused with a message naming SYNC_CRON',
    (cronExpr, why) => {
      const problems = problemsOf({ SYNC_CRON: cronExpr });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^SYNC_CRON: /);
      expect(problems[0]).toMatch(why);
    },
  );

  it.each([
    '*/15 * * * *',
    '0 9-17 * * MON-FRI',
    '0 */6 * * *',
    '*/59 * * * *',
    '0 0 * * 7',
    '*/30 * * * * *',
  ])('when SYNC_CRON is %s, then it is accepted', (cronExpr) => {
    expect(loadConfig({ SYNC_CRON: cronExpr }).sync.cron).toBe(cronExpr);
  });

  it('when routing agents and callback hosts are given, then they are parsed', () => {
    const config = loadConfig({
      ROUTING_AGENTS: 'Ana Silva <Ana@Example.com>; Ben Ode <ben@example.com>',
      SSFS_CALLBACK_HOSTS: '*.marketo.com, 127.0.0.1:9443',
    });
    expect(config.routingAgents).toEqual([
      { name: 'Ana Silva', email: 'ana@example.com' },
      { name: 'Ben Ode', email: 'ben@example.com' },
    ]);
    expect(config.ssfs.callbackHosts).toEqual(['*.marketo.com', '127.0.0.1:9443']);
    expect(problemsOf({ ROUTING_AGENTS: 'just a name' }).join('\n')).toMatch(/ROUTING_AGENTS/);
  });

  it.each([
    'ADMIN_TOKEN',
    'WEBHOOK_SECRET',
    'WEBHOOK_SECRET_PREVIOUS',
    'SSFS_API_KEY',
    'SSFS_API_KEY_PREVIOUS',
    'TOKEN_ENCRYPTION_KEY',
    'TOKEN_ENCRYPTION_KEY_PREVIOUS',
  ])('when %s is invalid, then its value is not echoed in the message', (key) => {
    const problems = problemsOf({ [key]: 'short-secret-value' }).join('\n');
    expect(problems).toMatch(new RegExp(key));
    expect(problems).not.toMatch(/short-secret-value/);
  });

  it('when a calendar provider is configured without TOKEN_ENCRYPTION_KEY, then the key is required; with it, both providers load', () => {
    const google = { GOOGLE_CLIENT_ID: 'gid', GOOGLE_CLIENT_SECRET: 'gsecret' };
    expect(() => loadConfig(google)).toThrow(
      /TOKEN_ENCRYPTION_KEY: is required when GOOGLE_CLIENT_ID/,
    );
    expect(() => loadConfig({ GOOGLE_CLIENT_ID: 'gid' })).toThrow(
      /GOOGLE_CLIENT_SECRET: GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are set together/,
    );
    const config = loadConfig({
      ...google,
      MICROSOFT_CLIENT_ID: 'mid',
      MICROSOFT_CLIENT_SECRET: 'msecret',
      MICROSOFT_GRAPH_URL: 'https://graph.microsoft.us',
      TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32),
    });
    expect(config.calendar.google).toEqual({ clientId: 'gid', clientSecret: 'gsecret' });
    expect(config.calendar.microsoft).toEqual({
      clientId: 'mid',
      clientSecret: 'msecret',
      tenant: 'common',
      graphUrl: 'https://graph.microsoft.us',
    });
  });

  it('when the leader lease is set shorter than two checks, then LEADER_TTL_MS is named; by default it lasts 10 s, checked every 2 s', () => {
    expect(loadConfig({}).leader).toEqual({ ttlMs: 10_000, checkMs: 2_000 });
    expect(problemsOf({ LEADER_TTL_MS: '3000', LEADER_CHECK_MS: '2000' })).toEqual([
      'LEADER_TTL_MS: must be at least twice LEADER_CHECK_MS',
    ]);
    expect(loadConfig({ LEADER_TTL_MS: '300', LEADER_CHECK_MS: '100' }).leader).toEqual({
      ttlMs: 300,
      checkMs: 100,
    });
  });

  it('when the base URL ends in /rest, then it is normalised to the instance root', () => {
    const config = loadConfig({
      MARKETO_BASE_URL: 'https://123-ABC-456.mktorest.com/rest/',
      MARKETO_CLIENT_ID: 'id',
      MARKETO_CLIENT_SECRET: 'secret',
      ADMIN_TOKEN: 'a'.repeat(32),
      WEBHOOK_SECRET: 'w'.repeat(32),
      SSFS_API_KEY: 'k'.repeat(32),
    });
    expect(config.marketo.baseUrl).toBe('https://123-ABC-456.mktorest.com');
  });

  it('when .env.example is read, then it documents exactly the keys the schema knows', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = example
      .split('\n')
      .filter((line) => /^[A-Z0-9_]+=/.test(line))
      .map((line) => line.split('=')[0]);
    expect([...documented].sort()).toEqual([...CONFIG_KEYS].sort());
    expect(() =>
      loadConfig(
        Object.fromEntries(
          example
            .split('\n')
            .filter((l) => /^[A-Z0-9_]+=/.test(l))
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        ),
      ),
    ).not.toThrow();
  });
});
