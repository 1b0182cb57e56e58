import type { Clock, Ids } from '../deps.js';
import type { Logger } from '../logger.js';
import type { AgentStore } from '../store/meeting-store-types.js';
import { agentInputSchema, type Agent } from '../records/meeting-contract.js';

/** Time zones of the demo agents: a rotation that covers most of the day, on the local calendar. */
const DEMO_TIME_ZONES = [
  'America/New_York',
  'Europe/London',
  'Europe/Berlin',
  'Asia/Singapore',
  'America/Los_Angeles',
];

/** The demo agents' meeting types: one id is one meeting across agents (meeting-types.ts). */
const DEMO_MEETING_TYPES = [
  { id: 'intro', name: '15-minute intro', minutes: 15 },
  { id: 'demo', name: '45-minute demo', minutes: 45 },
];

/**
 * Fills an empty agent list once: from ROUTING_AGENTS, or with the demo agents in sandbox mode.
 * Agents are then managed through /api/agents; a non-empty list is never touched, so an admin's
 * changes survive restarts.
 */
export async function seedAgents(
  deps: { store: AgentStore; clock: Clock; ids: Ids; logger: Logger },
  agents: ReadonlyArray<{ name: string; email: string }>,
  options: { demo: boolean },
): Promise<void> {
  if (agents.length === 0 || (await deps.store.listAgents()).length > 0) return;
  const now = deps.clock.now();
  for (const [index, person] of agents.entries()) {
    const input = agentInputSchema.parse({
      name: person.name,
      email: person.email,
      ...(options.demo
        ? {
            timeZone: DEMO_TIME_ZONES[index % DEMO_TIME_ZONES.length],
            minimumNoticeMinutes: 30,
            bufferAfterMinutes: 10,
            // Two meeting types every demo agent offers, so a booking card can offer a choice.
            meetingTypes: DEMO_MEETING_TYPES,
          }
        : {}),
    });
    const agent: Agent = {
      id: `agt_${deps.ids.next().replace(/-/g, '').slice(0, 16)}`,
      ...input,
      calendar: { provider: 'local', status: 'connected', connectedAt: now },
      createdAt: now,
      updatedAt: now,
    };
    await deps.store.saveAgent(agent);
  }
  deps.logger.info(
    { agents: agents.length, demo: options.demo },
    'agents seeded on the built-in calendar',
  );
}
