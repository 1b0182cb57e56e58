import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { parseInput } from '../http/parse-input.js';
import { looksLikeDomain } from '../records/account-routing.js';
import type { AccountRoutingStore, AgentStore } from '../store/meeting-store-types.js';
import { accountListCsv, parseAccountCsv } from './account-list-csv.js';

export interface AccountRoutingDeps {
  store: AccountRoutingStore & Pick<AgentStore, 'listAgents'>;
}

/** A list of 10,000 entries of 200 characters is 2 MB at most; far more than any real list. */
const CSV_LIMIT = '2mb';

export const formatSchema = z.object({ format: z.enum(['json', 'csv']).optional() }).strict();

function wantsCsv(req: Request, format: 'json' | 'csv' | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}

/**
 * /api/routing/accounts: the account list (records/account-routing.ts), Dynamic Chat's
 * highest-priority routing rule. PUT replaces the whole list with a `text/csv` upload
 * (account-list-csv.ts: any bad row imports nothing, the 400 names every bad row); GET answers
 * JSON, or CSV with `?format=csv` (or `Accept: text/csv`), a file PUT takes back as it is.
 */
export function createAccountRoutingRoutes(deps: AccountRoutingDeps): Router {
  const router = Router();
  const { store } = deps;

  router.get('/routing/accounts', async (req, res) => {
    const { format } = parseInput(formatSchema, req.query, 'query');
    const routes = await store.listAccountRoutes();
    if (wantsCsv(req, format)) {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', 'attachment; filename="accounts.csv"');
      res.setHeader('Cache-Control', 'no-store');
      res.send(accountListCsv(routes));
      return;
    }
    const agents = new Map((await store.listAgents()).map((agent) => [agent.id, agent]));
    res.json({
      accounts: routes.map((route) => ({
        ...route,
        kind: looksLikeDomain(route.match) ? 'domain' : 'company',
        agentName: agents.get(route.agentId)?.name ?? null,
      })),
    });
  });

  router.put(
    '/routing/accounts',
    express.text({ type: ['text/csv', 'application/csv'], limit: CSV_LIMIT }),
    async (req, res) => {
      if (typeof req.body !== 'string') {
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          'Send the account list as Content-Type: text/csv (header "match,agentId")',
          { httpStatus: 415, field: 'body' },
        );
      }
      const routes = parseAccountCsv(req.body, await store.listAgents());
      await store.replaceAccountRoutes(routes);
      res.json({ imported: routes.length, accounts: routes });
    },
  );

  return router;
}
