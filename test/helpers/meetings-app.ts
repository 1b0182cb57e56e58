import { randomBytes } from 'node:crypto';
import express, { type RequestHandler } from 'express';
import request from 'supertest';
import type {
  CalendarClient,
  CalendarOAuth,
  CalendarAccess,
  CalendarEventInput,
} from '../../src/calendar/calendar-types.js';
import { createTokenCipher } from '../../src/calendar/token-cipher.js';
import { readJsonBody } from '../../src/chat/chat-public-body.js';
import { DEFAULT_CHAT_BODY_LIMIT_BYTES } from '../../src/chat/chat-public-routes.js';
import { createMunchkinLookup } from '../../src/chat/munchkin-lookup.js';
import { createManualClock, createSequentialIds } from '../../src/deps.js';
import { createErrorHandler, notFoundHandler } from '../../src/http/error-handler.js';
import { silentLogger } from '../../src/logger.js';
import { createMeetingsModule } from '../../src/meetings/meetings-module.js';
import { createMemoryStore, type Store } from '../../src/store/index.js';

/** Tuesday 24 November 2026, 12:00 UTC. */
export const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

/** A scriptable Google-like calendar for tests: busy times, failures, and what it was asked. */
export function createFakeProvider(kind: 'google' | 'microsoft' = 'google') {
  const calls: Array<{ op: string; access: CalendarAccess; event?: CalendarEventInput }> = [];
  const behaviour: {
    busy: Array<{ start: number; end: number }>;
    /** Busy times of one agent's calendar, by agent id, instead of `busy`. */
    busyOf?: Record<string, Array<{ start: number; end: number }>>;
    failBusy?: Error;
    failCreate?: Error;
    /** Fail the creates on this agent's calendar only. */
    failCreateFor?: string;
    failCancel?: Error;
    /** Runs while an update is in flight (before it answers): a race to stage. */
    onUpdate?: () => Promise<void>;
    /** Awaited by every create before it answers: a booking held open while others arrive. */
    onCreate?: () => Promise<void>;
    /** Awaited by every cancel (of an event by id) before it answers. */
    onCancel?: () => Promise<void>;
  } = { busy: [] };
  const client: CalendarClient = {
    kind,
    getBusy: async (access) => {
      calls.push({ op: 'busy', access });
      if (behaviour.failBusy) throw behaviour.failBusy;
      return behaviour.busyOf?.[access.agentId] ?? behaviour.busy;
    },
    createEvent: async (access, event) => {
      calls.push({ op: 'create', access, event });
      if (behaviour.failCreate) throw behaviour.failCreate;
      if (behaviour.failCreateFor === access.agentId) throw new Error('create failed');
      await behaviour.onCreate?.();
      return { eventId: `evt-${event.meetingId}`, meetingUrl: 'https://meet.example/abc' };
    },
    updateEvent: async (access, eventId, event) => {
      calls.push({ op: 'update', access, event });
      const hook = behaviour.onUpdate;
      behaviour.onUpdate = undefined;
      await hook?.();
      return { eventId };
    },
    cancelEvent: async (access) => {
      calls.push({ op: 'cancel', access });
      if (behaviour.failCancel) throw behaviour.failCancel;
      await behaviour.onCancel?.();
    },
    cancelEventOfMeeting: async (access, meetingId) => {
      calls.push({ op: `cancel-of:${meetingId}`, access });
    },
  };
  const oauthCalls: Array<Record<string, string>> = [];
  const oauth: CalendarOAuth = {
    kind,
    authorizationUrl: (args) =>
      `https://accounts.example/auth?state=${args.state}&code_challenge=${args.codeChallenge}&redirect_uri=${encodeURIComponent(args.redirectUri)}`,
    exchangeCode: async (args) => {
      oauthCalls.push(args);
      return { refreshToken: `refresh-for-${args.code}`, accountEmail: 'agent@example.com' };
    },
    revoke: async (token) => {
      oauthCalls.push({ revoke: token });
    },
  };
  return { client, oauth, calls, oauthCalls, behaviour };
}

/**
 * The meetings module's routers alone, at the paths the service mounts them (service-app.ts),
 * on a memory store and a manual clock, without the admin token and the rate limits.
 */
export function createMeetingsTestApp(
  options: {
    ownerField?: string;
    agentLeadFields?: { email?: string; name?: string };
    /** Called once a public request's body is read and its route has run up to its first wait. */
    onRouted?: () => void;
    /** The clock a real provider client shares (it starts at T0 otherwise). */
    clock?: ReturnType<typeof createManualClock>;
    /** A real Google client against nock (google-calendar-harness.ts) instead of the fake. */
    googleProvider?: { client: CalendarClient; oauth: CalendarOAuth };
    /** Another store (a JSON file, PostgreSQL: store-implementations.ts); memory otherwise. */
    store?: Store;
  } = {},
) {
  const store = options.store ?? createMemoryStore();
  const clock = options.clock ?? createManualClock(T0);
  const key = randomBytes(32);
  const cipher = createTokenCipher(key);
  const google = createFakeProvider('google');
  const meetings = createMeetingsModule({
    store,
    clock,
    ids: createSequentialIds('m'),
    logger: silentLogger,
    cipher,
    linkSecrets: [key],
    publicBaseUrl: 'https://chat.example.com',
    providers: { google: options.googleProvider ?? { client: google.client, oauth: google.oauth } },
    ...(options.ownerField === undefined ? {} : { ownerField: options.ownerField }),
    ...(options.agentLeadFields === undefined ? {} : { agentLeadFields: options.agentLeadFields }),
  });
  // Marketo's association of Munchkin cookies with leads (Get Leads filterType=cookies), behind
  // the chat's real lookup; the wait never ends, so a test never races the 300 ms budget.
  const cookies = new Map<string, { id: number; email: string }>();
  const munchkin = createMunchkinLookup({
    marketo: {
      getLeadsByCookie: (cookie) => {
        const lead = cookies.get(cookie);
        return Promise.resolve({ leads: lead === undefined ? [] : [lead], serverTime: undefined });
      },
    },
    clock,
    logger: silentLogger,
    wait: () => new Promise<void>(() => undefined),
  });
  /** Marketo associates the cookie with the lead (a form fill, a tracked email click). */
  const associateCookie = (cookie: string, lead: { id: number; email: string }) =>
    void cookies.set(cookie, lead);
  const passThrough: RequestHandler = (_req, _res, next) => next();
  // The chat router's own body reader, as in production (the form routes run before it).
  const readBody = readJsonBody(DEFAULT_CHAT_BODY_LIMIT_BYTES);
  // Express runs the route inside next(), synchronously up to the handler's first await.
  const body: RequestHandler = (req, res, next) =>
    readBody(req, res, (error?: unknown) => {
      next(error);
      options.onRouted?.();
    });
  const app = express();
  app.use('/api', express.json(), ...meetings.adminRouters);
  app.use('/chat', meetings.publicRoutes({ limiter: () => passThrough, body, munchkin }));
  app.use('/oauth', meetings.oauthRouter);
  app.use(notFoundHandler);
  app.use(createErrorHandler(silentLogger));
  return { app, store, clock, cipher, google, meetings, associateCookie };
}

export type TestApp = ReturnType<typeof createMeetingsTestApp>;

/** Wednesday 25 November 2026, 09:00 in Berlin (08:00 UTC). */
export const WED_0900_BERLIN = '2026-11-25T09:00:00+01:00';
export const HOUR = 3600_000;

export async function addAgent(t: TestApp, body: Record<string, unknown>) {
  const res = await request(t.app)
    .post('/api/agents')
    .send({ timeZone: 'Europe/Berlin', ...body })
    .expect(201);
  return res.body as { id: string; email: string };
}

export async function book(t: TestApp, body: Record<string, unknown>, status = 201) {
  return request(t.app)
    .post('/chat/meetings')
    .send({
      start: WED_0900_BERLIN,
      email: 'visitor@example.org',
      timeZone: 'Europe/Berlin',
      ...body,
    })
    .expect(status);
}

export const outboxOf = (t: TestApp) => t.store.listOutbox({ kind: 'meeting-activity' });

/** Connects the agent's Google calendar through the OAuth flow; returns the state used. */
export async function connectGoogle(
  t: TestApp,
  agentId: string,
  code = 'the-code',
): Promise<string> {
  const start = await request(t.app)
    .post(`/api/agents/${agentId}/calendar/connect`)
    .send({ provider: 'google' })
    .expect(200);
  const state = new URL(start.body.authorizationUrl).searchParams.get('state')!;
  await request(t.app).get('/oauth/calendar/callback').query({ state, code }).expect(200);
  return state;
}
