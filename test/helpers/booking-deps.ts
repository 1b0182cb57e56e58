import { createAgentCalendars } from '../../src/calendar/agent-calendars.js';
import type { CalendarClient } from '../../src/calendar/calendar-types.js';
import { createLocalCalendar } from '../../src/calendar/local-calendar.js';
import type { TokenCipher } from '../../src/calendar/token-cipher.js';
import { createSequentialIds, type Clock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import type { BookingDeps } from '../../src/meetings/book-meeting.js';
import { createManageLinks } from '../../src/meetings/manage-links.js';

/**
 * Booking's dependencies for tests that drive `bookMeeting` directly: the built-in calendar
 * (plus any fake provider), and a free/busy "cache" that always loads, so every calendar call
 * is seen and nothing depends on cache timing.
 */
export function createBookingDeps(args: {
  store: BookingDeps['store'];
  clock: Clock;
  cipher: TokenCipher;
  clients?: { local?: CalendarClient; google?: CalendarClient; microsoft?: CalendarClient };
}): BookingDeps {
  const { store, clock, cipher } = args;
  return {
    store,
    clock,
    ids: createSequentialIds('meeting'),
    logger: silentLogger,
    links: createManageLinks({ secrets: ['test-secret'], publicBaseUrl: 'https://chat.test' }),
    calendars: createAgentCalendars({
      store,
      clock,
      logger: silentLogger,
      cipher,
      clients: { local: createLocalCalendar({ clock }), ...args.clients },
      busyCache: { get: (_key, load) => load(), invalidate() {} },
    }),
  };
}
