import { randomUUID } from 'node:crypto';
import express, { Router, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { bookMeeting, type BookingDeps } from './book-meeting.js';
import { bookingRequestSchema } from './booking-contract.js';
import type { PublicRouteKit } from './booking-public-routes.js';
import { confirmPage, slotsPage, type BookPageQuery } from './book-page.js';
import { timeZoneSchema } from './meeting-contract.js';
import { listSlots, type SlotDeps } from './meeting-slots.js';
import { toPublicMeeting } from './meeting-views.js';

const pageQuerySchema = z.object({
  agent: z.string().min(1).max(200).optional(),
  timeZone: timeZoneSchema.optional(),
  start: z.iso.datetime({ offset: true }).optional(),
});

/**
 * GET /chat/book?agent=<id>, GET /chat/book/confirm, POST /chat/book: booking without the
 * widget, for the links Marketo sends (the Call Webhook's `bookingUrl`). The booking itself is
 * the widget's (bookMeeting), so routing, limits and idempotency are the same; a form carries
 * an idempotency key made when it was shown, so a double submit books once.
 */
export function createBookPageRoutes(deps: BookingDeps & SlotDeps, kit: PublicRouteKit): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const page = (res: Response, status: number, html: string) => {
    res.status(status).setHeader('Cache-Control', 'no-store');
    res.type('html').send(html);
  };
  const readQuery = (raw: unknown) => {
    const parsed = pageQuerySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || 'query';
      throw new AppError('VALIDATION_FAILED', `${field}: ${issue.message}`, {
        httpStatus: 400,
        field,
      });
    }
    const agent =
      parsed.data.agent === undefined ? undefined : deps.store.getAgent(parsed.data.agent);
    if (parsed.data.agent !== undefined && agent === undefined) {
      throw new AppError('VALIDATION_FAILED', `agent: no agent ${parsed.data.agent}`, {
        httpStatus: 400,
        field: 'agent',
      });
    }
    const query: BookPageQuery = {
      ...(agent === undefined ? {} : { agentId: agent.id }),
      timeZone: parsed.data.timeZone ?? agent?.timeZone ?? 'UTC',
    };
    return { query, agent, start: parsed.data.start };
  };

  router.get('/book', kit.limiter(60), async (req, res) => {
    const { query, agent } = readQuery(req.query);
    const slots = await listSlots(deps, {
      days: 14,
      timeZone: query.timeZone,
      ...(query.agentId === undefined ? {} : { agentId: query.agentId }),
    });
    page(
      res,
      200,
      slotsPage({ query, slots, ...(agent === undefined ? {} : { agentName: agent.name }) }),
    );
  });

  router.get('/book/confirm', kit.limiter(60), (req, res) => {
    const { query, agent, start } = readQuery(req.query);
    if (start === undefined)
      throw new AppError('VALIDATION_FAILED', 'start: missing', {
        httpStatus: 400,
        field: 'start',
      });
    page(
      res,
      200,
      confirmPage({
        query,
        start,
        idempotencyKey: randomUUID(),
        ...(agent === undefined ? {} : { agentName: agent.name }),
      }),
    );
  });

  router.post('/book', kit.limiter(20), form, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, string>;
    const parsed = bookingRequestSchema.safeParse({
      ...body,
      ...(body['agentId'] === '' ? { agentId: undefined } : {}),
      ...(body['name'] === '' ? { name: undefined } : {}),
    });
    const query: BookPageQuery = {
      ...(body['agentId'] ? { agentId: body['agentId'] } : {}),
      timeZone: parsed.success ? parsed.data.timeZone : 'UTC',
    };
    const again = (status: number, error: string) =>
      page(
        res,
        status,
        confirmPage({
          query,
          start: body['start'] ?? '',
          idempotencyKey: body['idempotencyKey'] ?? randomUUID(),
          error,
          values: {
            ...(body['name'] ? { name: body['name'] } : {}),
            ...(body['email'] ? { email: body['email'] } : {}),
          },
        }),
      );
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      again(400, `${issue.path.join('.') || 'form'}: ${issue.message}`);
      return;
    }
    try {
      const { meeting } = await bookMeeting(deps, parsed.data);
      res.redirect(303, toPublicMeeting(meeting, deps.links).manageUrl);
    } catch (error) {
      if (!(error instanceof AppError) || error.httpStatus >= 500) throw error;
      again(error.httpStatus, error.message);
    }
  });

  return router;
}
