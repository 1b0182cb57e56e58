import { Router } from 'express';
import { AppError } from '../errors.js';
import { messagePage, sendPage } from '../http/html-page.js';
import type { OAuthConnect } from './oauth-connect.js';

/**
 * GET /oauth/calendar/callback: where Google and Microsoft send the agent back. Public by
 * nature (the browser arrives from the provider); the single-use `state` is the credential.
 */
export function createOAuthCallbackRoutes(oauth: OAuthConnect): Router {
  const router = Router();
  router.get('/calendar/callback', async (req, res) => {
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    try {
      const agent = await oauth.finish({
        ...(text(req.query.state) === undefined ? {} : { state: text(req.query.state)! }),
        ...(text(req.query.code) === undefined ? {} : { code: text(req.query.code)! }),
        ...(text(req.query.error) === undefined ? {} : { error: text(req.query.error)! }),
      });
      const connected = `${agent.name}'s ${agent.calendar.provider} calendar is connected. You can close this window.`;
      sendPage(res, 200, messagePage('Calendar connected', connected));
    } catch (error) {
      const status = error instanceof AppError ? error.httpStatus : 500;
      const message =
        error instanceof AppError && status < 500
          ? error.message
          : 'The connection failed; please try again.';
      sendPage(res, status, messagePage('Calendar not connected', message));
    }
  });
  return router;
}
