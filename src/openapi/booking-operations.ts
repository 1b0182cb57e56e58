import { pageQuerySchema } from '../meetings/book-page-routes.js';
import {
  bookingRequestSchema,
  rescheduleRequestSchema,
  slotQuerySchema,
} from '../meetings/booking-contract.js';
import { tokenSchema } from '../meetings/booking-public-routes.js';
import { named, type OperationSpec } from './openapi-operation.js';

const SLOT_QUERY = named('SlotQuery', slotQuerySchema);
const BOOK_PAGE_QUERY = named('BookPageQuery', pageQuerySchema);
const MANAGE_TOKEN = { token: tokenSchema };
const UNKNOWN_LINK = { 404: 'No meeting for this link (a malformed link answers the same).' };

/** Public booking under /chat: free times, booking, the booking page, a visitor's own links. */
export const bookingOperations: OperationSpec[] = [
  {
    method: 'get',
    path: '/chat/slots',
    tag: 'Booking',
    summary: 'Free meeting times',
    access: 'public',
    query: [SLOT_QUERY],
    ok: { description: 'Free slots by day, in the time zone asked for.' },
  },
  {
    method: 'post',
    path: '/chat/meetings',
    tag: 'Booking',
    summary: 'Book a meeting (Idempotency-Key header or body field: a retry books once)',
    access: 'public',
    body: { schema: named('BookingRequest', bookingRequestSchema) },
    ok: {
      status: 201,
      description: 'Booked: the meeting and its links (200 when a retry replays it).',
    },
    also: { 409: "The slot was taken: that day's free times come with the error." },
  },
  ...manageOperations(),
  {
    method: 'get',
    path: '/chat/book',
    tag: 'Booking',
    summary: 'The booking page (a link from an email or the assign-agent webhook)',
    access: 'public',
    query: [BOOK_PAGE_QUERY],
    ok: { description: 'The page of free times.', media: 'html' },
    errorsAsPages: true,
  },
  {
    method: 'get',
    path: '/chat/book/confirm',
    tag: 'Booking',
    summary: "The booking page's confirmation form for a chosen time",
    access: 'public',
    query: [BOOK_PAGE_QUERY],
    ok: { description: 'The form.', media: 'html' },
    errorsAsPages: true,
  },
  {
    method: 'post',
    path: '/chat/book',
    tag: 'Booking',
    summary: "The booking page's form: book the meeting",
    access: 'public',
    body: { schema: named('BookingRequest', bookingRequestSchema), media: 'form' },
    ok: { description: 'The confirmation page.', media: 'html' },
    errorsAsPages: true,
  },
];

/** The links in a booking confirmation: a visitor's own meeting, by its unguessable token. */
function manageOperations(): OperationSpec[] {
  const base = '/chat/meetings/manage/:token';
  const common = { tag: 'Booking', access: 'public', params: MANAGE_TOKEN } as const;
  return [
    {
      ...common,
      method: 'get',
      path: base,
      summary: 'The meeting: a page for a browser, JSON for Accept: application/json',
      ok: { description: 'The meeting.', alsoMedia: 'html' },
      also: UNKNOWN_LINK,
    },
    {
      ...common,
      method: 'get',
      path: `${base}/slots`,
      summary: 'Free times the meeting may move to',
      query: [SLOT_QUERY],
      ok: { description: 'Free slots by day.' },
      also: UNKNOWN_LINK,
    },
    {
      ...common,
      method: 'get',
      path: `${base}/cancel`,
      summary: 'The cancel page',
      ok: { description: 'The page.', media: 'html' },
      also: UNKNOWN_LINK,
    },
    {
      ...common,
      method: 'post',
      path: `${base}/cancel`,
      summary: 'Cancel the meeting (any body is ignored)',
      ok: { description: 'Cancelled: the meeting (a page for a form post).', alsoMedia: 'html' },
      also: UNKNOWN_LINK,
    },
    {
      ...common,
      method: 'get',
      path: `${base}/reschedule`,
      summary: 'The reschedule page with free times',
      query: [SLOT_QUERY],
      ok: { description: 'The page.', media: 'html' },
      also: UNKNOWN_LINK,
    },
    {
      ...common,
      method: 'post',
      path: `${base}/reschedule`,
      summary: 'Move the meeting to another free time (JSON or a form post)',
      body: { schema: named('RescheduleRequest', rescheduleRequestSchema) },
      ok: { description: 'Moved: the meeting (a page for a form post).', alsoMedia: 'html' },
      also: {
        ...UNKNOWN_LINK,
        409: "The time was taken: that day's free times come with the error.",
      },
    },
    {
      ...common,
      method: 'get',
      path: `${base}/invite.ics`,
      summary: 'The meeting as a calendar invitation',
      ok: { description: 'The invitation.', media: 'ics' },
      also: UNKNOWN_LINK,
    },
  ];
}
