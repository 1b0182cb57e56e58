import { invalidInput, type InputIssue } from '../http/parse-input.js';
import { ValidationError } from '../errors.js';
import type { Agent, MeetingType } from '../records/meeting-contract.js';

/**
 * Meeting types (Calendly's event types, cal.com's event lengths, HubSpot's meeting durations):
 * an agent offers several lengths under their own names, e.g. `intro` "15-minute intro" and
 * `demo` "45-minute demo"; the visitor picks one and gets slots of that length from the agents
 * who offer it. An agent without types offers one meeting, `meetingMinutes` long, and a request
 * without a type gets every agent's own `meetingMinutes` as before.
 *
 * One id means one meeting across the team: the admin API refuses a type whose id another
 * agent defines with another name or length (assertMeetingTypes), so the pool's list of types
 * (a union by id) and its slots never disagree. Records written otherwise (an import) still
 * work: the first agent in rotation order names the type in the list, and each agent's slots
 * and meetings take that agent's own length.
 */

/** The type `id` as `agent` offers it, or undefined. */
export function offeredType(agent: Agent, id: string): MeetingType | undefined {
  return (agent.meetingTypes ?? []).find((type) => type.id === id);
}

/** The agent as slot rules see them for a meeting `minutes` long (its own length otherwise). */
export function withLength(agent: Agent, minutes: number): Agent {
  return minutes === agent.meetingMinutes ? agent : { ...agent, meetingMinutes: minutes };
}

/** The agent as slot rules see them for the type `id` (asked and offered), or as they are. */
export function agentForType(agent: Agent, id: string | undefined): Agent {
  const type = id === undefined ? undefined : offeredType(agent, id);
  return type === undefined ? agent : withLength(agent, type.minutes);
}

/** Every type the agents offer, by id, in rotation order; the first agent's definition wins. */
export function meetingTypesOf(agents: readonly Agent[]): MeetingType[] {
  const byId = new Map<string, MeetingType>();
  for (const agent of agents) {
    for (const type of agent.meetingTypes ?? []) {
      if (!byId.has(type.id))
        byId.set(type.id, { id: type.id, name: type.name, minutes: type.minutes });
    }
  }
  return [...byId.values()];
}

/**
 * The agents that offer the type `id` (all of them when no type is asked); 400 naming
 * `meetingType` when none does, or when the named agent does not.
 */
export function agentsOfferingType(
  agents: readonly Agent[],
  id: string | undefined,
  namedAgentId?: string,
): Agent[] {
  if (id === undefined) return [...agents];
  const offering = agents.filter((agent) => offeredType(agent, id) !== undefined);
  if (namedAgentId !== undefined && !offering.some((agent) => agent.id === namedAgentId)) {
    throw new ValidationError(
      `meetingType: the agent asked for does not offer meeting type ${id}`,
      'meetingType',
    );
  }
  if (offering.length === 0) {
    throw new ValidationError(`meetingType: no agent offers meeting type ${id}`, 'meetingType');
  }
  return offering;
}

/**
 * The admin API's check of an agent's types (create and patch): ids unique within the agent,
 * and each id defined as every other agent defines it (same name, same minutes). 400 naming
 * each bad `meetingTypes.<i>.id`.
 */
export function assertMeetingTypes(
  agentId: string | undefined,
  types: readonly MeetingType[] | undefined,
  others: readonly Agent[],
): void {
  if (types === undefined || types.length === 0) return;
  const issues: InputIssue[] = [];
  const seen = new Set<string>();
  for (const [index, type] of types.entries()) {
    const field = `meetingTypes.${index}.id`;
    if (seen.has(type.id)) {
      issues.push({ field, message: `${type.id} is listed twice: ids are unique per agent` });
      continue;
    }
    seen.add(type.id);
    const clash = others
      .filter((agent) => agent.id !== agentId)
      .flatMap((agent) => {
        const theirs = offeredType(agent, type.id);
        return theirs !== undefined &&
          (theirs.name !== type.name || theirs.minutes !== type.minutes)
          ? [{ agent, theirs }]
          : [];
      })[0];
    if (clash !== undefined) {
      issues.push({
        field,
        message:
          `${clash.agent.name} offers ${type.id} as "${clash.theirs.name}", ` +
          `${clash.theirs.minutes} minutes: one id is one meeting across agents`,
      });
    }
  }
  if (issues.length > 0) throw invalidInput('Invalid agent', issues);
}
