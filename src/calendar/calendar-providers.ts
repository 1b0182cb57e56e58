import { createGoogleCalendar } from '../clients/google-calendar/index.js';
import { createMicrosoftCalendar } from '../clients/microsoft-graph/index.js';
import type { Config } from '../config.js';
import type { Clock } from '../deps.js';
import type { Logger } from '../logger.js';
import type { CalendarClient, CalendarOAuth } from './calendar-types.js';

export interface CalendarProviders {
  google?: { client: CalendarClient; oauth: CalendarOAuth };
  microsoft?: { client: CalendarClient; oauth: CalendarOAuth };
}

/** The providers configured (client id and secret set), with their base URLs; none in a bare setup. */
export function createCalendarProviders(
  config: Config['calendar'],
  deps: { clock: Clock; logger: Logger },
): CalendarProviders {
  const providers: CalendarProviders = {};
  const { google, microsoft } = config;
  if (google !== undefined) {
    providers.google = createGoogleCalendar({
      clientId: google.clientId,
      clientSecret: google.clientSecret,
      urls: {
        ...(google.oauthUrl === undefined ? {} : { authorize: google.oauthUrl }),
        ...(google.tokenUrl === undefined ? {} : { token: google.tokenUrl }),
        ...(google.apiUrl === undefined ? {} : { api: google.apiUrl }),
      },
      clock: deps.clock,
      logger: deps.logger.child({ provider: 'google' }),
    });
  }
  if (microsoft !== undefined) {
    providers.microsoft = createMicrosoftCalendar({
      clientId: microsoft.clientId,
      clientSecret: microsoft.clientSecret,
      tenant: microsoft.tenant,
      urls: {
        ...(microsoft.authorityUrl === undefined ? {} : { authority: microsoft.authorityUrl }),
        ...(microsoft.graphUrl === undefined ? {} : { graph: microsoft.graphUrl }),
      },
      clock: deps.clock,
      logger: deps.logger.child({ provider: 'microsoft' }),
    });
  }
  return providers;
}
