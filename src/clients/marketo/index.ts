/** The Marketo client: the only module that knows Marketo's URLs, auth, limits and codes. */
export { MarketoClient, createMarketoClient, type MarketoClientOptions } from './marketo-client.js';
export {
  SlidingWindowCallBudget,
  type CallBudget,
  type CallBudgetStats,
  type SlidingWindowCallBudgetOptions,
} from './call-budget.js';
export {
  DailyQuota,
  MARKETO_TIME_ZONE,
  callsRemaining,
  marketoDayKey,
  nextMarketoReset,
} from './daily-quota.js';
export {
  MarketoApiError,
  isMarketoApiError,
  type MarketoApiErrorOptions,
  type MarketoErrorCode,
} from './marketo-error.js';
export {
  classifyMarketoFailure,
  isJobAlreadyQueued,
  type MarketoFailure,
  type MarketoFailureAction,
} from './retry-policy.js';
export type * from './types.js';
export type { MarketoCallEvent, MarketoCallObserver } from './call-observers.js';
