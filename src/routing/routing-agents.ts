import type { RoutingAgent } from '../store/types.js';

/** Demo agents of sandbox mode, so routing works end to end with no configuration. */
export const DEMO_AGENTS = [
  { name: 'Ana Silva', email: 'ana.silva@example.com' },
  { name: 'Ben Okafor', email: 'ben.okafor@example.com' },
  { name: 'Chen Wei', email: 'chen.wei@example.com' },
  { name: 'Dana Levi', email: 'dana.levi@example.com' },
  { name: 'Eli Moreau', email: 'eli.moreau@example.com' },
];

/** The rotation's agents from configuration; the email is the agent's stable id. */
export function toRoutingAgents(
  agents: ReadonlyArray<{ name: string; email: string }>,
): RoutingAgent[] {
  return agents.map((a) => ({
    id: a.email.toLowerCase(),
    name: a.name,
    email: a.email.toLowerCase(),
    active: true,
  }));
}
