import { accountRoutesSchema, type AccountRoute } from '../records/account-routing.js';
import {
  agentSchema,
  meetingSchema,
  routingRuleSchema,
  type Agent,
  type Meeting,
  type RoutingRule,
} from '../records/meeting-contract.js';
import { oauthStateSchema, type OAuthState } from '../records/oauth-state.js';
import { mapByKey } from './chat-document.js';

/**
 * The meetings' collections in the store document (store-document.ts adds them): agents (in
 * rotation order: a Map keeps insertion order, and so does the file, since ids are never
 * integer-like), meetings, routing rules, pending OAuth connects and the account list. Each has a default, so
 * files written before meetings existed still open.
 */

export const meetingDocumentShape = {
  agents: mapByKey(agentSchema, (agent) => agent.id, 'agent'),
  meetings: mapByKey(meetingSchema, (meeting) => meeting.id, 'meeting'),
  routingRules: mapByKey(routingRuleSchema, (rule) => rule.id, 'routing rule'),
  oauthStates: mapByKey(oauthStateSchema, (state) => state.state, 'oauth state'),
  /** Account routing, in upload order; replaced whole (a frozen array) on every upload. */
  accountRoutes: accountRoutesSchema.default(() => []),
};

export function createEmptyMeetingDocument() {
  return {
    agents: new Map<string, Agent>(),
    meetings: new Map<string, Meeting>(),
    routingRules: new Map<string, RoutingRule>(),
    oauthStates: new Map<string, OAuthState>(),
    accountRoutes: [] as AccountRoute[],
  };
}
