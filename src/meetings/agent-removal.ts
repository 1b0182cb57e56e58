import type { Dialogue } from '../records/chat-dialogue.js';
import { AppError } from '../errors.js';
import type {
  AccountRoutingStore,
  MeetingStore,
  RoutingRuleStore,
} from '../store/meeting-store-types.js';
import type { ChatStore } from '../store/types.js';
import type { Agent } from '../records/meeting-contract.js';

export type AgentRemovalStore = Pick<MeetingStore, 'agentMeetings'> &
  Pick<RoutingRuleStore, 'listRoutingRules'> &
  Pick<AccountRoutingStore, 'listAccountRoutes'> &
  Pick<ChatStore, 'listDialogues'>;

/**
 * Whether an agent may be deleted: not while meetings are to come, routing rules target the
 * agent, the account list names the agent, or a dialogue's booking card names the agent's email. Each of those would fail later
 * and out of sight: a rule with no one to route to, a booking card whose every visitor is
 * refused (GET /chat/slots answers "no agent") and whose republish is refused.
 */
export async function assertAgentRemovable(
  store: AgentRemovalStore,
  agent: Agent,
  now: number,
): Promise<void> {
  const [meetings, allRules, accounts, dialogues] = await Promise.all([
    store.agentMeetings(agent.id, now, Number.MAX_SAFE_INTEGER),
    store.listRoutingRules(),
    store.listAccountRoutes(),
    store.listDialogues(),
  ]);
  const upcoming = meetings.filter((m) => m.end > now);
  if (upcoming.length > 0) {
    throw new AppError(
      'AGENT_HAS_MEETINGS',
      `Agent ${agent.id} has ${upcoming.length} meeting(s) to come: cancel or move them, or set the agent inactive`,
      { httpStatus: 409 },
    );
  }
  const rules = allRules.filter(
    (r) => 'agentIds' in r.target && r.target.agentIds.includes(agent.id),
  );
  if (rules.length > 0) {
    throw new AppError(
      'AGENT_IN_RULES',
      `Agent ${agent.id} is a target of routing rule(s) ${rules.map((r) => r.id).join(', ')}: change them first`,
      { httpStatus: 409 },
    );
  }
  const owned = accounts.filter((route) => route.agentId === agent.id).map((r) => r.match);
  if (owned.length > 0) {
    const shown = owned.slice(0, 5).join(', ') + (owned.length > 5 ? ', …' : '');
    throw new AppError(
      'AGENT_IN_ACCOUNTS',
      `Agent ${agent.id} owns ${owned.length} account(s) on the account list (${shown}): upload the list without them first`,
      { httpStatus: 409, details: { accounts: owned } },
    );
  }
  assertNoDialogueNames(dialogues, agent, 'deleted');
}

/**
 * Whether an agent's email may change to `email`: booking cards name their agent by email
 * (chat-cards.ts), so a new address orphans every card that names the old one. The same
 * address in another case is the same agent (emails are stored lower case).
 */
export async function assertAgentEmailChangeable(
  store: AgentRemovalStore,
  agent: Agent,
  email: string | undefined,
): Promise<void> {
  if (email === undefined || email.toLowerCase() === agent.email.toLowerCase()) return;
  assertNoDialogueNames(await store.listDialogues(), agent, 'given another email');
}

function assertNoDialogueNames(all: readonly Dialogue[], agent: Agent, change: string): void {
  const dialogues = dialoguesNaming(all, agent.email);
  if (dialogues.length === 0) return;
  const list = dialogues.map((d) => `${d.id} (${d.name})`).join(', ');
  throw new AppError(
    'AGENT_IN_DIALOGUES',
    `Agent ${agent.id} is named by the booking card of dialogue(s) ${list}: route those cards round robin or to another agent (and republish) before the agent is ${change}`,
    { httpStatus: 409, details: { dialogues } },
  );
}

/** Dialogues whose draft or published version routes a booking to `email`. */
function dialoguesNaming(
  dialogues: readonly Dialogue[],
  email: string,
): Array<{ id: string; name: string }> {
  const wanted = email.toLowerCase();
  const names = (content: Dialogue['draft'] | undefined): boolean =>
    content?.cards.some(
      (card) =>
        card.type === 'booking' &&
        card.routing === 'agent' &&
        card.agentEmail?.toLowerCase() === wanted,
    ) ?? false;
  return dialogues
    .filter((d) => names(d.draft) || names(d.published?.content))
    .map((d) => ({ id: d.id, name: d.draft.name }));
}
