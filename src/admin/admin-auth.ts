import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../errors.js';
import { secretMatches } from './constant-time.js';

/** `Authorization: Bearer <ADMIN_TOKEN>` on every admin route; 401 says nothing more. */
export function requireAdmin(adminTokens: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match || !secretMatches(match[1]?.trim(), adminTokens)) {
      next(new UnauthorizedError('A valid admin bearer token is required'));
      return;
    }
    next();
  };
}
