import { SANDBOX_SCOPE } from './sandbox-auth.js';
import type { RouteSpec } from './sandbox-http.js';
import type { SandboxState } from './sandbox-state.js';

/**
 * `GET /rest/v1/stats/usage.json` (DEV:help/rest-api/usage.md): today's executed calls, the
 * Marketo day being midnight to midnight US Central. The call itself is counted, as in Marketo.
 */
export function createUsageRoutes(state: SandboxState): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/rest/v1/stats/usage.json',
      handle: () => {
        const count = state.limiter.callsToday();
        return {
          result: [
            {
              date: state.limiter.today().key,
              total: count,
              users: [{ userId: SANDBOX_SCOPE, count }],
            },
          ],
        };
      },
    },
  ];
}
