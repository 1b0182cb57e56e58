import type { RoutingAgentsSource } from '../../src/routing/assign-agent.js';
import express, { Router } from 'express';
import type { Clock } from '../../src/deps.js';
import type { Logger } from '../../src/logger.js';
import type { LeadStore, OutboxStore, RoutingStore } from '../../src/store/types.js';
import { acceptInvocation } from './accept-invocation.js';
import { requireApiKey } from './api-key-auth.js';
import { BRAND_ICON_SVG, SERVICE_ICON_SVG } from './icons.js';
import { picklistChoices } from './picklists.js';
import { providerInstructionsHtml } from './provider-instructions.js';
import { buildServiceDefinition } from './service-definition.js';
import { buildServiceDocument } from './service-document.js';
import { serviceStatus } from './service-status.js';

export interface FlowStepRouteDeps {
  store: OutboxStore & RoutingStore & LeadStore;
  clock: Clock;
  logger: Logger;
  /** SSFS_API_KEY and, during a rotation, SSFS_API_KEY_PREVIOUS. */
  apiKeys: string[];
  /** PUBLIC_BASE_URL: the router is reached at `${publicBaseUrl}/flow-steps`. */
  publicBaseUrl: string;
  /** SSFS_CALLBACK_HOSTS. */
  callbackHosts: string[];
  agents: RoutingAgentsSource;
  /** Called after an invocation is stored: kick the outbox worker. */
  onEnqueued?: () => void;
  /** info.version of the service document (default 1.0.0). */
  version?: string;
  /** info.x-supportContact, an email or URL (default: the public base URL). */
  supportContact?: string;
}

/** Invocations hold at most 1,000 leads (invocation-schema.ts); 5 MB leaves room for fields. */
const INVOCATION_BODY_LIMIT = '5mb';

/**
 * The Self-Service Flow Step endpoints (Adobe SPI 1.0.0), mounted at `/flow-steps`. The service
 * document is public so Marketo can read it at install; everything else needs `x-api-key`,
 * checked before any body is read. Routes parse and call plain functions.
 */
export function createFlowStepRoutes(deps: FlowStepRouteDeps): Router {
  const flowStepsUrl = `${deps.publicBaseUrl.replace(/\/+$/, '')}/flow-steps`;
  const logger = deps.logger.child({ route: 'flow-steps' });
  const document = buildServiceDocument({
    version: deps.version ?? '1.0.0',
    supportContact: deps.supportContact ?? deps.publicBaseUrl,
  });
  const definition = buildServiceDefinition(flowStepsUrl);
  const instructions = providerInstructionsHtml(flowStepsUrl);
  if (deps.apiKeys.every((k) => k === '')) {
    logger.warn('no SSFS API key is configured: every flow step call will be refused');
  }

  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });

  router.use(requireApiKey(deps.apiKeys));
  router.post(
    '/submitAsyncAction',
    // Marketo sends JSON; read it as JSON whatever the Content-Type says (a proxy or a test
    // tool may relabel it), so a bad body is a 400 INVALID_JSON, not a missing body.
    express.json({ limit: INVOCATION_BODY_LIMIT, type: () => true }),
    async (req, res) => {
      await acceptInvocation({ ...deps, logger }, req.body);
      res.status(201).json({});
    },
  );
  router.get('/getServiceDefinition', (_req, res) => {
    res.json(definition);
  });
  router.get('/status', async (_req, res) => {
    res.json(await serviceStatus(deps));
  });
  router.post('/getPicklist', express.json({ limit: '64kb' }), async (req, res) => {
    res.json({ choices: picklistChoices(req.body, await deps.agents()) });
  });
  router.get('/providerInstructions', (_req, res) => {
    res.type('html').send(instructions);
  });
  router.get('/brandIcon', (_req, res) => {
    res.type('image/svg+xml').send(BRAND_ICON_SVG);
  });
  router.get('/serviceIcon', (_req, res) => {
    res.type('image/svg+xml').send(SERVICE_ICON_SVG);
  });
  return router;
}
