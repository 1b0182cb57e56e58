import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { parseInput } from '../http/parse-input.js';
import type { Store } from '../store/types.js';
import { buildAgentReport } from './agent-report.js';
import { buildDialogueReport } from './dialogue-report.js';
import { agentReportCsv, dialogueReportCsv } from './report-csv.js';
import { dateRangeQuerySchema } from './report-range.js';

export interface ReportRoutesDeps {
  store: Pick<Store, 'dialogueReport' | 'agentMeetingReport' | 'listDialogues' | 'listAgents'>;
}

export const formatSchema = z.object({
  format: z.enum(['json', 'csv']).optional(),
  by: z.enum(['dialogue', 'day']).default('dialogue'),
});

/** `?format=csv` wins; else `Accept: text/csv` (preferred over JSON) asks for CSV. */
function wantsCsv(req: Request, format: 'json' | 'csv' | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}

function sendCsv(res: Response, name: string, body: string): void {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
  res.setHeader('Cache-Control', 'no-store');
  res.send(body);
}

/**
 * /api/reports: the dialogue and agent reports for a range of days in a time zone, as JSON or
 * CSV. The range is parsed before anything is read (dateRangeQuerySchema names the bad field).
 */
export function createReportRoutes(deps: ReportRoutesDeps): Router {
  const router = Router();

  router.get('/reports/dialogues', async (req, res) => {
    const range = parseInput(
      dateRangeQuerySchema,
      pick(req, ['from', 'to', 'timeZone']),
      'report range',
    );
    const { format, by } = parseInput(formatSchema, pick(req, ['format', 'by']), 'report format');
    const [rows, dialogues] = await Promise.all([
      deps.store.dialogueReport(range),
      deps.store.listDialogues(),
    ]);
    const report = buildDialogueReport(range, rows, dialogues);
    if (wantsCsv(req, format)) {
      sendCsv(
        res,
        `dialogues-${range.fromDate}-${range.toDate}`,
        dialogueReportCsv(report, by === 'day'),
      );
      return;
    }
    res.json(report);
  });

  router.get('/reports/agents', async (req, res) => {
    const range = parseInput(
      dateRangeQuerySchema,
      pick(req, ['from', 'to', 'timeZone']),
      'report range',
    );
    const { format } = parseInput(formatSchema, pick(req, ['format', 'by']), 'report format');
    const [counts, agents] = await Promise.all([
      deps.store.agentMeetingReport(range),
      deps.store.listAgents(),
    ]);
    const report = buildAgentReport(range, counts, agents);
    if (wantsCsv(req, format)) {
      sendCsv(res, `agents-${range.fromDate}-${range.toDate}`, agentReportCsv(report));
      return;
    }
    res.json(report);
  });

  return router;
}

/** The named query parameters only, so each schema sees (and names) just its own. */
function pick(req: Request, keys: string[]): Record<string, unknown> {
  const query = req.query as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => query[k] !== undefined).map((k) => [k, query[k]]));
}
