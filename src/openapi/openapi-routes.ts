import { Router } from 'express';
import { createOpenApiDocument, type OpenApiDocumentOptions } from './openapi-document.js';

/**
 * GET /openapi.json: the service's OpenAPI 3.1 document, public (it describes shapes, holds no
 * data). Built on the first request and kept: converting every schema takes tens of
 * milliseconds, which a service that is never asked (most test services) should not pay.
 * Not to be confused with /flow-steps/openapi.json, the flow-step service definition Marketo
 * reads at install.
 */
export function createOpenApiRoutes(options: OpenApiDocumentOptions): Router {
  let body: string | undefined;
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    body ??= JSON.stringify(createOpenApiDocument(options));
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    // A viewer on another origin (an OpenAPI UI) may read it; no credentials are involved.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.send(body);
  });
  return router;
}
