import express, { Router, type RequestHandler } from 'express';
import type { z } from 'zod';
import {
  chatEventSchema,
  resolveRequestSchema,
  type Card,
  type ChatConfiguration,
  type ChatEvent,
  type PublishedChatDocument,
  type ResolveRequest,
  type ResolveResponse,
} from '../../src/chat/chat-contract.js';

/**
 * A stand-in for the widget's public endpoints (`/chat/config`, `/chat/resolve`,
 * `/chat/events`), following src/chat/chat-contract.ts: requests are parsed with the contract's
 * own schemas, so a widget that drifts from the contract gets the 400 the real service would
 * give. It behaves like the real routes where the widget can tell: CORS echoing allowed
 * origins and exposing ETag, a strong ETag with 304 on /config, lead tokens rendered with their
 * defaults for anonymous visitors, a blocked email domain refused with 400
 * EMAIL_DOMAIN_BLOCKED, events counted once per eventId, completed dialogues not offered again.
 *
 * Mount `router` at `/chat`. To run the browser test against the real endpoints instead, mount
 * createChatPublicRoutes there with a store holding ACME_DIALOGUE and read what it recorded.
 */

export interface FakeDialogue {
  id: string;
  version: number;
  name: string;
  start: string;
  cards: Card[];
}

export interface FakeChatServer {
  router: Router;
  configuration: ChatConfiguration;
  /** Every request body, as received (after the contract's parse). */
  resolveRequests: ResolveRequest[];
  configRequests: Array<{ ifNoneMatch: string | undefined; status: number; origin?: string }>;
  /** Events answered 202 and counted (once per eventId). */
  events: ChatEvent[];
  /** Events answered 4xx, with the error code. */
  refused: Array<{ body: unknown; code: string }>;
  /** Publishes a new version of the dialogue (same id, version + 1). */
  publish(content: Omit<FakeDialogue, 'id' | 'version'>): FakeDialogue;
  dialogue(): FakeDialogue;
}

export interface FakeChatServerOptions {
  dialogue?: FakeDialogue;
  configuration?: Partial<ChatConfiguration>;
  /** Origins besides those of `allowedDomains` that may call, e.g. the service's own. */
  ownOrigin?: string;
}

/** Acme Analytics' welcome dialogue: a question that branches to pricing or a demo booking. */
export const ACME_DIALOGUE: FakeDialogue = {
  id: 'dlg-welcome',
  version: 1,
  name: 'Website welcome',
  start: 'hello',
  cards: [
    {
      id: 'hello',
      type: 'message',
      text: 'Hi {{lead.firstName:"there"}}! Welcome to Acme Analytics.',
      next: 'ask',
    },
    {
      id: 'ask',
      type: 'question',
      text: 'What brings you here today?',
      buttons: [
        { label: 'See pricing', value: 'pricing', next: 'pricing' },
        { label: 'Book a demo', next: 'demo' },
      ],
    },
    {
      id: 'pricing',
      type: 'message',
      text: 'Our Team plan starts at $49 per month.',
      next: 'goal',
    },
    { id: 'goal', type: 'goal', name: 'Saw pricing', next: 'email' },
    {
      id: 'email',
      type: 'email',
      text: 'Where can we send the full price list?',
      field: 'email',
      next: 'thanks',
    },
    { id: 'thanks', type: 'message', text: 'Thanks! The price list is on its way.', next: null },
    {
      id: 'demo',
      type: 'booking',
      text: "Let's find a time for your demo.",
      routing: 'round-robin',
      next: 'booked',
    },
    {
      id: 'booked',
      type: 'message',
      text: 'Thanks, we will confirm your demo by email.',
      next: null,
    },
  ],
};

export const ACME_CONFIGURATION: ChatConfiguration = {
  chatEnabled: true,
  style: {
    fontFamily: 'Georgia, serif',
    fontSizePx: 15,
    colours: {
      primary: '#0f6e56',
      background: '#ffffff',
      text: '#1d2433',
      botBubble: '#eef3f1',
      visitorBubble: '#0f6e56',
    },
    launcher: { position: 'bottom-left', paddingPx: 24 },
  },
  bot: {
    name: 'Ada',
    headerLabel: 'Acme Assistant',
    avatar: null,
    responseDelaySeconds: 0.05,
    notificationSound: false,
  },
  privacyPolicyUrl: 'https://acme-analytics.example/privacy',
  allowedDomains: ['localhost', '127.0.0.1'],
  blockedEmailDomains: ['mailinator.com'],
};

const TOKEN = /\{\{\s*lead\.[A-Za-z0-9_]+\s*(?::\s*"([^"]*)")?\s*\}\}/g;

/** The fake knows no leads: every token gets its default, as for an anonymous visitor. */
function renderForAnonymous(dialogue: FakeDialogue): FakeDialogue {
  const render = (text: string) => text.replace(TOKEN, (_t, fallback?: string) => fallback ?? '');
  return {
    ...dialogue,
    cards: dialogue.cards.map((card) =>
      'text' in card ? { ...card, text: render(card.text) } : card,
    ),
  };
}

export function createFakeChatServer(options: FakeChatServerOptions = {}): FakeChatServer {
  const configuration = { ...ACME_CONFIGURATION, ...options.configuration };
  let current = options.dialogue ?? ACME_DIALOGUE;
  let revision = 1;
  const completedBy = new Set<string>();
  const seenEventIds = new Set<string>();
  const server: Omit<FakeChatServer, 'router'> = {
    configuration,
    resolveRequests: [],
    configRequests: [],
    events: [],
    refused: [],
    publish(content) {
      current = { ...content, id: current.id, version: current.version + 1 };
      revision += 1;
      return current;
    },
    dialogue: () => current,
  };

  const isAllowedOrigin = (origin: string) => {
    if (origin === options.ownOrigin) return true;
    try {
      return configuration.allowedDomains.includes(new URL(origin).hostname);
    } catch {
      return false;
    }
  };
  const cors: RequestHandler = (req, res, next) => {
    res.setHeader('Vary', 'Origin');
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    const allowed = isAllowedOrigin(origin);
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', 'ETag');
    }
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    if (!allowed)
      return void refuse(res, 403, 'ORIGIN_NOT_ALLOWED', 'This site may not use the chat');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, If-None-Match');
      return void res.status(204).end();
    }
    next();
  };

  const router = Router();
  router.use(cors);
  router.use(express.json({ limit: '8kb', type: ['application/json', 'text/plain'] }));

  router.get('/config', (req, res) => {
    const etag = `"fake-config-${revision}"`;
    const ifNoneMatch = req.headers['if-none-match'];
    const status = ifNoneMatch === etag ? 304 : 200;
    server.configRequests.push({ ifNoneMatch, status, ...originOf(req.headers.origin) });
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'public, max-age=60, must-revalidate');
    if (status === 304) return void res.status(304).end();
    const { allowedDomains: _a, blockedEmailDomains: _b, ...publicConfiguration } = configuration;
    const document: PublishedChatDocument = {
      configuration: publicConfiguration,
      dialogues: [current],
    };
    res.json(document);
  });

  router.post('/resolve', (req, res) => {
    const request = parse(resolveRequestSchema, req.body);
    if (!request.ok) return void refuse(res, 400, 'VALIDATION_FAILED', request.message);
    server.resolveRequests.push(request.data);
    const done = completedBy.has(`${request.data.visitor.anonymousId}:${current.id}`);
    const body: ResolveResponse = done
      ? { dialogue: null, reason: 'already completed by this visitor', known: false }
      : { dialogue: renderForAnonymous(current), known: false };
    res.json(body);
  });

  router.post('/events', (req, res) => {
    const parsed = parse(chatEventSchema, req.body);
    const reject = (status: number, code: string, message: string) => {
      server.refused.push({ body: req.body, code });
      refuse(res, status, code, message);
    };
    if (!parsed.ok) return reject(400, 'VALIDATION_FAILED', parsed.message);
    const event = parsed.data;
    if (event.dialogueId !== current.id || event.dialogueVersion > current.version) {
      return reject(400, 'VALIDATION_FAILED', 'dialogueId: no published dialogue has this id');
    }
    const domain = event.value?.split('@')[1]?.toLowerCase();
    if (
      event.type === 'email-given' &&
      domain &&
      configuration.blockedEmailDomains.includes(domain)
    ) {
      return reject(400, 'EMAIL_DOMAIN_BLOCKED', 'value: emails from this domain are not accepted');
    }
    const recorded = !seenEventIds.has(event.eventId);
    if (recorded) {
      seenEventIds.add(event.eventId);
      server.events.push(event);
    }
    if (event.type === 'completed')
      completedBy.add(`${event.visitor.anonymousId}:${event.dialogueId}`);
    res.status(202).json({ recorded });
  });

  return { ...server, router };

  function refuse(res: express.Response, status: number, code: string, message: string) {
    const field = /^([\w.]+): /.exec(message)?.[1];
    res.status(status).json({ error: { code, message, ...(field ? { field } : {}) } });
  }
}

function parse<S extends z.ZodType>(
  schema: S,
  input: unknown,
): { ok: true; data: z.output<S> } | { ok: false; message: string } {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const issue = result.error.issues[0];
  return {
    ok: false,
    message: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
  };
}

function originOf(origin: string | undefined): { origin?: string } {
  return origin === undefined ? {} : { origin };
}
