import type { ChatStore, LeadStore } from '../store/types.js';
import { isKnownVisitor } from './audience.js';
import type { ResolveRequest, ResolveResponse } from './chat-contract.js';
import { personalise, type PublishedChat } from './chat-public-document.js';
import { selectDialogue } from './targeting.js';
import { identifyVisitor } from './visitor-identity.js';
import type { VisitorCompletions } from './visitor-completions.js';

export interface ResolveDeps {
  store: Pick<ChatStore, 'findVisitorEmail'> & Pick<LeadStore, 'findLeadsByEmail'>;
  completions: VisitorCompletions;
}

/**
 * POST /chat/resolve: which dialogue this visitor sees on this page, with its lead tokens filled
 * in for this visitor only. Reads memory only (the published chat, the local lead copy, the
 * visitor links): no Marketo call, no store write.
 */
export function resolveDialogue(
  deps: ResolveDeps,
  published: PublishedChat,
  request: ResolveRequest,
): ResolveResponse {
  const identity = identifyVisitor(deps.store, request.visitor);
  const known = isKnownVisitor(identity.lead);
  const candidates = published.candidatesFor(request.pageUrl);
  const { chosen } = selectDialogue({
    dialogues: candidates,
    chatEnabled: published.configuration.chatEnabled,
    pageUrl: request.pageUrl,
    lead: identity.lead,
    skip: deps.completions.skipFor(request.visitor.anonymousId),
  });
  const served = chosen === null ? undefined : published.served.get(chosen.id);
  if (served === undefined) {
    return { dialogue: null, reason: publicReason(published, candidates.length), known };
  }
  const dialogue = !served.tokenised
    ? served.plain
    : identity.linked && identity.lead !== undefined
      ? personalise(served.plain, identity.lead)
      : served.anonymous;
  return { dialogue, known };
}

/**
 * Why nothing is shown, in terms that reveal nothing of the audiences (the preview in the admin
 * API gives the detailed reasons): chat off, nothing published, no dialogue for this page, or
 * none for this visitor (audience, or completed already).
 */
function publicReason(published: PublishedChat, onThisPage: number): string {
  if (!published.configuration.chatEnabled) return 'chat disabled';
  if (published.targetable.length === 0) return 'no dialogue published';
  if (onThisPage === 0) return 'no dialogue for this page';
  return 'no dialogue for this visitor';
}
