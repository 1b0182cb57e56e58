import { ValidationError } from '../errors.js';
import type { BranchRequest, BranchResponse } from '../records/chat-widget-api.js';
import type { ChatStore } from '../store/types.js';
import { isKnownVisitor } from './audience.js';
import { evaluateConditionCard } from './branch-conditions.js';
import { publishedContent } from './event-card.js';
import type { PublishedChat } from './chat-public-document.js';
import { identifyVisitor, type IdentifyDeps } from './visitor-identity.js';

/**
 * POST /chat/branch: which way a condition card goes for this visitor. The visitor is identified
 * as /chat/resolve does (visitor-identity.ts): lead conditions and `known` read the lead only
 * for a visitor Marketo knows by cookie; a typed email is no known lead, so a visitor cannot
 * read another's lead data by typing their address and watching the branch. Answers are the
 * widget's own copy: they decide the visitor's own path and are written nowhere.
 *
 * As for events, the dialogue must be published (a conversation under way finishes even if the
 * dialogue is switched off meanwhile), the version one that was published, and the card a
 * condition card of the published content.
 */
export async function branchNext(
  deps: IdentifyDeps & { store: Pick<ChatStore, 'getDialogue'> },
  published: PublishedChat,
  request: BranchRequest,
): Promise<BranchResponse> {
  const dialogue = await deps.store.getDialogue(request.dialogueId);
  if (!dialogue?.published) {
    throw new ValidationError('dialogueId: no published dialogue has this id', 'dialogueId');
  }
  if (request.dialogueVersion > dialogue.published.version) {
    throw new ValidationError(
      'dialogueVersion: this version was never published',
      'dialogueVersion',
    );
  }
  const content = publishedContent(dialogue.published, dialogue.earlier, request.dialogueVersion);
  const card = content.cards.find((c) => c.id === request.cardId);
  if (card?.type !== 'condition') {
    throw new ValidationError('cardId: the dialogue has no condition card with this id', 'cardId');
  }
  const identity = await identifyVisitor(deps, published.configuration, request.visitor);
  const next = evaluateConditionCard(card, {
    lead: identity.audienceLead,
    known: isKnownVisitor(identity.audienceLead),
    answers: request.answers,
  });
  return { next };
}
