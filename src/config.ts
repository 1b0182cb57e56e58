import { z } from 'zod';
import { cronExpressionProblem } from './sync/cron-expression.js';
import type { Config } from './config-shape.js';
import { observabilityConfig, observabilityEnvShape } from './config-observability.js';
import {
  bool,
  crossKeyProblems,
  integer,
  optionalString,
  optionalUrl,
  parseAgents,
} from './config-values.js';

export type { Config } from './config-shape.js';

/**
 * The service's whole configuration, read once from the environment (and `.env`, loaded by
 * src/main.ts). No other file reads `process.env`. Every key is documented in `.env.example`,
 * and test/unit/config.test.ts keeps the two in step.
 *
 * Marketo limits behind the defaults (Adobe, "Marketo Integration Best Practices"):
 * 100 calls per 20 s and 10 concurrent calls per instance, shared by every integration;
 * Adobe advises one integration to stay at or under 50 calls per 20 s and 5 in flight.
 */

export const DEFAULT_SYNC_FIELDS = [
  'email',
  'firstName',
  'lastName',
  'company',
  'title',
  'phone',
  'country',
  'state',
  'city',
  'industry',
  'leadSource',
  'leadStatus',
  'createdAt',
  'updatedAt',
];

/** Marketo's and Adobe's domains: where SSFS callback URLs point. */
export const DEFAULT_CALLBACK_HOSTS = [
  '*.marketo.com',
  '*.mktoapi.com',
  '*.mktorest.com',
  '*.marketo.net',
  '*.adobe.io',
  '*.adobe.com',
];

/** The sender of captured messages when MAIL_FROM is unset (nothing is sent then). */
export const DEFAULT_MAIL_FROM = 'Marketo Chat <notifications@marketo-chat.invalid>';

const envSchema = z
  .object({
    PORT: integer(0, 65535).default(3000),
    HOST: z.string().trim().min(1).default('0.0.0.0'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    DATA_FILE: z
      .string()
      .trim()
      .min(1, { error: 'must be a file path' })
      .default('data/store.json'),
    ADMIN_TOKEN: optionalString.pipe(
      z.string().min(24, { error: 'must be at least 24 characters' }).optional(),
    ),
    /** bcrypt hash of the console password (`npm run hash-password`); unset: token sign-in only. */
    ADMIN_PASSWORD_HASH: optionalString.pipe(
      z
        .string()
        .regex(/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/, {
          error: 'must be a bcrypt hash such as $2b$12$... (npm run hash-password)',
        })
        .optional(),
    ),
    /** A console session ends this long after the last request it made. */
    CONSOLE_SESSION_MINUTES: integer(1, 24 * 60).default(60),
    /** Set: the store is this PostgreSQL database instead of DATA_FILE (several replicas). */
    DATABASE_URL: optionalString.pipe(
      z
        .url({
          protocol: /^postgres(ql)?$/,
          error: 'must be a URL such as postgres://user:password@127.0.0.1:5432/marketo_chat',
        })
        .optional(),
    ),
    /** Set: the Marketo budget and the chat's public limits are shared by every replica. */
    REDIS_URL: optionalString.pipe(
      z
        .url({ protocol: /^rediss?$/, error: 'must be a URL such as redis://127.0.0.1:6379' })
        .optional(),
    ),
    /** Keys under this prefix, so several services (or test runs) can share one Redis. */
    REDIS_KEY_PREFIX: z
      .string()
      .trim()
      .regex(/^[\w:.-]{1,64}$/, { error: 'must be 1 to 64 letters, digits, or _ : . -' })
      .default('mcs'),

    MARKETO_BASE_URL: optionalString.pipe(
      z
        .url({
          protocol: /^https?$/,
          error: 'must be a URL such as https://123-ABC-456.mktorest.com',
        })
        .optional(),
    ),
    MARKETO_CLIENT_ID: optionalString,
    MARKETO_CLIENT_SECRET: optionalString,
    MARKETO_RATE_LIMIT: integer(1, 100).default(50),
    MARKETO_RATE_WINDOW_MS: integer(100, 3_600_000).default(20_000),
    /** Unset: 2.5% of the window (500 ms for Marketo's 20 s), at least 50 ms. */
    MARKETO_RATE_MARGIN_MS: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      integer(0, 60_000).optional(),
    ),
    MARKETO_MAX_CONCURRENCY: integer(1, 10).default(5),
    MARKETO_DAILY_QUOTA: integer(1, 10_000_000).default(25_000),
    MARKETO_TIMEOUT_MS: integer(1_000, 600_000).default(60_000),
    MARKETO_MAX_RETRIES: integer(0, 20).default(5),

    SYNC_ENABLED: bool.default(true),
    SYNC_CRON: z
      .string()
      .trim()
      .default('*/15 * * * *')
      .superRefine((v, ctx) => {
        const problem = cronExpressionProblem(v);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      }),
    SYNC_FIELDS: z
      .string()
      .default(DEFAULT_SYNC_FIELDS.join(','))
      .transform((v) =>
        [
          ...new Set(
            v
              .split(',')
              .map((f) => f.trim())
              .filter((f) => f !== ''),
          ),
        ].filter((f) => f !== 'id'),
      )
      .refine((fields) => fields.length > 0, { error: 'must list at least one field' })
      .refine((fields) => fields.every((f) => /^[A-Za-z][A-Za-z0-9_]*$/.test(f)), {
        error: 'must be comma-separated Marketo REST field names',
      }),
    SYNC_FULL_STRATEGY: z.enum(['auto', 'rest', 'bulk']).default('auto'),
    SYNC_BULK_POLL_MS: integer(1_000, 3_600_000).default(60_000),

    PUBLIC_BASE_URL: optionalString.pipe(
      z
        .url({ protocol: /^https?$/, error: 'must be the URL this service is reached at' })
        .optional(),
    ),
    WEBHOOK_SECRET: optionalString.pipe(
      z.string().min(24, { error: 'must be at least 24 characters' }).optional(),
    ),
    WEBHOOK_SECRET_PREVIOUS: optionalString.pipe(
      z.string().min(24, { error: 'must be at least 24 characters' }).optional(),
    ),
    WEBHOOK_ALLOW_QUERY_SECRET: bool.default(false),
    SSFS_API_KEY: optionalString.pipe(
      z.string().min(24, { error: 'must be at least 24 characters' }).optional(),
    ),
    SSFS_API_KEY_PREVIOUS: optionalString.pipe(
      z.string().min(24, { error: 'must be at least 24 characters' }).optional(),
    ),
    SSFS_CALLBACK_HOSTS: z
      .string()
      .default(DEFAULT_CALLBACK_HOSTS.join(','))
      .transform((v) =>
        v
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter((h) => h !== ''),
      )
      .refine((hosts) => hosts.every((h) => /^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/.test(h)), {
        error: 'must be comma-separated host names, *.domain wildcards or host:port entries',
      }),
    ROUTING_AGENTS: z
      .string()
      .default('')
      .transform((v, ctx) => parseAgents(v, ctx)),
    ASSIGN_REPEAT_WINDOW_MS: integer(0, 7 * 24 * 3600_000).default(10 * 60_000),
    ROUTING_OWNER_FIELD: optionalString,
    MEETING_AGENT_EMAIL_FIELD: optionalString,
    MEETING_AGENT_NAME_FIELD: optionalString,

    TOKEN_ENCRYPTION_KEY: optionalString.pipe(
      z
        .string()
        .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, {
          error: 'must be 32 bytes as 64 hex characters or base64 (openssl rand -hex 32)',
        })
        .optional(),
    ),
    TOKEN_ENCRYPTION_KEY_PREVIOUS: optionalString.pipe(
      z
        .string()
        .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, {
          error: 'must be 32 bytes as 64 hex characters or base64',
        })
        .optional(),
    ),
    GOOGLE_CLIENT_ID: optionalString,
    GOOGLE_CLIENT_SECRET: optionalString,
    GOOGLE_OAUTH_URL: optionalUrl,
    GOOGLE_TOKEN_URL: optionalUrl,
    GOOGLE_CALENDAR_URL: optionalUrl,
    MICROSOFT_CLIENT_ID: optionalString,
    MICROSOFT_CLIENT_SECRET: optionalString,
    MICROSOFT_TENANT: z.string().trim().min(1).default('common'),
    MICROSOFT_AUTHORITY_URL: optionalUrl,
    MICROSOFT_GRAPH_URL: optionalUrl,
    CHAT_COOKIE_LOOKUPS_PER_HOUR: integer(0, 3_600).default(180),
    MEETING_MAX_PER_VISITOR: integer(1, 100).default(3),
    MEETING_JOB_INTERVAL_MS: integer(1_000, 3600_000).default(60_000),
    MEETING_NO_SHOW_GRACE_MS: integer(0, 90 * 24 * 3600_000).default(7 * 24 * 3600_000),
    FREEBUSY_CACHE_TTL_MS: integer(0, 3600_000).default(60_000),
    CONVERSATION_RETENTION_DAYS: integer(1, 3650).default(400),
    TRANSCRIPT_LINK_TTL_DAYS: integer(1, 3650).default(90),
    /** Set (and not in sandbox mode): notification emails are sent through this server. */
    SMTP_URL: optionalString.pipe(
      z
        .url({
          protocol: /^smtps?$/,
          error: 'must be a URL such as smtp://user:password@smtp.example.com:587',
        })
        .optional(),
    ),
    MAIL_FROM: optionalString.pipe(
      z
        .string()
        .regex(/^([^<>]*<[^<>\s]+@[^<>\s]+>|[^<>\s]+@[^<>\s]+)$/, {
          error: 'must be an address, e.g. Acme Sales <sales@acme.example>',
        })
        .optional(),
    ),
    REMINDER_MINUTES_BEFORE: integer(0, 7 * 24 * 60).default(60),
    NOTIFICATION_RETENTION_DAYS: integer(1, 3650).default(30),
    OUTBOX_POLL_MS: integer(10, 60_000).default(1_000),
    OUTBOX_RETENTION_MS: integer(3_600_000, 365 * 24 * 3_600_000).default(7 * 24 * 3_600_000),
    LEADER_TTL_MS: integer(200, 600_000).default(10_000),
    LEADER_CHECK_MS: integer(50, 300_000).default(2_000),
    TRUST_PROXY_HOPS: integer(0, 10).default(0),

    SANDBOX_PORT: integer(0, 65535).default(0),
    SANDBOX_LEADS: integer(0, 5_000_000).default(2_000),
    ...observabilityEnvShape,
  })
  .describe('The environment, key by key; rules across keys: crossKeyProblems');

export type Env = z.input<typeof envSchema>;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses the environment once; throws ConfigError listing every bad key. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  const problems = [
    ...(parsed.error?.issues ?? []).map((issue) => {
      const key = issue.path.join('.') || '(environment)';
      const got = typeof env[key] === 'string' ? ` (got "${redactValue(key, env[key])}")` : '';
      return `${key}: ${issue.message}${got}`;
    }),
    ...crossKeyProblems(env).map(({ key, message }) => `${key}: ${message}`),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    dataFile: e.DATA_FILE,
    adminToken: e.ADMIN_TOKEN,
    console: {
      passwordHash: e.ADMIN_PASSWORD_HASH,
      sessionMs: e.CONSOLE_SESSION_MINUTES * 60_000,
    },
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    marketo: {
      baseUrl: e.MARKETO_BASE_URL?.replace(/\/+$/, '').replace(/\/rest$/, ''),
      clientId: e.MARKETO_CLIENT_ID,
      clientSecret: e.MARKETO_CLIENT_SECRET,
      rateLimit: e.MARKETO_RATE_LIMIT,
      rateWindowMs: e.MARKETO_RATE_WINDOW_MS,
      rateMarginMs:
        e.MARKETO_RATE_MARGIN_MS ?? Math.max(50, Math.round(e.MARKETO_RATE_WINDOW_MS * 0.025)),
      maxConcurrency: e.MARKETO_MAX_CONCURRENCY,
      dailyQuota: e.MARKETO_DAILY_QUOTA,
      timeoutMs: e.MARKETO_TIMEOUT_MS,
      maxRetries: e.MARKETO_MAX_RETRIES,
    },
    sync: {
      enabled: e.SYNC_ENABLED,
      cron: e.SYNC_CRON,
      fields: e.SYNC_FIELDS,
      fullStrategy: e.SYNC_FULL_STRATEGY,
      bulkPollMs: e.SYNC_BULK_POLL_MS,
    },
    sandbox: { port: e.SANDBOX_PORT, leads: e.SANDBOX_LEADS },
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    webhooks: {
      secret: e.WEBHOOK_SECRET,
      previousSecret: e.WEBHOOK_SECRET_PREVIOUS,
      allowQuerySecret: e.WEBHOOK_ALLOW_QUERY_SECRET,
      assignRepeatWindowMs: e.ASSIGN_REPEAT_WINDOW_MS,
    },
    ssfs: {
      apiKey: e.SSFS_API_KEY,
      previousApiKey: e.SSFS_API_KEY_PREVIOUS,
      callbackHosts: e.SSFS_CALLBACK_HOSTS,
    },
    chat: {
      cookieLookupsPerHour: e.CHAT_COOKIE_LOOKUPS_PER_HOUR,
      conversationRetentionMs: e.CONVERSATION_RETENTION_DAYS * 24 * 3_600_000,
      transcriptLinkTtlMs: e.TRANSCRIPT_LINK_TTL_DAYS * 24 * 3_600_000,
    },
    routingAgents: e.ROUTING_AGENTS,
    meetings: {
      ownerField: e.ROUTING_OWNER_FIELD,
      agentLeadFields: { email: e.MEETING_AGENT_EMAIL_FIELD, name: e.MEETING_AGENT_NAME_FIELD },
      jobIntervalMs: e.MEETING_JOB_INTERVAL_MS,
      busyCacheTtlMs: e.FREEBUSY_CACHE_TTL_MS,
      maxPerVisitor: e.MEETING_MAX_PER_VISITOR,
      noShowGraceMs: e.MEETING_NO_SHOW_GRACE_MS,
    },
    calendar: {
      tokenKey: e.TOKEN_ENCRYPTION_KEY,
      previousTokenKey: e.TOKEN_ENCRYPTION_KEY_PREVIOUS,
      google:
        e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET
          ? {
              clientId: e.GOOGLE_CLIENT_ID,
              clientSecret: e.GOOGLE_CLIENT_SECRET,
              ...(e.GOOGLE_OAUTH_URL ? { oauthUrl: e.GOOGLE_OAUTH_URL } : {}),
              ...(e.GOOGLE_TOKEN_URL ? { tokenUrl: e.GOOGLE_TOKEN_URL } : {}),
              ...(e.GOOGLE_CALENDAR_URL ? { apiUrl: e.GOOGLE_CALENDAR_URL } : {}),
            }
          : undefined,
      microsoft:
        e.MICROSOFT_CLIENT_ID && e.MICROSOFT_CLIENT_SECRET
          ? {
              clientId: e.MICROSOFT_CLIENT_ID,
              clientSecret: e.MICROSOFT_CLIENT_SECRET,
              tenant: e.MICROSOFT_TENANT,
              ...(e.MICROSOFT_AUTHORITY_URL ? { authorityUrl: e.MICROSOFT_AUTHORITY_URL } : {}),
              ...(e.MICROSOFT_GRAPH_URL ? { graphUrl: e.MICROSOFT_GRAPH_URL } : {}),
            }
          : undefined,
    },
    notifications: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM ?? DEFAULT_MAIL_FROM,
      reminderLeadMs: e.REMINDER_MINUTES_BEFORE * 60_000,
      retentionMs: e.NOTIFICATION_RETENTION_DAYS * 24 * 3_600_000,
    },
    outbox: { pollMs: e.OUTBOX_POLL_MS, retentionMs: e.OUTBOX_RETENTION_MS },
    leader: { ttlMs: e.LEADER_TTL_MS, checkMs: e.LEADER_CHECK_MS },
    trustProxyHops: e.TRUST_PROXY_HOPS,
    observability: observabilityConfig(e),
  };
}

/** Keys whose values are secrets are never echoed back in error messages. */
function redactValue(key: string, value: string | undefined): string {
  if (/SECRET|TOKEN|KEY|PASSWORD/.test(key)) return '***';
  // A Redis, database or SMTP URL may carry a password: name the scheme and host only.
  if (key === 'REDIS_URL' || key === 'DATABASE_URL' || key === 'SMTP_URL')
    return String(value)
      .replace(/\/\/[^@/]*@/, '//***@')
      .slice(0, 60);
  return String(value).slice(0, 60);
}

/** The keys the schema knows, used by the test that keeps `.env.example` in step. */
export const CONFIG_KEYS = Object.keys(envSchema.shape);
