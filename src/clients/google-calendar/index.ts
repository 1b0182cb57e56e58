/** The Google Calendar provider: the only module that knows Google's URLs, auth and codes. */
export {
  createGoogleCalendar,
  type GoogleCalendar,
  type GoogleCalendarOptions,
} from './google-calendar.js';
export { GOOGLE_CALENDAR_SCOPES } from './google-oauth.js';
export { googleEventId } from './google-event.js';
export {
  classifyGoogleFailure,
  googleRetryDelayMs,
  parseRetryAfterMs,
  MAX_RETRY_AFTER_MS,
  type GoogleFailure,
  type GoogleFailureAction,
} from './google-retry-policy.js';
