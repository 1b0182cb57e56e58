import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { FIELDS_BY_NAME } from './sandbox-fields.js';
import type { LeadValue, MarketoSandbox } from './sandbox-types.js';
import { formatActivity } from './sandbox-activity-log.js';
import { faultProfileSchema, outageSchema } from './sandbox-fault-profile.js';
import type { SandboxState } from './sandbox-state.js';

/**
 * The sandbox's own control API under `/_sandbox/` (not Marketo's; no auth), for demos:
 * stats, creating/updating and deleting leads (which log activities as Marketo would),
 * scripted faults, seeded random faults and outages, and reading activities back. Errors use the house shape
 * `{ error: { code, message, field } }`.
 */

const leadBodySchema = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .superRefine((fields, ctx) => {
    for (const name of Object.keys(fields)) {
      if (!FIELDS_BY_NAME.has(name)) {
        ctx.addIssue({ code: 'custom', path: [name], message: `unknown lead field '${name}'` });
      }
    }
    if (fields.id !== undefined && !(Number.isSafeInteger(fields.id) && Number(fields.id) > 0)) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'id must be a positive integer' });
    }
  });

/** A FaultSpec over JSON: `path` is a prefix (no RegExp). */
const faultBodySchema = z.strictObject({
  path: z.string().startsWith('/').optional(),
  code: z
    .string()
    .regex(/^\d{3,4}$/)
    .optional(),
  httpStatus: z.number().int().min(400).max(599).optional(),
  drop: z.boolean().optional(),
  after: z.boolean().optional(),
  times: z.number().int().min(1).max(10_000).optional(),
  message: z.string().max(500).optional(),
});

const RECENT_ACTIVITIES = 1000;

function fail(res: Response, status: number, code: string, message: string, field?: string) {
  res.status(status).json({ error: { code, message, ...(field ? { field } : {}) } });
}

export function createControlRouter(
  state: SandboxState,
  sandbox: Pick<
    MarketoSandbox,
    | 'upsertLead'
    | 'deleteLead'
    | 'stats'
    | 'injectFault'
    | 'setFaultProfile'
    | 'startOutage'
    | 'endOutage'
    | 'faultCounts'
  >,
): Router {
  const router = Router();
  router.use(express.json({ limit: '1mb' }));

  router.get('/stats', (_req, res) => {
    res.json(sandbox.stats());
  });

  router.post('/leads', (req, res) => {
    const parsed = leadBodySchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(
        res,
        400,
        'VALIDATION_FAILED',
        issue?.message ?? 'invalid lead',
        issue?.path.join('.'),
      );
    }
    const fields = parsed.data as Record<string, LeadValue>;
    const existed = typeof fields.id === 'number' && state.leads.get(fields.id) !== undefined;
    res.status(existed ? 200 : 201).json(sandbox.upsertLead(fields));
  });

  router.delete('/leads/:id', (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id)) {
      return fail(res, 400, 'VALIDATION_FAILED', 'id must be an integer', 'id');
    }
    if (!sandbox.deleteLead(id)) return fail(res, 404, 'NOT_FOUND', `lead ${id} not found`);
    res.status(204).end();
  });

  // Scripted failures, as MarketoSandbox.injectFault: e.g. `{ "path": "/rest/v1/activities/
  // external.json", "httpStatus": 502, "after": true }` applies the write and loses the answer.
  router.post('/faults', (req, res) => {
    const parsed = faultBodySchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.');
      return fail(res, 400, 'VALIDATION_FAILED', issue?.message ?? 'invalid fault', field);
    }
    sandbox.injectFault(parsed.data);
    res.status(201).json({ fault: parsed.data });
  });

  // Seeded random faults (sandbox-fault-profile.ts): PUT sets the profile, DELETE ends it, GET
  // says what is set and how many faults of each kind were given.
  router.put('/fault-profile', (req, res) => {
    const parsed = faultProfileSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.');
      return fail(res, 400, 'VALIDATION_FAILED', issue?.message ?? 'invalid fault profile', field);
    }
    sandbox.setFaultProfile(parsed.data);
    res.json({ profile: parsed.data, counts: sandbox.faultCounts() });
  });
  router.get('/fault-profile', (_req, res) => {
    res.json({ profile: state.profiler.profile() ?? null, counts: sandbox.faultCounts() });
  });
  router.delete('/fault-profile', (_req, res) => {
    sandbox.setFaultProfile(undefined);
    res.status(204).end();
  });
  router.post('/outage', (req, res) => {
    const parsed = outageSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.');
      return fail(res, 400, 'VALIDATION_FAILED', issue?.message ?? 'invalid outage', field);
    }
    sandbox.startOutage(parsed.data);
    res.status(201).json({ outage: parsed.data });
  });
  router.delete('/outage', (_req, res) => {
    sandbox.endOutage();
    res.status(204).end();
  });

  router.get('/activities', (req, res) => {
    if (req.query.type === 'custom') {
      res.json({ activities: state.customActivities() });
      return;
    }
    const entries = state.log.entries();
    res.json({ activities: entries.slice(-RECENT_ACTIVITIES).map(formatActivity) });
  });

  // What the action cards did: static lists with their members, campaigns with their requests.
  router.get('/lists', (_req, res) => {
    res.json({ lists: state.marketing.lists() });
  });
  router.get('/lists/:id/members', (req, res) => {
    const members = state.marketing.listMembers(Number(req.params.id));
    if (members === undefined)
      return fail(res, 404, 'NOT_FOUND', `no static list ${req.params.id}`);
    res.json({ listId: Number(req.params.id), members });
  });
  router.get('/campaigns', (_req, res) => {
    res.json({ campaigns: state.marketing.campaigns() });
  });
  router.get('/campaigns/:id/requests', (req, res) => {
    const requests = state.marketing.campaignRequests(Number(req.params.id));
    if (requests === undefined) return fail(res, 404, 'NOT_FOUND', `no campaign ${req.params.id}`);
    res.json({ campaignId: Number(req.params.id), requests });
  });

  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const type = (error as { type?: string }).type;
    if (type === 'entity.parse.failed') {
      return fail(res, 400, 'INVALID_JSON', 'body is not valid JSON');
    }
    state.logger.error({ err: error }, 'sandbox control request failed');
    fail(res, 500, 'INTERNAL', 'sandbox control request failed');
  });
  return router;
}
