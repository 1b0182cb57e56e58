import { Router } from 'express';
import { AppError } from '../errors.js';
import type { OAuthConnect } from './oauth-connect.js';

const page = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title>` +
  `<body style="font-family:system-ui;margin:3rem"><h1>${title}</h1><p>${text}</p></body>`;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * GET /oauth/calendar/callback: where Google and Microsoft send the agent back. Public by
 * nature (the browser arrives from the provider); the single-use `state` is the credential.
 */
export function createOAuthCallbackRoutes(oauth: OAuthConnect): Router {
  const router = Router();
  router.get('/calendar/callback', async (req, res) => {
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    res.setHeader('Cache-Control', 'no-store');
    try {
      const agent = await oauth.finish({
        ...(text(req.query.state) === undefined ? {} : { state: text(req.query.state)! }),
        ...(text(req.query.code) === undefined ? {} : { code: text(req.query.code)! }),
        ...(text(req.query.error) === undefined ? {} : { error: text(req.query.error)! }),
      });
      res
        .type('html')
        .send(
          page(
            'Calendar connected',
            `${escape(agent.name)}'s ${agent.calendar.provider} calendar is connected. You can close this window.`,
          ),
        );
    } catch (error) {
      const status = error instanceof AppError ? error.httpStatus : 500;
      const message =
        error instanceof AppError && status < 500
          ? error.message
          : 'The connection failed; please try again.';
      res
        .status(status)
        .type('html')
        .send(page('Calendar not connected', escape(message)));
    }
  });
  return router;
}
