import type { Router } from 'express';
import { createAgentCalendars } from '../calendar/agent-calendars.js';
import { createBusyCache } from '../calendar/busy-cache.js';
import type { CalendarClient, CalendarOAuth } from '../calendar/calendar-types.js';
import { createLocalCalendar } from '../calendar/local-calendar.js';
import { observeCalendar } from '../calendar/observed-calendar.js';
import { createOAuthCallbackRoutes } from '../calendar/oauth-callback-routes.js';
import { createOAuthConnect } from '../calendar/oauth-connect.js';
import type { TokenCipher } from '../calendar/token-cipher.js';
import type { Clock, Ids } from '../deps.js';
import type { Logger } from '../logger.js';
import { createAccountRoutingRoutes } from '../routing/account-routing-routes.js';
import { createRoutingAdminRoutes } from '../routing/routing-admin-routes.js';
import type { Store } from '../store/types.js';
import { createAgentAdminRoutes } from './agent-admin-routes.js';
import type { BookingDeps } from './book-meeting.js';
import { createBookingPublicRoutes, type PublicRouteKit } from './booking-public-routes.js';
import { runMeetingJobs } from './complete-meetings.js';
import { createManageLinks } from './manage-links.js';
import { createMeetingWriteBackRoutes } from './meeting-write-back.js';
import { createMeetingAdminRoutes } from './meeting-admin-routes.js';
import { createMeetingLinkHandler, MEETING_LINK_KIND } from './meeting-link.js';
import type { AgentLeadFields } from './meeting-lead-fields.js';

export interface MeetingsModuleDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  /** Seals refresh tokens; its key also signs the visitors' meeting links. */
  cipher: TokenCipher;
  /** The secrets the meeting links are derived from: TOKEN_ENCRYPTION_KEY, then _PREVIOUS. */
  linkSecrets: Buffer[];
  publicBaseUrl: string;
  /** The configured providers (src/clients/google-calendar, src/clients/microsoft-graph). */
  providers: {
    google?: { client: CalendarClient; oauth: CalendarOAuth };
    microsoft?: { client: CalendarClient; oauth: CalendarOAuth };
  };
  ownerField?: string | undefined;
  /** Lead fields that receive the assigned agent's email and name (off when unset). */
  agentLeadFields?: AgentLeadFields;
  busyCacheTtlMs?: number;
  maxMeetingsPerVisitor?: number;
  noShowGraceMs?: number;
  onEnqueued?: () => void;
  /** Told of each meeting booked (the service's metrics). */
  onMeetingBooked?: () => void;
  /** Told of each calendar provider call that failed (the service's metrics). */
  onCalendarError?: (provider: string, operation: string) => void;
}

/**
 * Calendars, booking, routing and meetings, put together once for the composition root (and for
 * tests that want the real thing): the routes to mount and the periodic job.
 */
export function createMeetingsModule(deps: MeetingsModuleDeps) {
  const busyCache = createBusyCache({
    clock: deps.clock,
    ...(deps.busyCacheTtlMs === undefined ? {} : { ttlMs: deps.busyCacheTtlMs }),
  });
  const { onCalendarError } = deps;
  const observed = (client: CalendarClient) =>
    onCalendarError === undefined ? client : observeCalendar(client, onCalendarError);
  const calendars = createAgentCalendars({
    store: deps.store,
    clock: deps.clock,
    logger: deps.logger,
    cipher: deps.cipher,
    busyCache,
    clients: {
      local: observed(createLocalCalendar({ clock: deps.clock })),
      ...(deps.providers.google === undefined
        ? {}
        : { google: observed(deps.providers.google.client) }),
      ...(deps.providers.microsoft === undefined
        ? {}
        : { microsoft: observed(deps.providers.microsoft.client) }),
    },
  });
  const booking: BookingDeps = {
    store: deps.store,
    calendars,
    clock: deps.clock,
    ids: deps.ids,
    logger: deps.logger.child({ module: 'meetings' }),
    links: createManageLinks({ secrets: deps.linkSecrets, publicBaseUrl: deps.publicBaseUrl }),
    ...(deps.ownerField === undefined ? {} : { ownerField: deps.ownerField }),
    ...(deps.onEnqueued === undefined ? {} : { onEnqueued: deps.onEnqueued }),
    ...(deps.agentLeadFields === undefined ? {} : { agentLeadFields: deps.agentLeadFields }),
    ...(deps.maxMeetingsPerVisitor === undefined
      ? {}
      : { maxMeetingsPerVisitor: deps.maxMeetingsPerVisitor }),
    ...(deps.noShowGraceMs === undefined ? {} : { noShowGraceMs: deps.noShowGraceMs }),
    ...(deps.onMeetingBooked === undefined ? {} : { onBooked: deps.onMeetingBooked }),
  };
  const oauth = createOAuthConnect({
    store: deps.store,
    clock: deps.clock,
    logger: deps.logger,
    cipher: deps.cipher,
    providers: {
      ...(deps.providers.google === undefined ? {} : { google: deps.providers.google.oauth }),
      ...(deps.providers.microsoft === undefined
        ? {}
        : { microsoft: deps.providers.microsoft.oauth }),
    },
    redirectUri: `${deps.publicBaseUrl}/oauth/calendar/callback`,
  });

  return {
    booking,
    busyCache,
    /** Mounted inside the chat's public router (/chat/slots, /chat/meetings…). */
    publicRoutes: (kit: PublicRouteKit): Router => createBookingPublicRoutes(booking, kit),
    /** Under /api, behind the admin token. */
    adminRouters: [
      createAgentAdminRoutes({ ...booking, store: deps.store, oauth }),
      createMeetingAdminRoutes(booking),
      createMeetingWriteBackRoutes({ store: deps.store }),
      createRoutingAdminRoutes({ store: deps.store, clock: deps.clock, ids: deps.ids }),
      createAccountRoutingRoutes({ store: deps.store }),
    ],
    /** Mounted at /oauth: the providers' redirect back. */
    oauthRouter: createOAuthCallbackRoutes(oauth),
    runJobs: () => runMeetingJobs(booking),
    /** For the Marketo outbox: a Meet link still pending at booking is read later. */
    outboxHandlers: { [MEETING_LINK_KIND]: createMeetingLinkHandler(booking) },
  };
}
