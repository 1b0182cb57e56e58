import { Router } from 'express';
import type { Logger } from '../logger.js';
import { buildSyncStatus } from './sync-status.js';
import type { SyncRunner } from './sync-runner.js';
import type { MarketoApi } from '../clients/marketo/types.js';
import type { Store } from '../store/types.js';

/** Admin routes of the sync: status, and a manual run (409 while one runs). */
export function createSyncRoutes(deps: {
  store: Store;
  marketo: MarketoApi;
  runner: SyncRunner;
  cron: string;
  logger: Logger;
}): Router {
  const router = Router();
  router.get('/sync/status', (_req, res) => {
    res.json(buildSyncStatus(deps));
  });
  router.post('/sync/run', (_req, res) => {
    const { done } = deps.runner.start('api');
    done.catch((err: unknown) => deps.logger.error({ err }, 'lead sync failed'));
    res.status(202).json({ status: 'started', statusUrl: '/api/sync/status' });
  });
  return router;
}
