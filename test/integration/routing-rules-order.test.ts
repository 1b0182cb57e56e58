import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { addAgent, createMeetingsTestApp, type TestApp } from '../helpers/meetings-app.js';

async function addRule(t: TestApp, name: string, priority: number) {
  const res = await request(t.app)
    .post('/api/routing/rules')
    .send({
      name,
      priority,
      conditions: [{ field: 'country', operator: 'equals', value: name }],
      target: { group: 'dach' },
    })
    .expect(201);
  return res.body as { id: string; priority: number };
}

const namesByPriority = async (t: TestApp) => {
  const { body } = await request(t.app).get('/api/routing/rules').expect(200);
  return (body.rules as Array<{ name: string; priority: number }>)
    .sort((a, b) => b.priority - a.priority)
    .map((r) => `${r.name}:${r.priority}`);
};

describe('PUT /api/routing/rules/order', () => {
  it('when the rules are put in a new order, then their own priorities are handed out in it', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com', groups: ['dach'] });
    const a = await addRule(t, 'A', 300);
    const b = await addRule(t, 'B', 200);
    const c = await addRule(t, 'C', 100);
    const res = await request(t.app)
      .put('/api/routing/rules/order')
      .send({ order: [c.id, a.id, b.id] })
      .expect(200);
    expect(res.body.rules.map((r: { name: string }) => r.name)).toEqual(['C', 'A', 'B']);
    expect(await namesByPriority(t)).toEqual(['C:300', 'A:200', 'B:100']);
  });

  it('when priorities tie, then the order still decides: each is one below the one before', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com', groups: ['dach'] });
    const a = await addRule(t, 'A', 100);
    const b = await addRule(t, 'B', 100);
    const c = await addRule(t, 'C', 0);
    await request(t.app)
      .put('/api/routing/rules/order')
      .send({ order: [b.id, a.id, c.id] })
      .expect(200);
    // The second 100 would tie the first: one below it.
    expect(await namesByPriority(t)).toEqual(['B:100', 'A:99', 'C:0']);
    await request(t.app)
      .put('/api/routing/rules/order')
      .send({ order: [c.id, b.id, a.id] })
      .expect(200);
    expect(await namesByPriority(t)).toEqual(['C:100', 'B:99', 'A:0']);
  });

  it('when the lowest would go below 0, then the order is numbered afresh from its length down', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com', groups: ['dach'] });
    const a = await addRule(t, 'A', 0);
    const b = await addRule(t, 'B', 0);
    const c = await addRule(t, 'C', 0);
    await request(t.app)
      .put('/api/routing/rules/order')
      .send({ order: [c.id, a.id, b.id] })
      .expect(200);
    expect(await namesByPriority(t)).toEqual(['C:2', 'A:1', 'B:0']);
  });

  it('when the order misses, repeats or invents a rule, or is not a list, then 400 names the field and nothing changes', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com', groups: ['dach'] });
    const a = await addRule(t, 'A', 300);
    const b = await addRule(t, 'B', 200);
    const cases: Array<[unknown, string]> = [
      [{ order: [a.id] }, 'order'],
      [{ order: [a.id, a.id] }, 'order.1'],
      [{ order: [a.id, 'rule_nope'] }, 'order.1'],
      [{ order: 'x' }, 'order'],
      [{ order: [a.id, b.id], extra: 1 }, 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await request(t.app)
        .put('/api/routing/rules/order')
        .send(body as object);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.field, JSON.stringify(body)).toBe(field);
    }
    expect(await namesByPriority(t)).toEqual(['A:300', 'B:200']);
  });
});
