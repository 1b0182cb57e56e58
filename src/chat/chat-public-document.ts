import { createHash } from 'node:crypto';
import type { ChatStore } from '../store/types.js';
import type { ChatConfiguration } from '../records/chat-configuration.js';
import type { Dialogue } from '../records/chat-dialogue.js';
import type { PublishedChatDocument } from '../records/chat-widget-api.js';
import { currentChatConfiguration } from './default-configuration.js';
import { cardTexts, hasTranslatedTokens, personalise } from './dialogue-personalise.js';
import { createOriginPolicy } from './chat-public-cors.js';
import { matchesUrlPattern } from './url-pattern.js';

export type PublicDialogue = PublishedChatDocument['dialogues'][number];

export interface ServedDialogue {
  /** As in the public document: the published version's cards, tokens as written. */
  plain: PublicDialogue;
  /** With every token at its default, for visitors whose lead data we may not use. */
  anonymous: PublicDialogue;
  /** Which cards hold a lead token; none (and none in translations): every visitor gets `plain`. */
  tokenCards: readonly boolean[];
  tokenised: boolean;
}

/** Everything the widget routes serve for one chat revision, built once per revision. */
export interface PublishedChat {
  revision: number;
  /** The full configuration (allowed and blocked domains included): for the server only. */
  configuration: ChatConfiguration;
  /** GET /chat/config's body and its strong ETag. */
  body: Buffer;
  etag: string;
  /** Published and switched-on dialogues, for targeting. */
  targetable: Dialogue[];
  /**
   * The targetable dialogues whose page patterns match `pageUrl`, each given to targeting with
   * its pages already decided (`*`), so audience and precedence are all that is left per call.
   */
  candidatesFor: (pageUrl: string) => Dialogue[];
  served: ReadonlyMap<string, ServedDialogue>;
  /**
   * Resolve answers for anonymous visitors, serialised, by page URL: for them the answer
   * depends on nothing else (see chat-public-resolve.ts). Bounded by the caller.
   */
  anonymousAnswers: Map<string, string>;
  isAllowedOrigin: (origin: string) => boolean;
}

/**
 * The published chat, rebuilt when `store.chatRevision()` moves (a configuration save, a
 * publish, a dialogue switched on or off or deleted; never a draft save) and served from memory
 * otherwise: the hot path of GET /chat/config is one read of the revision, one number compare,
 * one header compare and a write of a ready buffer. Concurrent calls that see a new revision
 * share one rebuild.
 *
 * The ETag is a hash of the body, not the revision: it changes exactly when what visitors get
 * changes, and every replica and restart gives the same content the same tag.
 */
export function createPublishedChatCache(
  store: Pick<ChatStore, 'chatRevision' | 'getChatConfiguration' | 'listDialogues'>,
  ownOrigin: string | undefined,
): () => Promise<PublishedChat> {
  let current: { revision: number; built: Promise<PublishedChat> } | undefined;
  return async () => {
    const revision = await store.chatRevision();
    if (current?.revision !== revision) {
      const built = buildPublishedChat(store, revision, ownOrigin);
      const entry = { revision, built };
      current = entry;
      // A failed read is not cached: the next call tries again.
      built.catch(() => {
        if (current === entry) current = undefined;
      });
    }
    return current.built;
  };
}

async function buildPublishedChat(
  store: Pick<ChatStore, 'getChatConfiguration' | 'listDialogues'>,
  revision: number,
  ownOrigin: string | undefined,
): Promise<PublishedChat> {
  const [configuration, dialogues] = await Promise.all([
    currentChatConfiguration(store),
    store.listDialogues(),
  ]);
  const targetable = configuration.chatEnabled
    ? dialogues.filter((d) => d.enabled && d.published !== null).sort(byPrecedence)
    : [];
  const served = new Map<string, ServedDialogue>();
  for (const dialogue of targetable) {
    const plain = toPublicDialogue(dialogue);
    const tokenCards = plain.cards.map((card) => cardTexts(card).some((t) => t.includes('{{')));
    const tokenised = tokenCards.includes(true) || hasTranslatedTokens(plain.translations);
    const anonymous = tokenised ? personalise(plain, undefined, tokenCards) : plain;
    served.set(dialogue.id, { plain, anonymous, tokenCards, tokenised });
  }
  const document: PublishedChatDocument = {
    // Named one by one, not "all but": a field added to the configuration stays private
    // until someone decides it is public (allowed and blocked domains never are).
    configuration: {
      chatEnabled: configuration.chatEnabled,
      style: configuration.style,
      bot: configuration.bot,
      privacyPolicyUrl: configuration.privacyPolicyUrl,
    },
    dialogues: [...served.values()].map((s) => s.plain),
  };
  const body = Buffer.from(JSON.stringify(document));
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  return {
    revision,
    configuration,
    body,
    etag,
    targetable,
    candidatesFor: createPageCache(targetable),
    served,
    anonymousAnswers: new Map(),
    isAllowedOrigin: createOriginPolicy(configuration.allowedDomains, ownOrigin),
  };
}

/** Most distinct page URLs remembered per revision; the URL is the caller's, so bounded. */
const MAX_CACHED_PAGES = 5000;

/**
 * Page matching is the costly part of targeting (every pattern is compiled per check), and it
 * depends only on the page and the revision: it is done once per page URL and remembered.
 */
function createPageCache(targetable: Dialogue[]): (pageUrl: string) => Dialogue[] {
  const decided = new Map<string, Dialogue[]>();
  const everyPage = { include: ['*'], exclude: [] };
  const shadows = targetable.map((d) => ({
    dialogue: d,
    shadow: {
      ...d,
      published: { ...d.published!, content: { ...d.published!.content, pages: everyPage } },
    },
  }));
  return (pageUrl) => {
    let candidates = decided.get(pageUrl);
    if (candidates === undefined) {
      candidates = shadows
        .filter(({ dialogue }) => {
          const { include, exclude } = dialogue.published!.content.pages;
          return (
            include.some((p) => matchesUrlPattern(p, pageUrl)) &&
            !exclude.some((p) => matchesUrlPattern(p, pageUrl))
          );
        })
        .map(({ shadow }) => shadow);
      if (decided.size >= MAX_CACHED_PAGES) decided.clear();
      decided.set(pageUrl, candidates);
    }
    return candidates;
  };
}

/** As targeting ranks them: priority, then published first, then id. */
function byPrecedence(a: Dialogue, b: Dialogue): number {
  const pa = a.published!;
  const pb = b.published!;
  return (
    pb.content.priority - pa.content.priority ||
    (pa.publishedAt < pb.publishedAt ? -1 : pa.publishedAt > pb.publishedAt ? 1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** What a visitor may see of a dialogue: never its audience or pages. */
function toPublicDialogue(dialogue: Dialogue): PublicDialogue {
  const { version, content } = dialogue.published!;
  return {
    id: dialogue.id,
    version,
    name: content.name,
    start: content.start,
    cards: content.cards,
    ...(content.translations === undefined ? {} : { translations: content.translations }),
  };
}

/**
 * If-None-Match against our strong tag. For GET the comparison is weak (RFC 9110 §13.1.2), so
 * `W/"x"` matches `"x"`; `*` matches any current representation.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined || header === '') return false;
  if (header === etag) return true;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

export { personalise } from './dialogue-personalise.js';
