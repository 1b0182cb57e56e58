import { z } from 'zod';

/**
 * Notifications by email (issue 11 item 11): what a captured message looks like when it is kept
 * instead of sent (sandbox mode, or no SMTP_URL), and how the admin list of them is filtered and
 * paged. The store keeps these; src/notifications/ decides what is sent and when.
 */

/**
 * What a message is about: the agent's booking, reschedule and cancellation notices (a reassign
 * sends a cancellation to the old agent and a booking to the new one), and the visitor's reminder.
 */
export const NOTICES = [
  'agent-booked',
  'agent-rescheduled',
  'agent-cancelled',
  'visitor-reminder',
] as const;
export const noticeSchema = z.enum(NOTICES);
export type Notice = z.infer<typeof noticeSchema>;

/** The iCalendar method of the invitation a message carries (RFC 5546 §3.2). */
export const invitationMethodSchema = z.enum(['REQUEST', 'CANCEL']);
export type InvitationMethod = z.infer<typeof invitationMethodSchema>;

export const capturedNotificationSchema = z.object({
  /** The notification's stable id: its outbox dedupe key, also in its Message-ID. */
  id: z.string().min(1).max(200),
  notice: noticeSchema,
  meetingId: z.string().min(1).max(200),
  /** The recipient's address, lower-cased. */
  to: z.string().min(3).max(254),
  from: z.string().min(3).max(400),
  subject: z.string().max(400),
  /** The plain-text body. */
  text: z.string().max(20_000),
  /** Set when the message carries an iCalendar invitation (text/calendar and invite.ics). */
  invitation: z
    .object({ method: invitationMethodSchema, sequence: z.number().int().nonnegative() })
    .optional(),
  messageId: z.string().max(300),
  /** The whole message as nodemailer built it (RFC 5322, MIME): what SMTP would have carried. */
  raw: z.string().max(200_000),
  capturedAt: z.number().int().nonnegative(),
});
export type CapturedNotification = z.infer<typeof capturedNotificationSchema>;

export interface NotificationFilter {
  meetingId?: string;
  /** A recipient address, compared lower-cased. */
  to?: string;
  notice?: Notice;
  limit: number;
  /** The `next` of the page before. */
  cursor?: string;
}

/** Newest captured first; `next` is absent on the last page. */
export interface NotificationPage {
  notifications: CapturedNotification[];
  next?: string;
}

/** Newest first: by capture time, then by id (byte order), both descending. */
export function isNewerNotification(
  a: Pick<CapturedNotification, 'capturedAt' | 'id'>,
  b: Pick<CapturedNotification, 'capturedAt' | 'id'>,
): boolean {
  return a.capturedAt !== b.capturedAt ? a.capturedAt > b.capturedAt : a.id > b.id;
}

/** The cursor of a page that ended at `last`. */
export function notificationCursor(last: Pick<CapturedNotification, 'capturedAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([last.capturedAt, last.id])).toString('base64url');
}

/** Undefined for a cursor this service did not make. */
export function readNotificationCursor(
  cursor: string,
): { capturedAt: number; id: string } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const parsed = z.tuple([z.number().int(), z.string().min(1).max(200)]).safeParse(value);
    return parsed.success ? { capturedAt: parsed.data[0], id: parsed.data[1] } : undefined;
  } catch {
    return undefined;
  }
}
