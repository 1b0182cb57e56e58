import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { AppError } from '../errors.js';

/**
 * The console's built files (scripts/build-console.mjs: index.html, console.js, console.css,
 * preview.html, preview.js) under /console/. The page is one React app; its tabs are `#/...`
 * fragments, so the server knows only these files. Revalidated on every load (ETag), so a
 * rebuild shows at once. helmet's Content-Security-Policy holds: scripts from this origin only.
 */
export function createConsoleAssetRoutes(options: { dir?: string | undefined } = {}): Router {
  const dir = options.dir ?? defaultConsoleDir();
  const router = Router();
  router.get('/', (req, res, next) => {
    // `/console` without its slash: the page's relative links need the folder form.
    if (!req.originalUrl.split('?')[0]!.endsWith('/')) {
      res.redirect(301, `${req.baseUrl}/`);
      return;
    }
    if (!existsSync(join(dir, 'index.html'))) {
      next(
        new AppError(
          'CONSOLE_NOT_BUILT',
          'The console is not built: run `npm run build:console`.',
          {
            httpStatus: 503,
          },
        ),
      );
      return;
    }
    next();
  });
  router.use(
    express.static(dir, {
      index: 'index.html',
      cacheControl: false,
      redirect: false,
      setHeaders(res, path) {
        res.setHeader('Cache-Control', 'no-cache');
        // The widget preview shows the bot's avatar, an https image of the customer's own.
        if (path.endsWith('preview.html')) {
          res.setHeader(
            'Content-Security-Policy',
            "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; " +
              "object-src 'none'; base-uri 'self'; frame-ancestors 'self'",
          );
        }
      },
    }),
  );
  return router;
}

/** dist/console, from src/admin/ (tsx, tests) and from dist/src/admin/ (the build). */
function defaultConsoleDir(): string {
  const fromSource = fileURLToPath(new URL('../../dist/console', import.meta.url));
  const fromBuild = fileURLToPath(new URL('../../console', import.meta.url));
  return existsSync(fromSource) ? fromSource : fromBuild;
}
