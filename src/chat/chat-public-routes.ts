import { Router, type RequestHandler, type Response } from 'express';
import type { Clock } from '../deps.js';
import type { Logger } from '../logger.js';
import type { ChatStore, LeadStore, OutboxStore } from '../store/types.js';
import { branchRequestSchema, resolveRequestSchema } from '../records/chat-widget-api.js';
import { chatEventSchema } from '../records/chat-event.js';
import { branchNext } from './chat-branch.js';
import { readJsonBody } from './chat-public-body.js';
import { recordWidgetEvent } from './chat-events.js';
import { chatCors, originOf } from './chat-public-cors.js';
import {
  createPublishedChatCache,
  matchesIfNoneMatch,
  type PublishedChat,
} from './chat-public-document.js';
import {
  createChatRateLimiter,
  createFlexibleRateLimiter,
  DEFAULT_CHAT_RATE_LIMITS,
  type ChatRateLimits,
  type RateLimiter,
  type RateLimitStore,
} from './chat-public-rate-limit.js';
import { resolveDialogueJson } from './chat-public-resolve.js';
import type { MunchkinLookup } from './munchkin-lookup.js';
import { createVisitorCompletions } from './visitor-completions.js';
import { parseInput } from '../http/parse-input.js';

export interface ChatPublicRoutesDeps {
  store: ChatStore & LeadStore & OutboxStore;
  clock: Clock;
  logger: Logger;
  /** PUBLIC_BASE_URL: its origin (the demo page) may always call these routes. */
  publicBaseUrl: string;
  /** Who a Munchkin cookie is, from Marketo; absent: cookies identify no one. */
  munchkin?: MunchkinLookup;
  /** Called when an event enqueued Marketo write-backs (kick the outbox worker). */
  onEnqueued?: () => void;
  /** Per-client limits; the defaults suit production, benchmarks raise them. */
  rateLimits?: Partial<ChatRateLimits>;
  /** Where the limits count: Redis with REDIS_URL (across replicas); absent: this process. */
  rateLimitStore?: RateLimitStore | undefined;
  /** Builds each route's limiter (default: createFlexibleRateLimiter on rateLimitStore). */
  createRateLimiter?: (options: { name: string; limit: number; windowMs: number }) => RateLimiter;
  /** Request body limit of the POSTs, in bytes (default 8 kB). */
  bodyLimitBytes?: number;
  /**
   * More public routes (the meeting booking), mounted behind the same CORS, with this router's
   * per-client limiter, body reader and Munchkin lookup (a booking's cookie proves who books).
   */
  extraRoutes?: (kit: {
    limiter: (limit: number) => RequestHandler;
    body: RequestHandler;
    munchkin: MunchkinLookup | undefined;
  }) => Router;
}

export const DEFAULT_CHAT_BODY_LIMIT_BYTES = 8 * 1024;

/** Browsers may keep the document a minute, then must ask again (a 304 when nothing changed). */
const CONFIG_CACHE_CONTROL = 'public, max-age=60, must-revalidate';

/**
 * The widget's public endpoints, mounted at /chat:
 * - GET  /config   the published configuration and dialogues, one document, strong ETag, 304;
 * - POST /resolve  which dialogue this visitor sees on this page, tokens filled in for them;
 * - POST /events   triggered, engaged, email given, goal reached, meeting booked, completed,
 *                  answered, document opened, action reached: counted once per event and
 *                  written back to Marketo through the outbox;
 * - POST /branch   which way a condition card goes for this visitor (chat-branch.ts).
 *
 * Order per request: CORS (a disallowed origin's POST is refused before anything is read), the
 * per-client rate limit, a bounded body (JSON, also as text/plain so that a widget can send
 * without a preflight, e.g. navigator.sendBeacon), zod validation naming the field, then the
 * work: the published chat is served from memory after one read of the store's revision; a
 * visitor's link and lead are read from the store, an event is one store write, and a Munchkin
 * cookie is looked up (cached, bounded, waited for a moment at most: munchkin-lookup.ts).
 */
export function createChatPublicRoutes(deps: ChatPublicRoutesDeps): Router {
  const published = createPublishedChatCache(deps.store, originOf(deps.publicBaseUrl));
  const completions = createVisitorCompletions();
  const limits = { ...DEFAULT_CHAT_RATE_LIMITS, ...deps.rateLimits };
  const createLimiter =
    deps.createRateLimiter ??
    ((options) => createFlexibleRateLimiter({ ...options, store: deps.rateLimitStore }));
  // Named by creation order, the same in every replica, so each route has its own budget.
  let limiters = 0;
  const limiter = (limit: number) =>
    createChatRateLimiter(
      createLimiter({ name: `route${(limiters += 1)}`, limit, windowMs: limits.windowMs }),
    );
  const body = readJsonBody(deps.bodyLimitBytes ?? DEFAULT_CHAT_BODY_LIMIT_BYTES);
  const logger = deps.logger.child({ routes: 'chat-public' });

  const router = Router();
  // The published chat is read once per request (one read of the revision), before CORS.
  router.use((_req, res, next) => {
    published().then((chat) => {
      (res.locals as PublishedLocals).publishedChat = chat;
      next();
    }, next);
  });
  router.use(chatCors((res) => publishedFor(res).isAllowedOrigin));

  const getConfig: RequestHandler = (req, res) => {
    const { etag, body: document } = publishedFor(res);
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', CONFIG_CACHE_CONTROL);
    if (matchesIfNoneMatch(req.headers['if-none-match'], etag)) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', document.length);
    res.end(document);
  };
  router.get('/config', limiter(limits.config), getConfig);

  router.post('/resolve', limiter(limits.resolve), body, async (req, res) => {
    const request = parseInput(resolveRequestSchema, req.body, 'resolve request');
    const identify = { store: deps.store, munchkin: deps.munchkin, completions };
    const answer = await resolveDialogueJson(identify, publishedFor(res), request);
    sendJson(res, 200, answer);
  });

  router.post('/events', limiter(limits.events), body, async (req, res) => {
    const event = parseInput(chatEventSchema, req.body, 'event');
    const result = await recordWidgetEvent(
      { store: deps.store, clock: deps.clock, completions, munchkin: deps.munchkin },
      publishedFor(res).configuration,
      event,
    );
    if (result.enqueued > 0) deps.onEnqueued?.();
    logger.debug(
      { type: event.type, dialogueId: event.dialogueId, ...result },
      'chat event received',
    );
    sendJson(res, 202, JSON.stringify({ recorded: result.recorded }));
  });

  if (deps.extraRoutes !== undefined)
    router.use(deps.extraRoutes({ limiter, body, munchkin: deps.munchkin }));

  // After the extra routes: limiters are named by creation order, so theirs keep their names.
  router.post('/branch', limiter(limits.resolve), body, async (req, res) => {
    const request = parseInput(branchRequestSchema, req.body, 'branch request');
    const identify = { store: deps.store, munchkin: deps.munchkin };
    const answer = await branchNext(identify, publishedFor(res), request);
    sendJson(res, 200, JSON.stringify(answer));
  });

  return router;
}

interface PublishedLocals {
  publishedChat?: PublishedChat;
}

/** The published chat this request was given by the router's first middleware. */
function publishedFor(res: Response): PublishedChat {
  const chat = (res.locals as PublishedLocals).publishedChat;
  if (chat === undefined) throw new Error('the published chat is read before the routes');
  return chat;
}

/**
 * JSON already serialised (the resolve answer is built as text). `no-store`: a resolve answer
 * is one visitor's, no cache may keep it.
 */
function sendJson(res: Response, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
