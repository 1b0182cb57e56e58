import express, { Router, type RequestHandler } from 'express';
import { DateTime } from 'luxon';
import type { z } from 'zod';
import { type ChatConfiguration } from '../../src/records/chat-configuration.js';
import { type Card } from '../../src/records/chat-cards.js';
import {
  resolveRequestSchema,
  type PublishedChatDocument,
  type ResolveRequest,
  type ResolveResponse,
} from '../../src/records/chat-widget-api.js';
import { chatEventSchema, type ChatEvent } from '../../src/records/chat-event.js';
import {
  bookingRequestSchema,
  slotQuerySchema,
  type BookingRequest,
  type PublicMeeting,
  type SlotQuery,
  type SlotsResponse,
} from '../../src/meetings/booking-contract.js';

/**
 * A stand-in for the widget's public endpoints (`/chat/config`, `/chat/resolve`,
 * `/chat/events`, and the booking API of src/meetings/booking-contract.ts: `/chat/slots`,
 * `/chat/meetings` and the visitor's meeting links), following the contracts: requests are
 * parsed with the contracts' own schemas, so a widget that drifts from them gets the 400 the
 * real service would give. It behaves like the real routes where the widget can tell: CORS
 * echoing allowed origins and exposing ETag, a strong ETag with 304 on /config, lead tokens
 * rendered with their defaults for anonymous visitors, a blocked email domain refused with 400
 * EMAIL_DOMAIN_BLOCKED, events counted once per eventId, completed dialogues not offered again;
 * slots every day at `slotTimes` in the visitor's zone, one meeting per idempotency key (a
 * retry replays it), 409 SLOT_TAKEN with that day's fresh slots for a taken time.
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
  /** GET /chat/slots queries, as parsed. */
  slotRequests: SlotQuery[];
  /** POST /chat/meetings requests, as parsed (retries included). */
  bookingRequests: BookingRequest[];
  /** Meetings made (a replay adds none), as the widget sees them. */
  meetings: PublicMeeting[];
  /** Someone else books this start (an ISO instant) after the visitor saw it. */
  takeSlot(start: string): void;
  /** The next `count` bookings are made but their answer is lost (the connection drops). */
  loseBookingAnswers(count: number): void;
  /** Publishes a new version of the dialogue (same id, version + 1). */
  publish(content: Omit<FakeDialogue, 'id' | 'version'>): FakeDialogue;
  dialogue(): FakeDialogue;
}

export interface FakeChatServerOptions {
  dialogue?: FakeDialogue;
  configuration?: Partial<ChatConfiguration>;
  /** Origins besides those of `allowedDomains` that may call, e.g. the service's own. */
  ownOrigin?: string;
  /** Local times (HH:mm) free every day; by default 10:00, 10:30 and 14:00. */
  slotTimes?: string[];
}

const AGENT_NAME = 'Alex Rivera';

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
  const taken = new Set<number>();
  const byKey = new Map<string, PublicMeeting>();
  let answersToLose = 0;
  const server: Omit<FakeChatServer, 'router'> = {
    configuration,
    resolveRequests: [],
    configRequests: [],
    events: [],
    refused: [],
    slotRequests: [],
    bookingRequests: [],
    meetings: [],
    takeSlot: (start) => void taken.add(Date.parse(start)),
    loseBookingAnswers: (count) => void (answersToLose = count),
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
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, If-None-Match, Idempotency-Key');
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

  const slotTimes = options.slotTimes ?? ['10:00', '10:30', '14:00'];
  const freeSlots = (query: SlotQuery): SlotsResponse => {
    const zone = query.timeZone;
    const first = query.from ?? DateTime.now().setZone(zone).toISODate()!;
    const days = Array.from({ length: query.days }, (_, i) => {
      const date = DateTime.fromISO(first, { zone }).plus({ days: i }).toISODate()!;
      const slots = slotTimes
        .map((time) => DateTime.fromISO(`${date}T${time}`, { zone }))
        .filter((start) => !taken.has(start.toMillis()))
        .map((start) => ({ start: start.toISO()!, end: start.plus({ minutes: 30 }).toISO()! }));
      return { date, slots };
    });
    return { timeZone: zone, durationMinutes: 30, days: days.filter((d) => d.slots.length > 0) };
  };
  const isFree = (start: string) =>
    !taken.has(Date.parse(start)) &&
    slotTimes.includes(DateTime.fromISO(start, { setZone: true }).toFormat('HH:mm'));
  const slotTaken = (res: express.Response, fresh: SlotsResponse) =>
    res.status(409).json({
      error: {
        code: 'SLOT_TAKEN',
        message: 'That time is no longer available: please pick another slot',
        field: 'start',
      },
      slots: fresh,
    });
  const inZone = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toISO()!;
  const byToken = (token: string) => server.meetings.find((m) => m.manageUrl.endsWith(`/${token}`));

  router.get('/slots', (req, res) => {
    const query = parse(slotQuerySchema, req.query);
    if (!query.ok) return void refuse(res, 400, 'VALIDATION_FAILED', query.message);
    server.slotRequests.push(query.data);
    res.json(freeSlots(query.data));
  });

  router.post('/meetings', (req, res) => {
    const header = req.get('idempotency-key');
    const parsed = parse(bookingRequestSchema, {
      ...req.body,
      ...(header ? { idempotencyKey: header } : {}),
    });
    if (!parsed.ok) return void refuse(res, 400, 'VALIDATION_FAILED', parsed.message);
    const request = parsed.data;
    server.bookingRequests.push(request);
    const key = request.idempotencyKey;
    const earlier = key === undefined ? undefined : byKey.get(key);
    let status = 200;
    let meeting = earlier;
    if (!meeting) {
      if (!isFree(request.start)) {
        const fresh = freeSlots({
          from: request.start.slice(0, 10),
          days: 1,
          timeZone: request.timeZone,
        });
        return void slotTaken(res, fresh);
      }
      const start = Date.parse(request.start);
      taken.add(start);
      const n = server.meetings.length + 1;
      const base = `${req.protocol}://${req.get('host')}/chat/meetings/manage/tok-${n}`;
      meeting = {
        id: `mtg-${n}`,
        status: 'booked',
        start: inZone(start, request.timeZone),
        end: inZone(start + 30 * 60_000, request.timeZone),
        timeZone: request.timeZone,
        agent: { id: 'agt_fake_1', name: AGENT_NAME },
        meetingUrl: `https://meet.example/acme-${n}`,
        manageUrl: base,
        cancelUrl: `${base}/cancel`,
        rescheduleUrl: `${base}/reschedule`,
        icsUrl: `${base}/invite.ics`,
      };
      server.meetings.push(meeting);
      if (key !== undefined) byKey.set(key, meeting);
      status = 201;
    }
    if (answersToLose > 0) {
      answersToLose -= 1;
      return void req.socket.destroy();
    }
    res.status(status).json({ meeting, replayed: status === 200 });
  });

  router.post('/meetings/manage/:token/cancel', (req, res) => {
    const meeting = byToken(req.params.token);
    if (!meeting) return void refuse(res, 404, 'NOT_FOUND', 'No meeting for this link');
    meeting.status = 'cancelled';
    taken.delete(Date.parse(meeting.start));
    res.json({ meeting });
  });

  router.get('/meetings/manage/:token/invite.ics', (req, res) => {
    const meeting = byToken(req.params.token);
    if (!meeting) return void refuse(res, 404, 'NOT_FOUND', 'No meeting for this link');
    res.type('text/calendar').send(`BEGIN:VCALENDAR\r\nUID:${meeting.id}\r\nEND:VCALENDAR\r\n`);
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
