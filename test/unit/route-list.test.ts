import express from 'express';
import { describe, expect, it } from 'vitest';
import { listRoutes } from '../../src/http/route-list.js';

describe('listRoutes', () => {
  it('when routers are mounted at several depths, then every method and full path is listed in mount order', () => {
    const app = express();
    app.get('/health', (_req, res) => res.end());
    const inner = express.Router();
    inner.get('/things/:id', (_req, res) => res.end());
    inner
      .route('/things')
      .get((_req, res) => res.end())
      .post((_req, res) => res.end());
    const api = express.Router();
    api.use(express.json());
    api.use(inner);
    app.use('/api', api);
    const root = express.Router();
    root.get('/widget.js', (_req, res) => res.end());
    app.use('/', root);
    app.use((_req, res) => res.status(404).end());

    expect(listRoutes(app)).toEqual([
      { method: 'GET', path: '/health' },
      { method: 'GET', path: '/api/things/:id' },
      { method: 'GET', path: '/api/things' },
      { method: 'POST', path: '/api/things' },
      { method: 'GET', path: '/widget.js' },
    ]);
  });
});
