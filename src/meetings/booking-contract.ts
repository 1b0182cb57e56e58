import { z } from 'zod';
import { visitorSchema } from '../records/chat-widget-api.js';
import { localeSchema, timeZoneSchema } from '../records/meeting-contract.js';

/**
 * The public booking API the widget calls (mounted under /chat): request schemas and response
 * types. The widget keeps its own copy of the response types (it is built without zod).
 *
 * GET  /chat/slots?from=2026-11-30&days=7&timeZone=Europe/Berlin[&agentId=…][&domain=…]
 * POST /chat/meetings                          book (Idempotency-Key header or body field)
 * GET  /chat/meetings/manage/:token            the visitor's own meeting (a page for browsers)
 * GET  /chat/meetings/manage/:token/slots      free times of the meeting's agent
 * GET  /chat/meetings/manage/:token/cancel     a confirmation page (POST does it)
 * GET  /chat/meetings/manage/:token/reschedule a page of the agent's free times (POST does it)
 * POST /chat/meetings/manage/:token/cancel
 * POST /chat/meetings/manage/:token/reschedule { start }
 * GET  /chat/meetings/manage/:token/invite.ics the iCalendar invitation
 */

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

export const slotQuerySchema = z.object({
  /** First day, in the visitor's time zone; today when absent. */
  from: isoDate.optional(),
  days: z.coerce.number().int().min(1).max(31).default(7),
  timeZone: timeZoneSchema.default('UTC'),
  /** Only this agent's slots (a booking card that names an agent, by id or by email). */
  agentId: z.string().min(1).max(200).optional(),
  agentEmail: z.email().max(254).optional(),
  /** A meeting type id (agent `meetingTypes`): slots of its length; the default length when absent. */
  meetingType: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/)
    .optional(),
  /**
   * The domain of the visitor's email, when the widget knows it (the domain alone: no address
   * in a URL): a domain on the account list shows its agent's free times, as account routing
   * books with that agent when they are free at the slot.
   */
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9.-]{1,253}$/, 'must be a domain, e.g. acme.com')
    .optional(),
});
export type SlotQuery = z.infer<typeof slotQuerySchema>;

/** An ISO 8601 instant with an offset or Z, e.g. 2026-11-30T10:00:00+01:00. */
const instant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 date-time with offset',
});

export const bookingRequestSchema = z.object({
  start: instant,
  email: z
    .email()
    .max(254)
    .transform((email) => email.toLowerCase()),
  name: z.string().trim().min(1).max(200).optional(),
  timeZone: timeZoneSchema.default('UTC'),
  /**
   * The visitor's language (BCP 47), for their reminder email; the request's Accept-Language
   * when absent.
   */
  locale: localeSchema.optional(),
  /** Makes a retry safe: the same key returns the same meeting. The header wins when both are given. */
  idempotencyKey: z.string().min(8).max(200).optional(),
  agentId: z.string().min(1).max(200).optional(),
  /** The booking card's `agentEmail` (routing: agent); agentId wins when both are given. */
  agentEmail: z.email().max(254).optional(),
  dialogueId: z.string().max(200).optional(),
  conversationId: z.string().max(200).optional(),
  anonymousId: z.string().max(200).optional(),
  /**
   * The browser's Munchkin `_mkto_trk` cookie, as the widget sends it to resolve: only a cookie
   * Marketo associates with the booking's email lets routing use that lead's stored fields.
   */
  mktoTrk: visitorSchema.shape.mktoTrk,
  /** The meeting type the visitor picked (the slots were asked with the same id). */
  meetingType: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/)
    .optional(),
});
export type BookingRequest = z.infer<typeof bookingRequestSchema>;

export const rescheduleRequestSchema = z.object({ start: instant });

export interface PublicSlot {
  /** ISO 8601 in the visitor's time zone, e.g. 2026-11-30T10:00:00.000+01:00. */
  start: string;
  end: string;
}

export interface SlotsResponse {
  timeZone: string;
  durationMinutes: number;
  /** The meeting types the pool (or the named agent) offers, by id; empty when none are set. */
  meetingTypes?: Array<{ id: string; name: string; minutes: number }>;
  /** The type these slots are for, when one was asked. */
  meetingType?: { id: string; name: string; minutes: number };
  /** Slots grouped by the visitor's local date. */
  days: Array<{ date: string; slots: PublicSlot[] }>;
}

/** What a visitor sees of their meeting: never another visitor's data, never other meetings. */
export interface PublicMeeting {
  id: string;
  status: string;
  start: string;
  end: string;
  timeZone: string;
  /** The agent's id (Dynamic Chat's callbacks give agentID) and name; never their email. */
  agent: { id: string; name: string };
  meetingType?: { id: string; name: string; minutes: number };
  meetingUrl?: string;
  /** Links for the visitor (unguessable; shown once, at booking). */
  manageUrl: string;
  cancelUrl: string;
  rescheduleUrl: string;
  icsUrl: string;
}

export interface BookingResponse {
  meeting: PublicMeeting;
  /** True when the idempotency key matched an earlier booking. */
  replayed: boolean;
}
