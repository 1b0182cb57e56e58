import type { Access, HttpMethod } from './openapi-operation.js';

/** The document's security schemes: how each kind of caller proves who it is. */
export const securitySchemes = {
  adminBearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'ADMIN_TOKEN as `Authorization: Bearer <token>`.',
  },
  consoleSession: {
    type: 'apiKey',
    in: 'cookie',
    name: 'mc-console',
    description:
      'The console session cookie set by POST /console/session (`__Host-mc-console` when ' +
      'PUBLIC_BASE_URL is https). Changes also need the CSRF token.',
  },
  csrfToken: {
    type: 'apiKey',
    in: 'header',
    name: 'x-csrf-token',
    description: 'The CSRF token POST or GET /console/session answered with, on every change.',
  },
  webhookSecret: {
    type: 'apiKey',
    in: 'header',
    name: 'x-webhook-secret',
    description:
      'WEBHOOK_SECRET (or WEBHOOK_SECRET_PREVIOUS during a rotation). With ' +
      'WEBHOOK_ALLOW_QUERY_SECRET also `?secret=`, weaker: URLs end up in logs.',
  },
  ssfsApiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description:
      'SSFS_API_KEY (or SSFS_API_KEY_PREVIOUS), as the flow-step service document declares.',
  },
  metricsToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      'METRICS_TOKEN as `Authorization: Bearer <token>`, for a scraper without the admin token.',
  },
} as const;

type Requirement = Record<string, string[]>;

/** Who may call an operation, as its `security` list (any one entry suffices). */
export function securityFor(access: Access, method: HttpMethod): Requirement[] {
  switch (access) {
    case 'public':
      return [];
    case 'admin':
      // The console's cookie needs the CSRF token on changes only (src/admin/console-auth.ts).
      return [
        { adminBearer: [] },
        method === 'get' ? { consoleSession: [] } : { consoleSession: [], csrfToken: [] },
      ];
    case 'webhook':
      return [{ webhookSecret: [] }];
    case 'ssfs':
      return [{ ssfsApiKey: [] }];
    case 'metrics':
      return [{ adminBearer: [] }, { metricsToken: [] }];
  }
}
