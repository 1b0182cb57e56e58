import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { listRoutes } from '../../src/http/route-list.js';
import { toOpenApiPath } from '../../src/openapi/openapi-document.js';
import { createOpenApiValidator } from '../helpers/openapi-validator.js';
import { ADMIN_AUTH, TEST_SECRETS, useSandboxServices } from '../helpers/test-service.js';

type Json = Record<string, unknown>;

const services = useSandboxServices();

/**
 * Documented here, routed by a branch not merged yet (issue 13's operability work). Allowed
 * to be missing from the app until then; the last test fails once they are routed, so this
 * list is emptied at the merge and the check holds them like every other route.
 */
async function openService() {
  const service = await services.open();
  const answer = await request(service.app).get('/openapi.json');
  return { service, answer, document: answer.body as Json };
}

async function firstAgentId(service: Awaited<ReturnType<typeof openService>>['service']) {
  const answer = await request(service.app).get('/api/agents').set(ADMIN_AUTH).expect(200);
  return (answer.body.agents as Array<{ id: string }>)[0]?.id;
}

function documentedOperations(document: Json): string[] {
  const paths = document.paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

function routedOperations(service: Awaited<ReturnType<typeof openService>>['service']) {
  return listRoutes(service.app).map((r) => `${r.method} ${toOpenApiPath(r.path)}`);
}

/**
 * Whether the route's zod schema refused the input: parseInput's 400 lists the schema's issues
 * (a 400 for another reason, e.g. an unknown dialogue, has none).
 */
function refusedBySchema(answer: request.Response): boolean {
  return (
    answer.status === 400 &&
    answer.body?.error?.code === 'VALIDATION_FAILED' &&
    Array.isArray(answer.body?.error?.details?.issues)
  );
}

/** A 400 naming the field, for the routes that refuse with the first issue only. */
const refusedNaming = (field: string) => (answer: request.Response) =>
  answer.status === 400 && answer.body?.error?.field === field;

describe('GET /openapi.json', () => {
  it('when anyone asks, without a credential, then the OpenAPI 3.1 document of the service is served as JSON', async () => {
    const { answer, document } = await openService();
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths as Json)).toContain('/api/agents/{id}');
  });

  it('when the flow-step service definition is asked for, then it is still the Marketo SPI document, not this one', async () => {
    const { service } = await openService();
    const spi = await request(service.app).get('/flow-steps/openapi.json').expect(200);
    expect(Object.keys(spi.body.paths)).toContain('/submitAsyncAction');
    expect(Object.keys(spi.body.paths)).not.toContain('/api/agents/{id}');
  });

  it('when the routes the app serves are listed, then every one is documented and every documented operation is routed', async () => {
    const { service, document } = await openService();
    const routed = routedOperations(service);
    const documented = documentedOperations(document);
    expect(routed.length).toBeGreaterThan(80);
    const undocumented = routed.filter((op) => !documented.includes(op));
    const unrouted = documented.filter((op) => !routed.includes(op));
    expect({ undocumented, unrouted }).toEqual({ undocumented: [], unrouted: [] });
  });

  it('when routes refuse, then each error body matches the documented Error schema', async () => {
    const { service, document } = await openService();
    const validate = createOpenApiValidator(document).compile({
      $ref: '#/components/schemas/Error',
    });
    const answers = await Promise.all([
      request(service.app).get('/api/agents'),
      request(service.app).get('/no/such/route'),
      request(service.app).put('/api/routing/settings').set(ADMIN_AUTH).send({ bad: 1 }),
      request(service.app)
        .post('/flow-steps/getPicklist')
        .set('x-api-key', TEST_SECRETS.SSFS_API_KEY)
        .send({ name: '' }),
      request(service.app).post('/webhooks/marketo/lead').send({ id: 1 }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([401, 404, 400, 400, 401]);
    const invalid = answers.flatMap((a) =>
      validate(a.body) ? [] : [{ body: a.body, errors: validate.errors }],
    );
    expect(invalid).toEqual([]);
  });

  it('when a success body is documented with a schema, then the real answer matches it', async () => {
    const { service, document } = await openService();
    const validator = createOpenApiValidator(document);
    const ok = (path: string, method: string, status: string) => {
      const paths = document.paths as Record<string, Record<string, Json>>;
      const responses = paths[path]![method]!.responses as Record<string, Json>;
      const content = responses[status]!.content as Record<string, { schema: Json }>;
      expect(content['application/json']!.schema.$ref).toBeDefined();
      return validator.compile(content['application/json']!.schema);
    };
    const checks = [
      {
        validate: ok('/api/configuration', 'get', '200'),
        answer: await request(service.app).get('/api/configuration').set(ADMIN_AUTH),
      },
      {
        validate: ok('/api/routing/settings', 'get', '200'),
        answer: await request(service.app).get('/api/routing/settings').set(ADMIN_AUTH),
      },
      {
        validate: ok('/api/routing/settings', 'put', '200'),
        answer: await request(service.app)
          .put('/api/routing/settings')
          .set(ADMIN_AUTH)
          .send({ cancellationReturnsTurn: true }),
      },
      {
        validate: ok('/api/routing/rules', 'post', '201'),
        answer: await request(service.app)
          .post('/api/routing/rules')
          .set(ADMIN_AUTH)
          .send({
            name: 'Germany',
            conditions: [{ field: 'country', operator: 'equals', value: 'Germany' }],
            target: { agentIds: [(await firstAgentId(service)) ?? 'none'] },
          }),
      },
    ];
    const mismatches = checks.flatMap(({ validate, answer }) =>
      answer.ok && validate(answer.body)
        ? []
        : [{ status: answer.status, body: answer.body, errors: validate.errors }],
    );
    expect(mismatches).toEqual([]);
  });
});

/** One input the documented schema and the route must agree on. */
interface Case {
  input: Json;
  accepted: boolean;
}

/**
 * Each input through the documented schema (ajv, from the served document) and through the
 * route: both must give the expected answer; a disagreement is listed with its input.
 */
async function disagreements(
  cases: Case[],
  documented: (input: Json) => boolean,
  route: (input: Json) => Promise<boolean>,
) {
  const out: Array<Case & { document: boolean; route: boolean }> = [];
  for (const c of cases) {
    const answers = { document: documented(structuredClone(c.input)), route: await route(c.input) };
    if (answers.document !== c.accepted || answers.route !== c.accepted)
      out.push({ ...c, ...answers });
  }
  return out;
}

describe('the documented request schemas and the routes agree', () => {
  it('when PUT /api/routing/settings is sent good and bad bodies, then the document and the route accept the same ones', async () => {
    const { service, document } = await openService();
    const validate = createOpenApiValidator(document).body('/api/routing/settings', 'put');
    const cases: Case[] = [
      { input: { cancellationReturnsTurn: true }, accepted: true },
      { input: { cancellationReturnsTurn: 'yes' }, accepted: false },
      { input: {}, accepted: false },
      { input: { cancellationReturnsTurn: false, extra: 1 }, accepted: false },
    ];
    const route = async (input: Json) =>
      !refusedBySchema(
        await request(service.app).put('/api/routing/settings').set(ADMIN_AUTH).send(input),
      );
    expect(await disagreements(cases, (i) => validate(i), route)).toEqual([]);
  });

  it('when POST /flow-steps/getPicklist is sent good and bad bodies, then the document and the route accept the same ones', async () => {
    const { service, document } = await openService();
    const validate = createOpenApiValidator(document).body('/flow-steps/getPicklist', 'post');
    const cases: Case[] = [
      { input: { name: 'routingPool', type: 'flow' }, accepted: true },
      { input: { name: '', type: 'flow' }, accepted: false },
      { input: { name: 'routingPool', type: 'bogus' }, accepted: false },
      { input: { name: 'x'.repeat(256), type: 'flow' }, accepted: false },
      { input: { type: 'flow' }, accepted: false },
    ];
    // The flow-step routes refuse the SPI way: 400 naming the first bad field.
    const route = async (input: Json) => {
      const answer = await request(service.app)
        .post('/flow-steps/getPicklist')
        .set('x-api-key', TEST_SECRETS.SSFS_API_KEY)
        .send(input);
      return !(answer.status === 400 && ['name', 'type'].includes(answer.body?.error?.field));
    };
    expect(await disagreements(cases, (i) => validate(i), route)).toEqual([]);
  });

  it('when POST /chat/branch is sent good and bad bodies, then the document and the route accept the same ones', async () => {
    const { service, document } = await openService();
    const validate = createOpenApiValidator(document).body('/chat/branch', 'post');
    const branch = {
      dialogueId: 'dialogue-1',
      dialogueVersion: 1,
      cardId: 'card-1',
      conversationId: 'conversation-1',
      visitor: { anonymousId: 'visitor-12345' },
    };
    const cases: Case[] = [
      { input: branch, accepted: true },
      { input: { ...branch, answers: { 'card-1': 'yes' } }, accepted: true },
      { input: { ...branch, dialogueVersion: 0 }, accepted: false },
      { input: { ...branch, conversationId: 'short' }, accepted: false },
      { input: { ...branch, visitor: { anonymousId: 'x' } }, accepted: false },
      { input: { ...branch, answers: { 'not a card id': 'yes' } }, accepted: false },
    ];
    // A well-formed request about an unknown dialogue is refused too, but not by the schema.
    const route = async (input: Json) =>
      !refusedBySchema(await request(service.app).post('/chat/branch').send(input));
    expect(await disagreements(cases, (i) => validate(i), route)).toEqual([]);
  });

  it('when GET /api/meetings is asked with good and bad queries, then the documented parameters and the route accept the same ones', async () => {
    const { service, document } = await openService();
    const validate = createOpenApiValidator(document, { coerce: true }).parameters(
      '/api/meetings',
      'get',
      'query',
    );
    const cases: Case[] = [
      { input: {}, accepted: true },
      { input: { limit: '5', status: 'booked' }, accepted: true },
      { input: { from: '2026-01-01', to: '2026-02-01T00:00:00Z' }, accepted: true },
      { input: { limit: '0' }, accepted: false },
      { input: { limit: 'many' }, accepted: false },
      { input: { status: 'bogus' }, accepted: false },
      { input: { from: 'yesterday' }, accepted: false },
    ];
    const route = async (input: Json) =>
      !refusedBySchema(
        await request(service.app).get('/api/meetings').query(input).set(ADMIN_AUTH),
      );
    expect(await disagreements(cases, (i) => validate(i), route)).toEqual([]);
  });

  it('when GET /api/leads/{id} is asked for good and bad ids, then the documented path parameter and the route accept the same ones', async () => {
    const { service, document } = await openService();
    const validate = createOpenApiValidator(document, { coerce: true }).parameters(
      '/api/leads/{id}',
      'get',
      'path',
    );
    const cases: Case[] = [
      { input: { id: '12' }, accepted: true },
      { input: { id: 'abc' }, accepted: false },
      { input: { id: '0' }, accepted: false },
      { input: { id: '1.5' }, accepted: false },
    ];
    const route = async (input: Json) =>
      !refusedNaming('id')(
        await request(service.app)
          .get(`/api/leads/${String(input.id)}`)
          .set(ADMIN_AUTH),
      );
    expect(await disagreements(cases, (i) => validate(i), route)).toEqual([]);
  });
});
