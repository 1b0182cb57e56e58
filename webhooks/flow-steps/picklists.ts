import { z } from 'zod';
import { ValidationError } from '../../src/errors.js';
import type { RoutingAgent } from '../../src/store/types.js';

/** Adobe SPI, /getPicklist: "A maximum of 1000 choices per field are supported at this time." */
export const MAX_PICKLIST_CHOICES = 1_000;

/** The `routingPool` value for the whole rotation, round robin. */
export const ALL_AGENTS_POOL = 'all';
/** `agent:<id>`: a pool of one, for campaigns that send their leads to one agent. */
export const DIRECT_AGENT_PREFIX = 'agent:';

/** CFA-Swagger.yaml `getPicklistRequest`. */
export const picklistRequestSchema = z.object({
  name: z.string().min(1).max(255),
  type: z.enum(['flow', 'global', 'header']),
});

export interface PicklistChoice {
  displayValue: { en_US: string };
  submittedValue: string;
}

/**
 * Choices for a parameter with a picklistUrl (CFA-Swagger.yaml `picklistObject`). Marketo polls
 * this nightly for each such parameter and when a user refreshes (marketo-facts §6). Agents come
 * from the rotation as configured now, so the list follows ROUTING_AGENTS without a reinstall.
 */
export function picklistChoices(body: unknown, agents: readonly RoutingAgent[]): PicklistChoice[] {
  const parsed = picklistRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.') || 'body';
    throw new ValidationError(`${field}: ${issue.message}`, field);
  }
  const { name, type } = parsed.data;
  if (name !== 'routingPool' || type !== 'flow') {
    throw new ValidationError(`name: no picklist for ${type} parameter "${name}"`, 'name');
  }
  const choices: PicklistChoice[] = [
    {
      displayValue: { en_US: 'All active agents (round robin)' },
      submittedValue: ALL_AGENTS_POOL,
    },
    ...agents
      .filter((a) => a.active)
      .map((a) => ({
        displayValue: { en_US: `Only ${a.name} (${a.email})`.slice(0, 255) },
        submittedValue: `${DIRECT_AGENT_PREFIX}${a.id}`,
      })),
  ];
  return choices.slice(0, MAX_PICKLIST_CHOICES);
}
