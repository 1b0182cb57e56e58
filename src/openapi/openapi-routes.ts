import { Router } from 'express';
import { createOpenApiDocument, type OpenApiDocumentOptions } from './openapi-document.js';

/**
 * GET /openapi.json: the service's OpenAPI 3.1 document, public (it describes shapes, holds no
 * data). Built once when the service starts, served from memory. Not to be confused with
 * /flow-steps/openapi.json, the flow-step service definition Marketo reads at install.
 */
export function createOpenApiRoutes(options: OpenApiDocumentOptions): Router {
  const body = JSON.stringify(createOpenApiDocument(options));
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    // A viewer on another origin (an OpenAPI UI) may read it; no credentials are involved.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.send(body);
  });
  return router;
}
