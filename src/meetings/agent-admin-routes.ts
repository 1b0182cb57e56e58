import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../http/parse-input.js';
import type { OAuthConnect } from '../calendar/oauth-connect.js';
import type { Ids } from '../deps.js';
import type { AgentRemovalStore } from './agent-removal.js';
import { AppError } from '../errors.js';
import { assertAgentEmailChangeable, assertAgentRemovable } from './agent-removal.js';
import { slotQuerySchema } from './booking-contract.js';
import { agentInputSchema, agentPatchSchema, type Agent } from '../records/meeting-contract.js';
import { listSlots, type SlotDeps } from './meeting-slots.js';
import { assertMeetingTypes } from './meeting-types.js';

export type AgentAdminDeps = SlotDeps & {
  store: SlotDeps['store'] & AgentRemovalStore;
  ids: Ids;
  oauth: OAuthConnect;
};

/** The agent as the admin API shows it: the calendar's state, never its ciphertext. */
export function toAdminAgent(agent: Agent) {
  const { encryptedRefreshToken: _sealed, ...calendar } = agent.calendar;
  return { ...agent, calendar: { ...calendar, hasGrant: _sealed !== undefined } };
}

export const connectSchema = z.object({ provider: z.enum(['google', 'microsoft', 'local']) });
export const orderSchema = z.object({ order: z.array(z.string().min(1)).min(1) });

/**
 * /api/agents: the sales agents meetings are routed to (Dynamic Chat's agent settings), their
 * rotation order, their calendar connection and their free slots.
 */
export function createAgentAdminRoutes(deps: AgentAdminDeps): Router {
  const router = Router();
  const { store } = deps;
  const requireAgent = async (id: string): Promise<Agent> => {
    const agent = await store.getAgent(id);
    if (agent === undefined) throw new AppError('NOT_FOUND', `No agent ${id}`, { httpStatus: 404 });
    return agent;
  };

  router.get('/agents', async (_req, res) => {
    res.json({ agents: (await store.listAgents()).map(toAdminAgent) });
  });

  router.post('/agents', async (req, res) => {
    const input = parseInput(agentInputSchema, req.body, 'agent');
    assertMeetingTypes(undefined, input.meetingTypes, await store.listAgents());
    const now = deps.clock.now();
    const agent: Agent = {
      id: `agt_${deps.ids.next().replace(/-/g, '').slice(0, 16)}`,
      ...input,
      calendar: { provider: 'local', status: 'connected', connectedAt: now },
      createdAt: now,
      updatedAt: now,
    };
    await store.saveAgent(agent);
    res.status(201).json(toAdminAgent(agent));
  });

  router.put('/agents/order', async (req, res) => {
    const { order } = parseInput(orderSchema, req.body, 'agent order');
    await store.reorderAgents(order);
    res.json({ agents: (await store.listAgents()).map(toAdminAgent) });
  });

  router.get('/agents/:id', async (req, res) => {
    res.json(toAdminAgent(await requireAgent(req.params.id)));
  });

  router.patch('/agents/:id', async (req, res) => {
    const existing = await requireAgent(req.params.id);
    const patch = parseInput(agentPatchSchema, req.body, 'agent');
    assertMeetingTypes(existing.id, patch.meetingTypes, await store.listAgents());
    await assertAgentEmailChangeable(store, existing, patch.email);
    const now = deps.clock.now();
    const agent = await store.updateAgent(req.params.id, (current) => ({
      ...current,
      ...patch,
      updatedAt: now,
    }));
    res.json(toAdminAgent(agent));
  });

  /**
   * Refused while the agent has meetings to come, is a target of routing rules or is named by a
   * dialogue's booking card (agent-removal.ts); the calendar grant is revoked and its ciphertext deleted with the agent.
   */
  router.delete('/agents/:id', async (req, res) => {
    const agent = await requireAgent(req.params.id);
    await assertAgentRemovable(store, agent, deps.clock.now());
    // Out of routing first, so no booking lands on the agent while the grant is revoked.
    await store.updateAgent(agent.id, (current) => ({ ...current, active: false }));
    if (agent.calendar.provider !== 'local') await deps.oauth.disconnect(agent.id);
    await store.deleteAgent(agent.id);
    res.status(204).end();
  });

  router.get('/agents/:id/availability', async (req, res) => {
    const agent = await requireAgent(req.params.id);
    const query = parseInput(slotQuerySchema, { ...req.query, agentId: agent.id }, 'slot query');
    res.json(await listSlots(deps, query));
  });

  /** `{ provider }`: google or microsoft answer the URL to open; local switches to the built-in calendar. */
  router.post('/agents/:id/calendar/connect', async (req, res) => {
    const agent = await requireAgent(req.params.id);
    const { provider } = parseInput(connectSchema, req.body, 'calendar connection');
    if (provider === 'local') {
      res.json({ agent: toAdminAgent(await deps.oauth.disconnect(agent.id)) });
      return;
    }
    res.json(await deps.oauth.start(agent.id, provider));
  });

  /** Revokes the grant, deletes the ciphertext, and puts the agent on the built-in calendar. */
  router.post('/agents/:id/calendar/disconnect', async (req, res) => {
    const agent = await requireAgent(req.params.id);
    res.json({ agent: toAdminAgent(await deps.oauth.disconnect(agent.id)) });
  });

  return router;
}
