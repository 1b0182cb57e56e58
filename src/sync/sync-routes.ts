import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../http/parse-input.js';
import { testMarketoConnection } from './connection-test.js';
import { ConflictError } from '../errors.js';
import type { Clock } from '../deps.js';
import type { Logger } from '../logger.js';
import { buildSyncStatus } from './sync-status.js';
import type { SyncRunner } from './sync-runner.js';
import type { MarketoApi } from '../clients/marketo/types.js';
import type { Store } from '../store/types.js';

/** `{"full": true}` copies every lead again (a full re-sync); an empty body is a usual run. */
export const runSchema = z.object({ full: z.boolean().optional() }).strict();

/**
 * Admin routes of the sync: status (with the recent runs), a manual run or full re-sync (409
 * while one runs), and a test of the Marketo credentials.
 */
export function createSyncRoutes(deps: {
  store: Store;
  marketo: MarketoApi;
  runner: SyncRunner;
  cron: string;
  logger: Logger;
  clock: Clock;
  /** Whether this replica runs the scheduled jobs (src/leader/); unset: it always does. */
  isLeader?: () => boolean;
}): Router {
  const router = Router();
  router.get('/sync/status', async (_req, res) => {
    res.json(await buildSyncStatus(deps));
  });
  router.post('/sync/run', async (req, res) => {
    const { full } = parseInput(runSchema, req.body ?? {}, 'sync run');
    // A run here beside the leader's would spend the budget twice and race for the cursor.
    if (deps.isLeader?.() === false) {
      throw new ConflictError(
        'NOT_LEADER',
        'The lead sync runs on the replica that leads the scheduled jobs (GET /health says ' +
          'leader: true); this one does not. Send the request to that replica.',
      );
    }
    // The store must answer first: a run that cannot read its state fails at once, and with the
    // database away it could not even record that, so the admin would see 202 and nothing
    // (STORE_UNAVAILABLE answers 503 instead).
    await deps.store.loadSyncState();
    const { done } = deps.runner.start('api', { full: full === true });
    done.catch((err: unknown) => deps.logger.error({ err }, 'lead sync failed'));
    res.status(202).json({
      status: 'started',
      ...(full === true ? { full: true } : {}),
      statusUrl: '/api/sync/status',
    });
  });
  router.post('/marketo/connection-test', async (_req, res) => {
    res.json(await testMarketoConnection(deps));
  });
  return router;
}
