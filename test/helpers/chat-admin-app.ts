import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { createChatAdminRoutes } from '../../src/chat/chat-admin-routes.js';
import type { DialogueContent } from '../../src/records/chat-dialogue.js';
import type { Agent } from '../../src/records/meeting-contract.js';
import { DEFAULT_SYNC_FIELDS } from '../../src/config.js';
import { createManualClock, createSequentialIds } from '../../src/deps.js';
import type { AppError } from '../../src/errors.js';
import { createErrorHandler, notFoundHandler } from '../../src/http/error-handler.js';
import { silentLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/store/index.js';

export const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

/** The router as the app mounts it: under /api, after JSON parsing, before the error handler. */
export function createTestApp() {
  const store = createMemoryStore();
  const clock = createManualClock(T0);
  const errors: AppError[] = [];
  const captureError: ErrorRequestHandler = (err, _req, _res, next) => {
    errors.push(err as AppError);
    next(err);
  };
  const app = express();
  app.use(express.json());
  app.use(
    '/api',
    createChatAdminRoutes({
      store,
      clock,
      ids: createSequentialIds('dlg'),
      logger: silentLogger,
      syncedFields: DEFAULT_SYNC_FIELDS,
    }),
  );
  app.use(notFoundHandler);
  app.use(captureError);
  app.use(createErrorHandler(silentLogger));
  return { app, store, clock, errors };
}

export function draft(overrides: Partial<DialogueContent> = {}): DialogueContent {
  return {
    name: 'Welcome',
    audience: { visitors: 'all', match: 'all', groups: [] },
    pages: { include: ['https://example.com/*'], exclude: ['https://example.com/careers/*'] },
    priority: 10,
    start: 'hi',
    cards: [
      { id: 'hi', type: 'message', text: 'Hi {{lead.firstName:"there"}}!', next: 'ask' },
      {
        id: 'ask',
        type: 'question',
        text: 'Talk to sales?',
        buttons: [
          { label: 'Yes', next: 'book' },
          { label: 'No', next: null },
        ],
      },
      { id: 'book', type: 'booking', text: 'Pick a time', routing: 'round-robin', next: null },
    ],
    ...overrides,
  };
}

/** Creates a dialogue holding `body` through the API; answers its JSON. */
export async function createDialogueThroughApi(
  app: express.Express,
  body: DialogueContent = draft(),
) {
  return (await request(app).post('/api/dialogues').send(body).expect(201)).body;
}

/** An agent as the store holds it: active, on a connected local calendar, unless `extra` says. */
export function agentRecord(name: string, extra: Partial<Agent> = {}): Agent {
  const first = name.split(' ')[0]!.toLowerCase();
  return {
    id: `agt_${first}`,
    name,
    email: `${first}@example.com`,
    timeZone: 'Europe/Berlin',
    availability: [],
    meetingMinutes: 30,
    bufferAfterMinutes: 0,
    minimumNoticeMinutes: 60,
    active: true,
    groups: [],
    conferencing: false,
    calendar: { provider: 'local', status: 'connected' },
    createdAt: 0,
    updatedAt: 0,
    ...extra,
  };
}
