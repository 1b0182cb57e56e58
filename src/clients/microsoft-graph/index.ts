export {
  createMicrosoftCalendar,
  DEFAULT_AUTHORITY,
  DEFAULT_GRAPH,
  type MicrosoftCalendarOptions,
} from './microsoft-calendar.js';
export { MICROSOFT_SCOPES } from './microsoft-oauth.js';
export {
  decideGraphRetry,
  backoffMs,
  parseRetryAfterMs,
  type GraphFailure,
  type RetryDecision,
  type RetryState,
} from './retry-policy.js';
