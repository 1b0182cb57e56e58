import { randomUUID } from 'node:crypto';
import express, { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { AppError, ValidationError } from '../errors.js';
import { parseInput } from '../http/parse-input.js';
import type { BookingDeps, BookOnce } from './book-meeting.js';
import { bookingRequestSchema, slotQuerySchema } from './booking-contract.js';
import type { PublicRouteKit } from './booking-public-routes.js';
import { confirmPage, slotsPage, type BookPageQuery } from './book-page.js';
import { messagePage, sendPage } from '../http/html-page.js';
import { timeZoneSchema } from '../records/meeting-contract.js';
import { listSlots, type SlotDeps } from './meeting-slots.js';
import { toPublicMeeting } from './meeting-views.js';

export const pageQuerySchema = z.object({
  agent: z.string().min(1).max(200).optional(),
  timeZone: timeZoneSchema.optional(),
  start: z.iso.datetime({ offset: true }).optional(),
  /** A meeting type id (e.g. a link to "the 15-minute intro"). */
  meetingType: slotQuerySchema.shape.meetingType,
});

export type BookPageDeps = BookingDeps &
  SlotDeps & {
    /** The widget route's booking, shared so a double submit joins the first (booking-public-routes). */
    bookOnce: BookOnce;
  };

/** One value per field: a repeated field (`name=a&name=b`) counts as its first value. */
function firstValues(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return out;
  for (const [key, value] of Object.entries(body)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string' && first !== '') out[key] = first;
  }
  return out;
}

/**
 * GET /chat/book?agent=<id>, GET /chat/book/confirm, POST /chat/book: booking without the
 * widget, for the links Marketo sends (the Call Webhook's `bookingUrl`). The booking itself is
 * the widget's, so routing, limits and idempotency are the same; a form carries an idempotency
 * key made when it was shown, so a double submit books once. Every answer is a page, errors too.
 */
export function createBookPageRoutes(deps: BookPageDeps, kit: PublicRouteKit): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  /** Errors as pages: the visitor's own mistakes say what to fix, anything else says retry. */
  const asPage =
    (
      handler: (req: Parameters<RequestHandler>[0], res: Response) => Promise<void> | void,
    ): RequestHandler =>
    async (req, res) => {
      try {
        await handler(req, res);
      } catch (error) {
        const status = error instanceof AppError ? error.httpStatus : 500;
        const text =
          error instanceof AppError && status < 500
            ? error.message
            : 'Booking is not possible right now. Please try again in a few minutes.';
        sendPage(res, status, messagePage('Booking not possible', text));
      }
    };
  const readQuery = async (raw: unknown) => {
    const link = parseInput(pageQuerySchema, firstValues(raw), 'booking link');
    const agent = link.agent === undefined ? undefined : await deps.store.getAgent(link.agent);
    if (link.agent !== undefined && agent === undefined) {
      throw new ValidationError('agent: this booking link is not valid any more', 'agent');
    }
    const query: BookPageQuery = {
      ...(agent === undefined ? {} : { agentId: agent.id }),
      timeZone: link.timeZone ?? agent?.timeZone ?? 'UTC',
      ...(link.meetingType === undefined ? {} : { meetingType: link.meetingType }),
    };
    return { query, agent, start: link.start };
  };

  router.get(
    '/book',
    kit.limiter(60),
    asPage(async (req, res) => {
      const { query, agent } = await readQuery(req.query);
      const slots = await listSlots(deps, {
        days: 14,
        timeZone: query.timeZone,
        ...(query.agentId === undefined ? {} : { agentId: query.agentId }),
        ...(query.meetingType === undefined ? {} : { meetingType: query.meetingType }),
      });
      sendPage(
        res,
        200,
        slotsPage({ query, slots, ...(agent === undefined ? {} : { agentName: agent.name }) }),
      );
    }),
  );

  router.get(
    '/book/confirm',
    kit.limiter(60),
    asPage(async (req, res) => {
      const { query, agent, start } = await readQuery(req.query);
      if (start === undefined) {
        throw new ValidationError('start: pick a time first', 'start');
      }
      const idempotencyKey = randomUUID();
      sendPage(
        res,
        200,
        confirmPage({
          query,
          start,
          idempotencyKey,
          ...(agent === undefined ? {} : { agentName: agent.name }),
        }),
      );
    }),
  );

  router.post(
    '/book',
    kit.limiter(20),
    form,
    asPage(async (req, res) => {
      const body = firstValues(req.body);
      const parsed = bookingRequestSchema.safeParse(body);
      const query: BookPageQuery = {
        ...(body['agentId'] === undefined ? {} : { agentId: body['agentId'] }),
        timeZone: parsed.success ? parsed.data.timeZone : 'UTC',
        ...(body['meetingType'] === undefined ? {} : { meetingType: body['meetingType'] }),
      };
      const again = (status: number, error: string) =>
        sendPage(
          res,
          status,
          confirmPage({
            query,
            start: body['start'] ?? '',
            idempotencyKey: body['idempotencyKey'] ?? randomUUID(),
            error,
            values: {
              ...(body['name'] === undefined ? {} : { name: body['name'] }),
              ...(body['email'] === undefined ? {} : { email: body['email'] }),
            },
          }),
        );
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        again(400, `${issue.path.join('.') || 'form'}: ${issue.message}`);
        return;
      }
      try {
        const { meeting } = await deps.bookOnce(parsed.data);
        res.redirect(303, toPublicMeeting(meeting, deps.links).manageUrl);
      } catch (error) {
        if (!(error instanceof AppError) || error.httpStatus >= 500) throw error;
        again(error.httpStatus, error.message);
      }
    }),
  );

  return router;
}
