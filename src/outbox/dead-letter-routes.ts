import { Router } from 'express';
import { parseInput } from '../http/parse-input.js';
import {
  deadLetterQuerySchema,
  listDeadLetters,
  retryDeadLetter,
  type DeadLetterDeps,
} from './dead-letters.js';
import { describeOutbox, type OutboxSummaryDeps } from './outbox-summary.js';

/**
 * /api/outbox, behind the admin token like every /api route:
 * - GET /api/outbox: depth (pending, by kind), dead letters counted, the oldest pending item,
 *   and what holds deliveries back, if anything;
 * and /api/outbox/dead-letters:
 * - GET ?kind=&limit= lists them, newest first, with their last error, attempts and age;
 * - POST /:id/retry re-sends one through the outbox (202; 404 unknown, 409 not dead).
 */
export function createDeadLetterRoutes(deps: DeadLetterDeps & OutboxSummaryDeps): Router {
  const router = Router();
  router.get('/outbox', async (_req, res) => {
    res.json(await describeOutbox(deps));
  });
  router.get('/outbox/dead-letters', async (req, res) => {
    const query = parseInput(deadLetterQuerySchema, req.query, 'dead-letter query');
    const deadLetters = await listDeadLetters(deps, query);
    res.json({ deadLetters, count: deadLetters.length });
  });
  router.post('/outbox/dead-letters/:id/retry', async (req, res) => {
    res.status(202).json(await retryDeadLetter(deps, req.params.id));
  });
  return router;
}
