import { isKnownVisitor } from './audience.js';
import type { ResolveRequest, ResolveResponse } from '../records/chat-widget-api.js';
import {
  personalise,
  type PublicDialogue,
  type PublishedChat,
  type ServedDialogue,
} from './chat-public-document.js';
import { selectDialogue } from './targeting.js';
import {
  identifyVisitor,
  mayBeIdentified,
  type IdentifyDeps,
  type VisitorIdentity,
} from './visitor-identity.js';
import type { VisitorCompletions } from './visitor-completions.js';

export interface ResolveDeps extends IdentifyDeps {
  completions: VisitorCompletions;
}

/**
 * POST /chat/resolve: which dialogue this visitor sees on this page, with its lead tokens filled
 * in for this visitor only. Reads memory (the published chat, the local lead copy, the visitor
 * links) and, for a Munchkin cookie not seen lately, asks Marketo who it is, waiting a moment at
 * most (visitor-identity.ts); no store write.
 *
 * Stored lead data (tokens, audiences on fields, "known visitors") is used only for a visitor
 * Marketo identifies by cookie. A typed email is echoed in `{{lead.email}}` and nothing more.
 */
export async function resolveDialogue(
  deps: ResolveDeps,
  published: PublishedChat,
  request: ResolveRequest,
): Promise<ResolveResponse> {
  const identity = await identifyVisitor(deps, published.configuration, request.visitor);
  const known = isKnownVisitor(identity.audienceLead);
  if (request.dialogueId !== undefined) {
    return { ...resolveFlow(published, request, identity), known };
  }
  const candidates = published.candidatesFor(request.pageUrl);
  const { chosen } = selectDialogue({
    dialogues: candidates,
    chatEnabled: published.configuration.chatEnabled,
    pageUrl: request.pageUrl,
    lead: identity.audienceLead,
    skip: deps.completions.skipFor(request.visitor.anonymousId),
  });
  const served = chosen === null ? undefined : published.served.get(chosen.id);
  if (served === undefined) {
    return { dialogue: null, reason: publicReason(published, candidates.length), known };
  }
  return { dialogue: servedFor(served, identity), known };
}

/** The served dialogue with this visitor's tokens (defaults for whom we may not personalise). */
function servedFor(served: ServedDialogue, identity: VisitorIdentity): PublicDialogue {
  return !served.tokenised || identity.tokenLead === undefined
    ? served.anonymous
    : personalise(served.plain, identity.tokenLead, served.tokenCards);
}

/**
 * A conversational flow: the dialogue the page asked for by id (window.MarketoChat.open(id), a
 * `data-marketo-chat` link), when it is published and switched on, the page is one of its pages
 * and the visitor is in its audience: the same checks as any dialogue, its priority aside. A
 * completed flow may be opened again (the visitor asked for it); the reasons reveal no audience.
 */
function resolveFlow(
  published: PublishedChat,
  request: ResolveRequest,
  identity: VisitorIdentity,
): Pick<ResolveResponse, 'dialogue' | 'reason'> {
  const wanted = published.targetable.find((d) => d.id === request.dialogueId);
  const served = wanted === undefined ? undefined : published.served.get(wanted.id);
  if (!published.configuration.chatEnabled) return { dialogue: null, reason: 'chat disabled' };
  if (wanted === undefined || served === undefined) {
    return { dialogue: null, reason: 'dialogue not published or switched off' };
  }
  const { chosen, reasons } = selectDialogue({
    dialogues: [wanted],
    chatEnabled: true,
    pageUrl: request.pageUrl,
    lead: identity.audienceLead,
  });
  if (chosen === null) {
    const why = reasons[0]?.reason ?? '';
    return {
      dialogue: null,
      reason: why.startsWith('page')
        ? 'dialogue not offered on this page'
        : 'dialogue not offered to this visitor',
    };
  }
  return { dialogue: servedFor(served, identity) };
}

/** Most page URLs whose anonymous answer is kept per revision (the URL is the caller's). */
const MAX_ANONYMOUS_ANSWERS = 5000;

/**
 * resolveDialogue, serialised. Most visitors are anonymous, and for one who is (no cookie to
 * ask about, no email) and has completed nothing here, the answer depends only on the page and
 * the revision: it is computed once per page and served as is after that.
 */
export async function resolveDialogueJson(
  deps: ResolveDeps,
  published: PublishedChat,
  request: ResolveRequest,
): Promise<string> {
  const { visitor } = request;
  // A flow's answer is its own: keyed by the dialogue asked for as well as the page.
  const cacheKey =
    request.dialogueId === undefined ? request.pageUrl : `${request.dialogueId} ${request.pageUrl}`;
  const anonymous =
    deps.completions.skipFor(visitor.anonymousId) === undefined &&
    !(await mayBeIdentified(deps, visitor));
  if (!anonymous) return JSON.stringify(await resolveDialogue(deps, published, request));
  let answer = published.anonymousAnswers.get(cacheKey);
  if (answer === undefined) {
    answer = JSON.stringify(await resolveDialogue(deps, published, request));
    if (published.anonymousAnswers.size >= MAX_ANONYMOUS_ANSWERS)
      published.anonymousAnswers.clear();
    published.anonymousAnswers.set(cacheKey, answer);
  }
  return answer;
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
