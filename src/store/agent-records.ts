import { AppError } from '../errors.js';
import {
  agentSchema,
  routingRuleSchema,
  type Agent,
  type RoutingRule,
} from '../records/meeting-contract.js';
import { oauthStateSchema, type OAuthState } from '../records/oauth-state.js';
import { accountRoutesSchema, type AccountRoute } from '../records/account-routing.js';
import type { Changed } from './document-db.js';
import { deepFreeze } from './document-snapshot.js';
import { refuseInvalid } from './record-validation.js';
import type { StoreDocument } from './store-document.js';

/**
 * Agents (in rotation order), routing rules and OAuth connects in progress, in the store
 * document. Every method that changes something is a synchronous mutator for
 * `DocumentDb.update(IfChanged)`, so a check and its write (an email taken? a state used?)
 * happen in one event-loop turn. Values are frozen and replaced, never changed in place.
 */
export class AgentRecords {
  private readonly doc: StoreDocument;

  constructor(doc: StoreDocument) {
    this.doc = doc;
  }

  /* Agents --------------------------------------------------------------------------------- */

  listAgents(): Agent[] {
    return [...this.doc.agents.values()];
  }

  getAgent(id: string): Agent | undefined {
    return this.doc.agents.get(id);
  }

  findAgentByEmail(email: string): Agent | undefined {
    const wanted = email.toLowerCase();
    for (const agent of this.doc.agents.values()) if (agent.email === wanted) return agent;
    return undefined;
  }

  saveAgent(input: Agent): Changed<void> {
    const agent = deepFreeze(refuseInvalid(agentSchema, input, 'agent'));
    const other = this.findAgentByEmail(agent.email);
    if (other !== undefined && other.id !== agent.id) {
      throw new AppError(
        'AGENT_EMAIL_TAKEN',
        `Agent ${other.id} already has email ${agent.email}`,
        {
          httpStatus: 409,
          field: 'email',
        },
      );
    }
    this.doc.agents.set(agent.id, agent);
    return { result: undefined, changed: true };
  }

  updateAgent(id: string, change: (agent: Agent) => Agent): Changed<Agent> {
    const current = this.doc.agents.get(id);
    if (current === undefined)
      throw new AppError('NOT_FOUND', `No agent ${id}`, { httpStatus: 404 });
    const next = change(current);
    if (next === current) return { result: current, changed: false };
    this.saveAgent({ ...next, id });
    return { result: this.doc.agents.get(id)!, changed: true };
  }

  deleteAgent(id: string): Changed<boolean> {
    const deleted = this.doc.agents.delete(id);
    return { result: deleted, changed: deleted };
  }

  reorderAgents(ids: string[]): Changed<void> {
    const { agents } = this.doc;
    const unique = new Set(ids);
    if (
      unique.size !== ids.length ||
      ids.length !== agents.size ||
      ids.some((id) => !agents.has(id))
    ) {
      throw new AppError('VALIDATION_FAILED', 'order must list every agent id exactly once', {
        httpStatus: 400,
        field: 'order',
      });
    }
    const ordered = ids.map((id) => agents.get(id)!);
    agents.clear();
    for (const agent of ordered) agents.set(agent.id, agent);
    return { result: undefined, changed: true };
  }

  /* Routing rules -------------------------------------------------------------------------- */

  listRules(): RoutingRule[] {
    return [...this.doc.routingRules.values()].sort(
      (a, b) => b.priority - a.priority || a.createdAt - b.createdAt || a.id.localeCompare(b.id),
    );
  }

  getRule(id: string): RoutingRule | undefined {
    return this.doc.routingRules.get(id);
  }

  saveRule(input: RoutingRule): Changed<void> {
    const rule = deepFreeze(refuseInvalid(routingRuleSchema, input, 'routing rule'));
    this.doc.routingRules.set(rule.id, rule);
    return { result: undefined, changed: true };
  }

  deleteRule(id: string): Changed<boolean> {
    const deleted = this.doc.routingRules.delete(id);
    return { result: deleted, changed: deleted };
  }

  /* Account routing: one frozen array, replaced whole ---------------------------------------- */

  listAccountRoutes(): AccountRoute[] {
    return [...this.doc.accountRoutes];
  }

  replaceAccountRoutes(input: AccountRoute[]): Changed<void> {
    this.doc.accountRoutes = deepFreeze(refuseInvalid(accountRoutesSchema, input, 'account list'));
    return { result: undefined, changed: true };
  }

  /* OAuth states --------------------------------------------------------------------------- */

  saveOAuthState(input: OAuthState): Changed<void> {
    const state = deepFreeze(refuseInvalid(oauthStateSchema, input, 'oauth state'));
    this.doc.oauthStates.set(state.state, state);
    return { result: undefined, changed: true };
  }

  consumeOAuthState(state: string, now: number): Changed<OAuthState | undefined> {
    const { oauthStates } = this.doc;
    const found = oauthStates.get(state);
    let changed = oauthStates.delete(state);
    for (const [key, value] of oauthStates) {
      if (value.expiresAt <= now) changed = oauthStates.delete(key) || changed;
    }
    const usable = found !== undefined && found.expiresAt > now ? found : undefined;
    return { result: usable, changed };
  }
}
