import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { API_KEY, PREVIOUS_API_KEY, setupFlowSteps } from '../fixtures/ssfs/flow-steps-harness.js';

const auth = (req: request.Test, key = API_KEY) => req.set('x-api-key', key);

describe('x-api-key authentication', () => {
  const protectedPaths = [
    ['post', '/submitAsyncAction'],
    ['get', '/getServiceDefinition'],
    ['get', '/status'],
    ['post', '/getPicklist'],
    ['get', '/providerInstructions'],
    ['get', '/brandIcon'],
    ['get', '/serviceIcon'],
  ] as const;
  const badKeys: Array<[string, string | undefined]> = [
    ['missing', undefined],
    ['empty', ''],
    ['one character', 'x'],
    ['wrong', 'ssfs-api-key-0123456789abcdeX'],
    ['10 kB', 'k'.repeat(10_000)],
  ];

  it.each(protectedPaths)(
    'when %s %s has a missing, empty, short, wrong or huge key, then 401 JSON',
    async (method, path) => {
      const { app, store } = setupFlowSteps();
      for (const [, key] of badKeys) {
        let req =
          method === 'get'
            ? request(app).get(`/flow-steps${path}`)
            : request(app).post(`/flow-steps${path}`).send({});
        if (key !== undefined) req = req.set('x-api-key', key);
        const res = await req;
        expect(res.status).toBe(401);
        expect(res.body).toEqual({
          error: { code: 'UNAUTHORIZED', message: 'Authentication required' },
        });
      }
      expect(await store.listOutbox()).toEqual([]);
    },
  );

  it('when the key is rotated, then the current and the previous key both pass', async () => {
    const { app } = setupFlowSteps();
    for (const key of [API_KEY, PREVIOUS_API_KEY]) {
      const res = await auth(request(app).get('/flow-steps/status'), key);
      expect(res.status).toBe(200);
    }
  });

  it('when the key is sent as a query parameter, then it is refused', async () => {
    const { app } = setupFlowSteps();
    const res = await request(app).get(`/flow-steps/status?x-api-key=${API_KEY}`);
    expect(res.status).toBe(401);
  });
});
