import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { toRoutingAgents } from '../../src/routing/routing-agents.js';
import { API_KEY, FIVE_AGENTS, setupFlowSteps } from '../fixtures/ssfs/flow-steps-harness.js';
import { componentValidator, createSpiAjv, readSpiYaml } from '../fixtures/ssfs/spi-schemas.js';

const cfa = readSpiYaml('CFA-Swagger.yaml');
const auth = (req: request.Test, key = API_KEY) => req.set('x-api-key', key);

describe('GET /flow-steps/openapi.json', () => {
  it("when Marketo fetches the install URL, then the document satisfies Adobe's schema.yaml", async () => {
    const { app } = setupFlowSteps();
    const res = await request(app).get('/flow-steps/openapi.json');

    expect(res.status).toBe(200);
    const validate = createSpiAjv().compile(readSpiYaml('schema.yaml'));
    expect(validate(res.body), JSON.stringify(validate.errors)).toBe(true);
    // The check has teeth: without a required path or the x-* info fields it fails.
    const { '/status': _status, ...fewerPaths } = res.body.paths;
    expect(validate({ ...res.body, paths: fewerPaths })).toBe(false);
    const { 'x-providerName': _provider, ...info } = res.body.info;
    expect(validate({ ...res.body, info })).toBe(false);
    expect(res.body.servers).toBeUndefined(); // Marketo takes the document's folder as base
    expect(res.body.info).toMatchObject({ 'x-schemaVersion': '1.0.0', title: expect.any(String) });
    expect(res.body.security[0]).toEqual({ apiKey: [] });
    expect(res.body.components.securitySchemes.apiKey).toEqual({
      type: 'apiKey',
      name: 'x-api-key',
      in: 'header',
    });
  });

  it('when a path is in the document, then it is served, and every served path is in it', async () => {
    const { app } = setupFlowSteps();
    const doc = (await request(app).get('/flow-steps/openapi.json')).body;
    const served = [
      ['post', '/submitAsyncAction'],
      ['get', '/getServiceDefinition'],
      ['get', '/status'],
      ['post', '/getPicklist'],
      ['get', '/providerInstructions'],
      ['get', '/brandIcon'],
      ['get', '/serviceIcon'],
    ];
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) =>
      Object.keys(ops)
        .filter((k) => ['get', 'post'].includes(k))
        .map((m) => [m, p]),
    );
    expect(documented.sort()).toEqual(served.sort());
    for (const [method, path] of served) {
      const res = await auth(
        method === 'get'
          ? request(app).get(`/flow-steps${path}`)
          : request(app).post(`/flow-steps${path}`).send({}),
      );
      expect(res.status, `${method} ${path}`).not.toBe(404);
    }
  });

  it("when Adobe's sample invocation is checked, then Adobe's and our `async` schemas accept it", async () => {
    const { app } = setupFlowSteps();
    const doc = (await request(app).get('/flow-steps/openapi.json')).body;
    const sample = JSON.parse(
      readFileSync(new URL('../fixtures/ssfs/invocation.json', import.meta.url), 'utf8'),
    );
    expect(componentValidator(cfa, 'cfa', 'async')(sample)).toBe(true);
    expect(componentValidator(doc, 'ours', 'async')(sample)).toBe(true);
  });
});

describe('GET /flow-steps/getServiceDefinition', () => {
  it("when Marketo installs the service, then the definition follows Adobe's schema and rules", async () => {
    const { app } = setupFlowSteps();
    const res = await auth(request(app).get('/flow-steps/getServiceDefinition'));
    expect(res.status).toBe(200);
    const def = res.body;

    const validate = componentValidator(cfa, 'cfa', 'serviceDefinition');
    expect(validate(def), JSON.stringify(validate.errors)).toBe(true);
    const ours = componentValidator(
      (await request(app).get('/flow-steps/openapi.json')).body,
      'ours',
      'serviceDefinition',
    );
    expect(ours(def), JSON.stringify(ours.errors)).toBe(true);

    const flowNames = def.invocationPayloadDef.flowAttributes.map(
      (a: { apiName: string }) => a.apiName,
    );
    const activityNames = def.callbackPayloadDef.attributes.map(
      (a: { apiName: string }) => a.apiName,
    );
    const fieldNames = [...def.invocationPayloadDef.fields, ...def.callbackPayloadDef.fields].map(
      (f: { serviceAttribute: string }) => f.serviceAttribute,
    );
    expect(flowNames).toContain(def.primaryAttribute);
    expect(activityNames).not.toContain(def.primaryAttribute);
    expect(flowNames.filter((n: string) => activityNames.includes(n))).toEqual([]);
    for (const reserved of ['success', 'reason', 'errorCode']) {
      expect([...flowNames, ...activityNames]).not.toContain(reserved);
    }
    expect(fieldNames).not.toContain('id');
    expect(activityNames).toEqual(['agentEmail', 'agentName', 'routingRule']);
    expect(
      def.callbackPayloadDef.fields.map((f: { serviceAttribute: string }) => f.serviceAttribute),
    ).toEqual(['agentEmail', 'agentName']);
    expect(def.invocationPayloadDef.subscriptionContext).toBe(true);
    expect(def.invocationPayloadDef.flowAttributes[0].picklistUrl).toBe(
      'https://chat.example.com/flow-steps/getPicklist',
    );
  });
});

describe('GET /flow-steps/status', () => {
  it('when agents are configured, then the status is informational and valid', async () => {
    const { app } = setupFlowSteps();
    const res = await auth(request(app).get('/flow-steps/status'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      info: [expect.stringContaining('5 active')],
      warnings: [],
      errors: [],
    });
    expect(componentValidator(cfa, 'cfa', 'serviceStatus')(res.body)).toBe(true);
  });

  it('when no agent is active, then the status reports an error', async () => {
    const { app } = setupFlowSteps({ agents: FIVE_AGENTS.map((a) => ({ ...a, active: false })) });
    const res = await auth(request(app).get('/flow-steps/status'));
    expect(res.body.errors).toEqual([expect.stringContaining('No active sales agent')]);
  });
});

describe('POST /flow-steps/getPicklist', () => {
  const picklist = (app: Parameters<typeof request>[0], body: object) =>
    auth(request(app).post('/flow-steps/getPicklist')).send(body);

  it('when Marketo asks for the routing pools, then the choices are the rotation and each agent', async () => {
    const { app } = setupFlowSteps();
    const res = await picklist(app, { name: 'routingPool', type: 'flow', fieldMappingContext: {} });
    expect(res.status).toBe(200);
    expect(res.body.choices).toHaveLength(6);
    expect(res.body.choices[0]).toEqual({
      displayValue: { en_US: 'All active agents (round robin)' },
      submittedValue: 'all',
    });
    expect(res.body.choices[1]).toEqual({
      displayValue: { en_US: 'Only Ana Silva (ana.silva@example.com)' },
      submittedValue: 'agent:ana.silva@example.com',
    });
    expect(componentValidator(cfa, 'cfa', 'picklistObject')(res.body)).toBe(true);
  });

  it('when there are more than 1,000 agents, then at most 1,000 choices are returned', async () => {
    const many = toRoutingAgents(
      Array.from({ length: 1_500 }, (_, i) => ({ name: `Agent ${i}`, email: `a${i}@example.com` })),
    );
    const { app } = setupFlowSteps({ agents: many });
    const res = await picklist(app, { name: 'routingPool', type: 'flow' });
    expect(res.body.choices).toHaveLength(1_000);
  });

  it.each([
    [{ name: 'team', type: 'flow' }, 'name'],
    [{ name: 'routingPool', type: 'sideways' }, 'type'],
    [{ type: 'flow' }, 'name'],
  ])('when the request is %j, then 400 names %s', async (body, field) => {
    const { app } = setupFlowSteps();
    const res = await picklist(app, body);
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe(field);
  });
});

describe('icons and instructions', () => {
  it.each(['/brandIcon', '/serviceIcon'])(
    'when Marketo fetches %s, then it gets an SVG image',
    async (path) => {
      const { app } = setupFlowSteps();
      const res = await auth(request(app).get(`/flow-steps${path}`))
        .buffer(true)
        .parse((r, cb) => {
          let data = '';
          r.on('data', (c: Buffer) => (data += c.toString()));
          r.on('end', () => cb(null, data));
        });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect(String(res.body)).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    },
  );

  it('when Marketo fetches the provider instructions, then they give the install URL, escaped', async () => {
    const { app } = setupFlowSteps();
    const res = await auth(request(app).get('/flow-steps/providerInstructions'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<code>https://chat.example.com/flow-steps/openapi.json</code>');
    expect(res.text).toContain('addServiceProvider?url=https%3A%2F%2Fchat.example.com');
    expect(res.text).not.toContain(API_KEY);
  });
});
