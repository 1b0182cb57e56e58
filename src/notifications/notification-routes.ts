import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../http/parse-input.js';
import {
  noticeSchema,
  readNotificationCursor,
  type CapturedNotification,
} from '../records/notification.js';
import type { NotificationStore } from '../store/notification-store-types.js';

export const listQuerySchema = z.object({
  meetingId: z.string().min(1).max(200).optional(),
  /** A recipient's address. */
  to: z.email().max(254).optional(),
  /** What the message is about: agent-booked, agent-rescheduled, agent-cancelled, visitor-reminder. */
  kind: noticeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(600)
    .refine((c) => readNotificationCursor(c) !== undefined, {
      error: 'must be the `next` of an earlier page',
    })
    .optional(),
});

function listed(n: CapturedNotification) {
  const { notice, capturedAt, ...rest } = n;
  return { ...rest, kind: notice, capturedAt: new Date(capturedAt).toISOString() };
}

/**
 * GET /api/notifications (behind the admin token like every /api route): the messages captured
 * instead of sent, newest first, filtered by `meetingId`, `to` and `kind`, at most `limit` (100)
 * a page; `next` asks for the page after. `mode` says whether messages are being captured or
 * sent through SMTP (then nothing new is listed).
 */
export function createNotificationRoutes(deps: {
  store: Pick<NotificationStore, 'listNotifications'>;
  mode: 'smtp' | 'capture';
}): Router {
  const router = Router();
  router.get('/notifications', async (req, res) => {
    const q = parseInput(listQuerySchema, req.query, 'notification filter');
    const page = await deps.store.listNotifications({
      limit: q.limit,
      ...(q.meetingId === undefined ? {} : { meetingId: q.meetingId }),
      ...(q.to === undefined ? {} : { to: q.to }),
      ...(q.kind === undefined ? {} : { notice: q.kind }),
      ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
    });
    res.json({
      mode: deps.mode,
      notifications: page.notifications.map(listed),
      ...(page.next === undefined ? {} : { next: page.next }),
    });
  });
  return router;
}
