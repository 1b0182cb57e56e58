import { Router } from 'express';
import { parseInput } from '../http/parse-input.js';
import type { Clock, Ids } from '../deps.js';
import { AppError } from '../errors.js';
import {
  routingRuleInputSchema,
  type Agent,
  type RoutingRule,
} from '../records/meeting-contract.js';
import type { AgentStore, MeetingStore, RoutingRuleStore } from '../store/meeting-store-types.js';
import type { RoutingStore } from '../store/types.js';
import { outOfOfficeAt } from './agent-limits.js';
import { routingAgentAt, unroutableReason } from './meeting-routing.js';
import { pointerOf } from './rotation-state.js';
import { walkRotation } from './weighted-rotation.js';
import { routingSettingsSchema } from '../records/routing-settings.js';
import { countAgentTotals } from './routing-totals.js';
import { checkRuleOrder, ruleOrderSchema, saveRuleOrder } from './rule-order.js';

/** PUT /api/routing/settings: the settings, no unknown key (the OpenAPI document reads it too). */
export const routingSettingsInputSchema = routingSettingsSchema.strict();

export interface RoutingAdminDeps {
  store: AgentStore & RoutingRuleStore & RoutingStore & Pick<MeetingStore, 'listMeetings'>;
  clock: Clock;
  ids: Ids;
}

/**
 * /api/routing: the rotation's order, who is next, what each agent was given (meetings booked,
 * held, to come, cancelled, no-show; assignments; what round robin counted: routing-totals.ts),
 * the settings and the custom rules, with each agent's weight, caps and whether they are out of
 * office now. "Next" is the next agent, by weight, who can take meetings now; whether they are
 * free at a given time is decided per booking (a busy agent is skipped, keeping their place).
 */
export function createRoutingAdminRoutes(deps: RoutingAdminDeps): Router {
  const router = Router();
  const { store } = deps;

  router.get('/routing', async (_req, res) => {
    const [agents, rotation, meetings, settings, rules] = await Promise.all([
      store.listAgents(),
      store.rotationState(),
      store.listMeetings(),
      store.routingSettings(),
      store.listRoutingRules(),
    ]);
    const now = deps.clock.now();
    const next = nextInRotation(agents, rotation, now);
    const totals = countAgentTotals(
      agents.map((agent) => agent.id),
      meetings,
      rotation,
    );
    res.json({
      order: agents.map((agent) => ({
        id: agent.id,
        name: agent.name,
        email: agent.email,
        ...routability(agent),
        weight: agent.weight ?? 1,
        maxMeetingsPerDay: agent.maxMeetingsPerDay ?? null,
        maxMeetingsPerWeek: agent.maxMeetingsPerWeek ?? null,
        outOfOfficeNow: outOfOfficeAt(agent, now),
        ...totals.get(agent.id),
      })),
      lastAgentId: rotation.lastAgentId ?? null,
      next: next === undefined ? null : { id: next.id, name: next.name, email: next.email },
      pools: rotation.pointers ?? {},
      /** `routed` by agent id, agents deleted since included. */
      routed: rotation.totals,
      settings,
      rules,
    });
  });

  router.get('/routing/settings', async (_req, res) => {
    res.json(await store.routingSettings());
  });

  router.put('/routing/settings', async (req, res) => {
    const settings = parseInput(routingSettingsInputSchema, req.body, 'routing settings');
    res.json(await store.saveRoutingSettings(settings));
  });

  router.get('/routing/rules', async (_req, res) => {
    res.json({ rules: await store.listRoutingRules() });
  });

  router.post('/routing/rules', async (req, res) => {
    const input = parseInput(routingRuleInputSchema, req.body, 'routing rule');
    await checkTargets(store, input.target);
    const now = deps.clock.now();
    const rule: RoutingRule = {
      id: `rule_${deps.ids.next().replace(/-/g, '').slice(0, 12)}`,
      ...input,
      createdAt: now,
      updatedAt: now,
    };
    await store.saveRoutingRule(rule);
    res.status(201).json(rule);
  });

  /** The rules in a new order, highest priority first: every rule's id once. */
  router.put('/routing/rules/order', async (req, res) => {
    const { order } = parseInput(ruleOrderSchema, req.body, 'rule order');
    const rules = await store.listRoutingRules();
    checkRuleOrder(order, rules);
    const now = deps.clock.now();
    const saved = await saveRuleOrder(order, rules, (rule) => store.saveRoutingRule(rule), now);
    res.json({ rules: saved });
  });

  router.put('/routing/rules/:id', async (req, res) => {
    const current = await store.getRoutingRule(req.params.id);
    if (current === undefined)
      throw new AppError('NOT_FOUND', `No rule ${req.params.id}`, { httpStatus: 404 });
    const input = parseInput(routingRuleInputSchema, req.body, 'routing rule');
    await checkTargets(store, input.target);
    const rule: RoutingRule = { ...current, ...input, updatedAt: deps.clock.now() };
    await store.saveRoutingRule(rule);
    res.json(rule);
  });

  router.delete('/routing/rules/:id', async (req, res) => {
    if (!(await store.deleteRoutingRule(req.params.id))) {
      throw new AppError('NOT_FOUND', `No rule ${req.params.id}`, { httpStatus: 404 });
    }
    res.status(204).end();
  });

  return router;
}

async function checkTargets(store: AgentStore, target: RoutingRule['target']): Promise<void> {
  if (!('agentIds' in target)) return;
  const found = await Promise.all(target.agentIds.map((id) => store.getAgent(id)));
  const index = found.findIndex((agent) => agent === undefined);
  if (index !== -1) {
    throw new AppError(
      'VALIDATION_FAILED',
      `target.agentIds.${index}: no agent ${target.agentIds[index]}`,
      {
        httpStatus: 400,
        field: `target.agentIds.${index}`,
      },
    );
  }
}

/**
 * Who the default rotation would give the next turn to now, by weight, passing agents who
 * cannot take meetings or are out of office now (a booking also checks the slot's time).
 */
function nextInRotation(
  agents: readonly Agent[],
  rotation: Awaited<ReturnType<RoutingStore['rotationState']>>,
  now: number,
): Agent | undefined {
  const pool = agents.map(routingAgentAt(now));
  const active = new Set(pool.filter((a) => a.active).map((a) => a.id));
  const walk = walkRotation({
    members: pool,
    pointer: pointerOf(rotation, 'default'),
    seats: rotation.seats?.['default'],
    unavailable: (id) => (active.has(id) ? undefined : 'unavailable'),
  });
  return agents.find((agent) => agent.id === walk.picked);
}

function routability(agent: Agent): { routable: boolean; reason?: string } {
  const reason = unroutableReason(agent);
  return reason === undefined ? { routable: true } : { routable: false, reason };
}
