import type { RequestHandler } from 'express';
import { secretMatches } from '../../src/admin/constant-time.js';
import { UnauthorizedError } from '../../src/errors.js';

/**
 * Marketo authenticates with the apiKey scheme our service document declares: header
 * `x-api-key` (Adobe SPI, CFA-Swagger.yaml securitySchemes). Compared in constant time against
 * SSFS_API_KEY and, during a rotation, SSFS_API_KEY_PREVIOUS. Any failure is the same bare 401,
 * before the body is read.
 */
export function requireApiKey(apiKeys: readonly string[]): RequestHandler {
  const keys = apiKeys.filter((k) => k !== '');
  return (req, _res, next) => {
    next(secretMatches(req.get('x-api-key'), keys) ? undefined : new UnauthorizedError());
  };
}
