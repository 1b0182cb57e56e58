import { Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../deps.js';
import { NotFoundError } from '../errors.js';
import { messagePage } from '../http/html-page.js';
import { parseInput } from '../http/parse-input.js';
import { readConversationCursor, type ConversationSummary } from '../records/conversation-log.js';
import { timeZoneSchema } from '../records/meeting-contract.js';
import { calendarDateSchema, nextDay, startOfDay } from '../reports/report-range.js';
import type { Store } from '../store/types.js';
import { transcriptOutcome } from './build-transcript.js';
import { loadTranscript, type TranscriptStore } from './load-transcript.js';
import type { TranscriptLinks } from './transcript-links.js';
import { transcriptPage } from './transcript-page.js';

export const conversationIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, {
  error: 'must be a conversation id (8-64 letters, digits, _ or -)',
});

export const listQuerySchema = z
  .object({
    dialogueId: z.string().min(1).max(64).optional(),
    /** Conversations started on or after this day (in timeZone). */
    from: calendarDateSchema.optional(),
    /** Conversations started on or before this day (in timeZone). */
    to: calendarDateSchema.optional(),
    timeZone: timeZoneSchema.default('UTC'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z
      .string()
      .max(300)
      .refine((c) => readConversationCursor(c) !== undefined, {
        error: 'must be the `next` of an earlier page',
      })
      .optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    error: 'must not be before from',
    path: ['to'],
  });

function listed(summary: ConversationSummary) {
  return {
    conversationId: summary.conversationId,
    dialogueId: summary.dialogueId,
    dialogueVersion: summary.dialogueVersion,
    visitor: {
      anonymousId: summary.anonymousId,
      ...(summary.email === undefined ? {} : { email: summary.email }),
    },
    startedAt: new Date(summary.startedAt).toISOString(),
    lastEventAt: new Date(summary.lastEventAt).toISOString(),
    outcome: transcriptOutcome(summary.types),
    transcript: `/api/conversations/${summary.conversationId}/transcript`,
  };
}

/** /api/conversations: the conversation list (paged) and each conversation's transcript. */
export function createTranscriptAdminRoutes(deps: {
  store: TranscriptStore & Pick<Store, 'listConversations'>;
  /** Adds `pageUrl`, a fresh signed link to the read-only page, to each transcript. */
  links?: TranscriptLinks | undefined;
  clock: Clock;
}): Router {
  const router = Router();

  router.get('/conversations', async (req, res) => {
    const q = parseInput(listQuerySchema, req.query, 'conversation filter');
    const page = await deps.store.listConversations({
      limit: q.limit,
      ...(q.dialogueId === undefined ? {} : { dialogueId: q.dialogueId }),
      ...(q.from === undefined ? {} : { from: startOfDay(q.from, q.timeZone) }),
      ...(q.to === undefined ? {} : { to: startOfDay(nextDay(q.to), q.timeZone) }),
      ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
    });
    res.json({
      conversations: page.conversations.map(listed),
      ...(page.next === undefined ? {} : { next: page.next }),
    });
  });

  router.get('/conversations/:conversationId/transcript', async (req, res) => {
    const id = parseInput(conversationIdSchema, req.params.conversationId, 'conversation id');
    const transcript = await loadTranscript(deps.store, id);
    if (transcript === undefined) throw new NotFoundError(`No conversation ${id} in the log`);
    const pageUrl = deps.links?.url(id, deps.clock.now());
    res.json(pageUrl === undefined ? transcript : { ...transcript, pageUrl });
  });

  return router;
}

/**
 * GET /transcripts/:conversationId?expires=&signature=: the read-only page the chat activity
 * links to. A bad, altered or expired link gets the same 404 page as an unknown conversation,
 * so the page says nothing about which conversations exist. The page is never cached, never
 * indexed, and sends no referrer (its URL is a credential).
 */
export function createTranscriptPageRoutes(deps: {
  store: TranscriptStore;
  links: TranscriptLinks;
  clock: Clock;
}): Router {
  const router = Router();
  router.get('/:conversationId', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    const { conversationId } = req.params;
    const expires = typeof req.query['expires'] === 'string' ? req.query['expires'] : '';
    const signature = typeof req.query['signature'] === 'string' ? req.query['signature'] : '';
    const valid =
      conversationIdSchema.safeParse(conversationId).success &&
      deps.links.verify(conversationId, expires, signature, deps.clock.now());
    const transcript = valid ? await loadTranscript(deps.store, conversationId) : undefined;
    if (transcript === undefined) {
      const text = 'This transcript link is not valid or has expired. Ask an admin for a new one.';
      res.status(404).type('html').send(messagePage('Transcript not found', text));
      return;
    }
    res.status(200).type('html').send(transcriptPage(transcript));
  });
  return router;
}
