/** The configuration as the service uses it, built by loadConfig (src/config.ts). */
export interface Config {
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  dataFile: string;
  /** PostgreSQL instead of the JSON file (DATA_FILE then only places the sandbox's admin token). */
  databaseUrl: string | undefined;
  /** Undefined only in sandbox mode, where main.ts generates one and writes it beside the store. */
  adminToken: string | undefined;
  /** The browser console (src/admin/console-*.ts): password sign-in and session length. */
  console: { passwordHash: string | undefined; sessionMs: number };
  /** Shared limits across replicas (Marketo budget, chat rate limits); unset: in-process. */
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  marketo: {
    /** Undefined means: run against the built-in sandbox. */
    baseUrl: string | undefined;
    clientId: string | undefined;
    clientSecret: string | undefined;
    rateLimit: number;
    rateWindowMs: number;
    rateMarginMs: number;
    maxConcurrency: number;
    dailyQuota: number;
    timeoutMs: number;
    maxRetries: number;
  };
  sync: {
    enabled: boolean;
    cron: string;
    fields: string[];
    fullStrategy: 'auto' | 'rest' | 'bulk';
    bulkPollMs: number;
  };
  sandbox: { port: number; leads: number };
  /** The URL Marketo and browsers reach this service at (links in answers). */
  publicBaseUrl: string;
  webhooks: {
    /** Undefined: main.ts generates one beside the store and says where. */
    secret: string | undefined;
    previousSecret: string | undefined;
    allowQuerySecret: boolean;
    /** Same lead routed again within this window gets the same agent. */
    assignRepeatWindowMs: number;
  };
  ssfs: {
    apiKey: string | undefined;
    previousApiKey: string | undefined;
    /** Allowed callback hosts: exact names, `*.domain` wildcards, or trusted `host:port`. */
    callbackHosts: string[];
  };
  /** Agents seeded into an empty store (later managed through /api/agents). */
  chat: {
    /** Munchkin cookie lookups (Get Leads filterType=cookies) allowed per hour; 0: none. */
    cookieLookupsPerHour: number;
    /** Conversations (transcripts, dated reports) kept this long after their last event. */
    conversationRetentionMs: number;
    /** How long a transcript link in a chat activity works. */
    transcriptLinkTtlMs: number;
  };
  routingAgents: Array<{ name: string; email: string }>;
  meetings: {
    /** The lead field holding the owner's email, for owner routing; off when unset. */
    ownerField: string | undefined;
    /** Lead fields that receive the assigned agent's email and name; off when unset. */
    agentLeadFields: { email: string | undefined; name: string | undefined };
    jobIntervalMs: number;
    busyCacheTtlMs: number;
    /** Meetings to come one visitor email may hold. */
    maxPerVisitor: number;
    /** How long after its end an admin may still mark a completed meeting no-show. */
    noShowGraceMs: number;
  };
  calendar: {
    /** Undefined only in sandbox mode, where main.ts generates one beside the store. */
    tokenKey: string | undefined;
    previousTokenKey: string | undefined;
    google:
      | {
          clientId: string;
          clientSecret: string;
          oauthUrl?: string;
          tokenUrl?: string;
          apiUrl?: string;
        }
      | undefined;
    microsoft:
      | {
          clientId: string;
          clientSecret: string;
          tenant: string;
          authorityUrl?: string;
          graphUrl?: string;
        }
      | undefined;
  };
  /** Notification emails (src/notifications/). */
  notifications: {
    /** Unset: messages are captured (GET /api/notifications), never sent; so in sandbox mode. */
    smtpUrl: string | undefined;
    /** MAIL_FROM, or a placeholder that only captured messages carry. */
    from: string;
    /** How long before a meeting the visitor's reminder goes; 0: no reminders. */
    reminderLeadMs: number;
    /** How long captured messages are kept. */
    retentionMs: number;
  };
  /** The relay's poll; how long delivered items are kept (then pruned). */
  outbox: { pollMs: number; retentionMs: number };
  /** The scheduled jobs' leader lease (with REDIS_URL): its length and how often it is checked. */
  leader: { ttlMs: number; checkMs: number };
  /** Reverse proxies in front of the service; 0 trusts no X-Forwarded-For. */
  trustProxyHops: number;
  /** Logs, GET /metrics and GET /ready (src/observability/, src/config-observability.ts). */
  observability: {
    logFormat: 'json' | 'pretty';
    /** A bearer token GET /metrics accepts besides the admin token; unset: the admin's only. */
    metricsToken: string | undefined;
    /** No sync success for longer: /ready fails its sync check, /health says degraded. */
    readyMaxSyncAgeMs: number;
  };
}
