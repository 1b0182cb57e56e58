import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { MunchkinLookup } from '../chat/munchkin-lookup.js';
import { parseInput } from '../http/parse-input.js';
import { AppError } from '../errors.js';
import { createBookOnce, SlotTakenError, type BookingDeps } from './book-meeting.js';
import {
  bookingRequestSchema,
  rescheduleRequestSchema,
  slotQuerySchema,
  type BookingResponse,
} from './booking-contract.js';
import { changeMeetingStatus, rescheduleMeeting } from './change-meeting.js';
import { localeSchema, type Meeting } from '../records/meeting-contract.js';
import { createBookPageRoutes } from './book-page-routes.js';
import { sendPage as page } from '../http/html-page.js';
import { cancelPage, managePage, reschedulePage } from './manage-pages.js';
import { listSlots, rescheduleSlots, type SlotDeps } from './meeting-slots.js';
import { toPublicMeeting } from './meeting-views.js';
import { meetingInvitation } from './meeting-writes.js';

export type BookingRoutesDeps = BookingDeps & SlotDeps;

/** The first language of Accept-Language that is a valid tag, as `{ locale }`; else nothing. */
function acceptedLocale(req: Request): { locale?: string } {
  const first = req.acceptsLanguages().find((tag) => tag !== '*');
  return first !== undefined && localeSchema.safeParse(first).success ? { locale: first } : {};
}

/** What the chat's public router lends these routes: its per-client limiter and body reader. */
export interface PublicRouteKit {
  limiter: (limit: number) => RequestHandler;
  body: RequestHandler;
  /** Who a Munchkin cookie is, from Marketo (munchkin-lookup.ts); absent: no lookups. */
  munchkin?: MunchkinLookup | undefined;
}

export const tokenSchema = z.string().regex(/^[\w-]{43}$/, 'not a meeting link');

/**
 * The widget's booking endpoints, mounted inside the chat's public router (same CORS, limits
 * and body rules). Thin: parse with zod, call the meetings module, present. A visitor only ever
 * sees their own meeting, through the unguessable token of their links.
 */
export function createBookingPublicRoutes(deps: BookingRoutesDeps, kit: PublicRouteKit): Router {
  const router = Router();
  // The chat's own Munchkin lookup (one cache, one budget): a cookie proves who books.
  const bookOnce = createBookOnce({ ...deps, munchkin: kit.munchkin });

  router.get('/slots', kit.limiter(60), async (req, res) => {
    const query = parseInput(slotQuerySchema, req.query, 'slot query');
    send(res, 200, await listSlots(deps, query));
  });

  router.post('/meetings', kit.limiter(20), kit.body, async (req, res) => {
    const header = req.get('idempotency-key');
    const body = typeof req.body === 'object' && req.body !== null ? req.body : {};
    const request = parseInput(
      bookingRequestSchema,
      {
        ...body,
        ...(header === undefined ? {} : { idempotencyKey: header }),
        // The browser's language, for the reminder, when the widget names none.
        ...(body.locale === undefined ? acceptedLocale(req) : {}),
      },
      'booking',
    );
    const pending = bookOnce(request);
    try {
      const { meeting, replayed } = await pending;
      const answer: BookingResponse = { meeting: toPublicMeeting(meeting, deps.links), replayed };
      send(res, replayed ? 200 : 201, answer);
    } catch (error) {
      if (!(error instanceof SlotTakenError)) throw error;
      // A clear "taken", with fresh slots of that day so the visitor can pick again at once.
      const fresh = await listSlots(deps, {
        // The visitor's own date of the slot, whatever offset the client wrote it with.
        from: DateTime.fromISO(request.start).setZone(request.timeZone).toISODate()!,
        days: 1,
        timeZone: request.timeZone,
        ...(request.agentId === undefined ? {} : { agentId: request.agentId }),
        ...(request.agentEmail === undefined ? {} : { agentEmail: request.agentEmail }),
        ...(request.meetingType === undefined ? {} : { meetingType: request.meetingType }),
      });
      send(res, 409, {
        error: { code: error.code, message: error.message, field: error.field },
        slots: fresh,
      });
    }
  });

  const byToken = async (token: unknown): Promise<Meeting> => {
    const parsed = tokenSchema.safeParse(token);
    const meeting = parsed.success
      ? await deps.store.findMeetingByManageTokenHash(deps.links.hash(parsed.data))
      : undefined;
    // One answer for a malformed and an unknown link: nothing to learn by probing.
    if (meeting === undefined || meeting.status === 'pending') {
      throw new AppError('NOT_FOUND', 'No meeting for this link', { httpStatus: 404 });
    }
    return meeting;
  };

  /**
   * The link's token is the visitor's authentication (STYLE.md rule 9: authenticate, then
   * validate): resolved before anything reads or checks the body, so a bad token with a bad body
   * gets the link's 404, never a body error. The lookup is by the token's hash, so its time
   * does not depend on how much of a guess is right. The meeting waits in res.locals.
   */
  const meetingByToken: RequestHandler = async (req, res, next) => {
    res.locals['meeting'] = await byToken(req.params['token']);
    next();
  };
  const meetingOf = (res: Response) => res.locals['meeting'] as Meeting;

  /** A browser opening the link gets a page; the widget (Accept: application/json) gets JSON. */
  const wantsPage = (req: Request) =>
    req.accepts(['application/json', 'text/html']) === 'text/html';
  /**
   * The page's own form posts (Content-Type form), and browsers that ask for a page, get a page
   * back; anything else gets JSON. `req.is` is null for a request without a body (curl -X POST),
   * which is not a form.
   */
  const answersWithPage = (req: Request) =>
    typeof req.is('application/x-www-form-urlencoded') === 'string' || wantsPage(req);
  const form = express.urlencoded({ extended: false, limit: '2kb' });
  // The times the meeting may move to: its agent's, and the pool's it would be reassigned in.
  const agentSlots = (meeting: Meeting, query: unknown) =>
    rescheduleSlots(deps, meeting, parseInput(slotQuerySchema, query, 'slot query'));

  router.get('/meetings/manage/:token', kit.limiter(60), meetingByToken, async (req, res) => {
    const meeting = toPublicMeeting(meetingOf(res), deps.links);
    if (wantsPage(req)) page(res, 200, managePage(meeting));
    else send(res, 200, { meeting });
  });

  /** Free times to move the meeting to: its agent's, or another's it would be reassigned to. */
  router.get('/meetings/manage/:token/slots', kit.limiter(60), meetingByToken, async (req, res) => {
    send(res, 200, await agentSlots(meetingOf(res), req.query));
  });

  router.get('/meetings/manage/:token/cancel', kit.limiter(60), meetingByToken, (_req, res) => {
    page(res, 200, cancelPage(toPublicMeeting(meetingOf(res), deps.links)));
  });

  // A cancellation carries nothing: any body (JSON from the widget, an empty form from the
  // page, none from curl) is not read.
  router.post(
    '/meetings/manage/:token/cancel',
    kit.limiter(20),
    meetingByToken,
    async (req, res) => {
      const meeting = meetingOf(res);
      try {
        const changed = await changeMeetingStatus(deps, {
          meetingId: meeting.id,
          to: 'cancelled',
          by: 'visitor',
        });
        const shown = toPublicMeeting(changed, deps.links);
        if (answersWithPage(req)) page(res, 200, managePage(shown, 'Your meeting is cancelled.'));
        else send(res, 200, { meeting: shown });
      } catch (error) {
        if (!answersWithPage(req) || !(error instanceof AppError) || error.httpStatus >= 500)
          throw error;
        page(
          res,
          error.httpStatus,
          managePage(toPublicMeeting(meeting, deps.links), error.message),
        );
      }
    },
  );

  router.get(
    '/meetings/manage/:token/reschedule',
    kit.limiter(60),
    meetingByToken,
    async (req, res) => {
      const meeting = meetingOf(res);
      const zone = meeting.visitor.timeZone ?? 'UTC';
      const slots = await agentSlots(meeting, { timeZone: zone, days: 14, ...req.query });
      page(res, 200, reschedulePage(toPublicMeeting(meeting, deps.links), slots));
    },
  );

  router.post(
    '/meetings/manage/:token/reschedule',
    kit.limiter(20),
    meetingByToken,
    form,
    kit.body,
    async (req, res) => {
      const meeting = meetingOf(res);
      let start: string | undefined;
      try {
        ({ start } = parseInput(rescheduleRequestSchema, req.body, 'reschedule'));
        const changed = await rescheduleMeeting(deps, {
          meetingId: meeting.id,
          start,
          by: 'visitor',
        });
        const shown = toPublicMeeting(changed, deps.links);
        if (answersWithPage(req)) page(res, 200, managePage(shown, 'Your meeting is moved.'));
        else send(res, 200, { meeting: shown });
      } catch (error) {
        if (!answersWithPage(req) && error instanceof SlotTakenError && start !== undefined) {
          // As a booking's 409: that day's free times, so the visitor can pick again at once.
          const zone = meeting.visitor.timeZone ?? 'UTC';
          const from = DateTime.fromISO(start).setZone(zone).toISODate()!;
          send(res, 409, {
            error: { code: error.code, message: error.message, field: error.field },
            slots: await rescheduleSlots(deps, meeting, { from, days: 1, timeZone: zone }),
          });
          return;
        }
        if (!answersWithPage(req) || !(error instanceof AppError) || error.httpStatus >= 500)
          throw error;
        const zone = meeting.visitor.timeZone ?? 'UTC';
        const slots = await agentSlots(meeting, { timeZone: zone, days: 14 });
        page(
          res,
          error.httpStatus,
          reschedulePage(toPublicMeeting(meeting, deps.links), slots, error.message),
        );
      }
    },
  );

  router.get(
    '/meetings/manage/:token/invite.ics',
    kit.limiter(60),
    meetingByToken,
    async (_req, res) => {
      const meeting = meetingOf(res);
      const agent = await deps.store.getAgent(meeting.agentId);
      if (agent === undefined)
        throw new AppError('NOT_FOUND', 'No meeting for this link', { httpStatus: 404 });
      const ics = meetingInvitation(agent, meeting);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Type', 'text/calendar; charset=utf-8; method=REQUEST');
      res.setHeader('Content-Disposition', 'attachment; filename="meeting.ics"');
      res.send(ics);
    },
  );

  router.use(createBookPageRoutes({ ...deps, bookOnce }, kit));
  return router;
}

function send(res: Response, status: number, body: unknown): void {
  res.status(status).setHeader('Cache-Control', 'no-store');
  res.json(body);
}
