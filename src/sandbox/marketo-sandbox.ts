import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Logger } from '../logger.js';
import { createActivityRoutes } from './sandbox-activities.js';
import { createIdentityHandler } from './sandbox-auth.js';
import { createBulkRoutes } from './sandbox-bulk.js';
import { createControlRouter } from './sandbox-control.js';
import { createCustomActivityRoutes } from './sandbox-custom-activities.js';
import {
  createErrorHandler,
  createFaultGate,
  createNotFound,
  createUriGuard,
  registerMarketoRoutes,
} from './sandbox-http.js';
import { createLeadRoutes } from './sandbox-leads.js';
import { createListCampaignRoutes } from './sandbox-lists-campaigns.js';
import { faultProfileSchema, outageSchema } from './sandbox-fault-profile.js';
import { createSandboxState } from './sandbox-state.js';
import type { LeadValue, MarketoSandbox, SandboxOptions, SandboxServer } from './sandbox-types.js';
import { createUsageRoutes } from './sandbox-usage.js';

/**
 * A faithful local stand-in for the Marketo REST API: the service runs against it when no
 * Marketo credentials are configured, and tests and benchmarks drive it. Build it, then either
 * mount `sandbox.app` (supertest) or `await sandbox.listen()` and point the client at `url`.
 */
export function createMarketoSandbox(options: SandboxOptions = {}): MarketoSandbox {
  const state = createSandboxState(options);
  const app = express();
  app.disable('x-powered-by');
  // ETags would hash every page of leads for nothing; Marketo does not send them either.
  app.set('etag', false);

  const sandbox: MarketoSandbox = {
    app,
    listen: (port = 0, host = '127.0.0.1') => listen(app, port, host, state.logger),
    upsertLead(fields) {
      const input = Object.fromEntries(
        Object.entries(fields).filter(([, value]) => value !== undefined),
      ) as Record<string, LeadValue>;
      const unknown = state.leads.unknownField(input);
      if (unknown !== undefined) throw new TypeError(`Unknown lead field '${unknown}'`);
      const options = { source: 'Sandbox control', allowSystemDates: true };
      const existing = typeof input.id === 'number' ? state.leads.get(input.id) : undefined;
      if (!existing) return { ...state.leads.create(input, options) };
      state.leads.update(existing.id, input, options);
      return { ...existing };
    },
    deleteLead: (id) => state.leads.remove(id) !== undefined,
    associateCookie: (leadId, cookie) => state.leads.associateCookie(leadId, cookie),
    getLead(id) {
      const lead = state.leads.get(id);
      return lead ? { ...lead } : undefined;
    },
    allLeads: () => Array.from(state.leads.values(), (lead) => ({ ...lead })),
    leadCount: () => state.leads.size(),
    injectFault: (fault) => state.faults.inject(fault),
    setFaultProfile: (profile) =>
      state.profiler.setProfile(
        profile === undefined ? undefined : faultProfileSchema.parse(profile),
      ),
    startOutage: (outage) => state.profiler.startOutage(outageSchema.parse(outage)),
    endOutage: () => state.profiler.endOutage(),
    faultCounts: () => state.profiler.counts(),
    limitRefusals: () => state.limitRefusals(),
    setLimits(partial) {
      for (const [key, value] of Object.entries(partial)) {
        if (value !== undefined) Object.assign(state.limits, { [key]: value });
      }
    },
    limits: () => ({ ...state.limits }),
    stats: () => state.snapshotStats(),
    callLog: () => state.callLog().entries(),
    resetStats: () => state.resetStats(),
    customActivities: () => state.customActivities(),
    customActivityTypes: () => state.customTypes.list(),
    listMembers: (listId) => state.marketing.listMembers(listId),
    campaignRequests: (campaignId) => state.marketing.campaignRequests(campaignId),
  };

  // Marketo's HTTP Date is Marketo's clock, the one its activity dates use: the sync reads it
  // as a lower bound of when a read ran, so it must come from the sandbox's clock, not Node's.
  app.use((_req, res, next) => {
    res.setHeader('Date', new Date(state.clock.now()).toUTCString());
    next();
  });
  app.use(createUriGuard(state));
  app.use('/_sandbox', createControlRouter(state, sandbox));
  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));
  app.use(createFaultGate(state));
  const identity = createIdentityHandler(state.tokens, (fresh) => {
    state.counters.identityCalls++;
    if (fresh) state.counters.tokensIssued++;
  });
  app.get('/identity/oauth/token', identity);
  app.post('/identity/oauth/token', identity);
  registerMarketoRoutes(app, state, [
    ...createLeadRoutes(state),
    ...createActivityRoutes(state),
    ...createCustomActivityRoutes(state),
    ...createBulkRoutes(state),
    ...createListCampaignRoutes(state),
    ...createUsageRoutes(state),
  ]);
  app.use(createNotFound(state));
  app.use(createErrorHandler(state));
  return sandbox;
}

async function listen(
  app: express.Express,
  port: number,
  host: string,
  logger: Logger,
): Promise<SandboxServer> {
  // Node's own header limit (16 KB) must not pre-empt Marketo's 8 KB URI rule (414).
  const server = createServer({ maxHeaderSize: 64 * 1024 }, app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: actual } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
  logger.info({ url }, 'Marketo sandbox listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
