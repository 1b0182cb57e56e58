import axios, { type AxiosInstance } from 'axios';
import { systemClock, type Clock } from '../../deps.js';
import { silentLogger, type Logger } from '../../logger.js';
import { SlidingWindowCallBudget, type CallBudget } from './call-budget.js';
import { MarketoCallObservers, type MarketoCallObserver } from './call-observers.js';
import { CustomActivityApi } from './custom-activity-api.js';
import { DailyQuota } from './daily-quota.js';
import type { DailyUsage, DailyUsagePort } from './daily-usage-port.js';
import { LeadApi } from './lead-api.js';
import { LeadExportApi } from './lead-export-api.js';
import { ListCampaignApi } from './list-campaign-api.js';
import { normalizeBaseUrl } from './marketo-request.js';
import { MarketoTransport } from './marketo-transport.js';
import { TokenManager } from './token-manager.js';
import type * as T from './types.js';

export interface MarketoClientOptions {
  /** Instance root, e.g. `https://123-ABC-456.mktorest.com` (a trailing `/rest` is dropped). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Calls allowed to start per sliding window (Adobe: ≤ 50 per 20 s for one integration). */
  rateLimit: number;
  /** Marketo's window, 20,000 ms. */
  rateWindowMs: number;
  /** Added to the window to absorb network jitter. */
  rateMarginMs: number;
  /** Calls in flight at once (Marketo: 10 per instance; Adobe advises ≤ 5). */
  maxConcurrency: number;
  /** Calls per Marketo day (midnight to midnight US Central) we allow ourselves. */
  dailyQuota: number;
  /** Per HTTP request. Marketo's own time-outs run to 300 s (Get Paging Token). */
  timeoutMs: number;
  /** Retries after the first attempt, for transient failures only. */
  maxRetries: number;
  /** First back-off (default 1000 ms); doubles per retry, with jitter. */
  retryMinTimeoutMs?: number;
  /** Longest back-off (default 30,000 ms). */
  retryMaxTimeoutMs?: number;
  /** Renew the token this long before it expires (default 60,000 ms). */
  tokenRenewMarginMs?: number;
  clock?: Clock;
  logger?: Logger;
  /**
   * Where today's call count and a quota pause are kept, with its totals read at start: the
   * store's (`await createStoreDailyUsage(store)`) or one several replicas share (Redis).
   */
  usage?: { port: DailyUsagePort; initial: DailyUsage | undefined };
  http?: AxiosInstance;
  /** Replaces the in-process budget, e.g. with one that several replicas share. */
  budget?: CallBudget;
}

/**
 * The only code in the service that talks to Marketo (REST, bulk extract, identity). It
 * composes the token, the call budget, the daily quota and the retry policy once (in
 * MarketoTransport); the *-api.ts modules build the requests and read the answers.
 */
export class MarketoClient implements T.MarketoApi {
  private readonly transport: MarketoTransport;
  private readonly tokens: TokenManager;
  private readonly quota: DailyQuota;
  private readonly budget: CallBudget;
  private readonly observers = new MarketoCallObservers();
  private readonly dailyQuota: number;
  private readonly leads: LeadApi;
  private readonly exports: LeadExportApi;
  private readonly activities: CustomActivityApi;
  private readonly listsAndCampaigns: ListCampaignApi;

  constructor(options: MarketoClientOptions) {
    const baseUrl = normalizeBaseUrl(options.baseUrl);
    const clock = options.clock ?? systemClock;
    const logger = (options.logger ?? silentLogger).child({ client: 'marketo' });
    const http = options.http ?? axios.create();
    this.dailyQuota = options.dailyQuota;
    this.budget =
      options.budget ??
      new SlidingWindowCallBudget({
        rateLimit: options.rateLimit,
        rateWindowMs: options.rateWindowMs,
        rateMarginMs: options.rateMarginMs,
        maxConcurrency: options.maxConcurrency,
        clock,
      });
    this.tokens = new TokenManager({
      baseUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      http,
      clock,
      logger,
      timeoutMs: options.timeoutMs,
      renewMarginMs: options.tokenRenewMarginMs,
      observers: this.observers,
      ...(this.budget.runUncounted ? { slot: this.budget.runUncounted.bind(this.budget) } : {}),
    });
    this.quota = new DailyQuota({
      dailyQuota: options.dailyQuota,
      clock,
      logger,
      usage: options.usage,
    });
    this.transport = new MarketoTransport({
      baseUrl,
      http,
      tokens: this.tokens,
      budget: this.budget,
      quota: this.quota,
      clock,
      logger,
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      retryMinTimeoutMs: options.retryMinTimeoutMs ?? 1000,
      retryMaxTimeoutMs: options.retryMaxTimeoutMs ?? 30_000,
      observers: this.observers,
    });
    this.leads = new LeadApi(this.transport);
    this.exports = new LeadExportApi(this.transport);
    this.activities = new CustomActivityApi(this.transport);
    this.listsAndCampaigns = new ListCampaignApi(this.transport);
  }

  describeLeadFields() {
    return this.leads.describeLeadFields();
  }

  getPagingToken(since: Date) {
    return this.leads.getPagingToken(since);
  }

  getLeadChanges(args: Parameters<T.MarketoApi['getLeadChanges']>[0]) {
    return this.leads.getLeadChanges(args);
  }

  getDeletedLeads(args: Parameters<T.MarketoApi['getDeletedLeads']>[0]) {
    return this.leads.getDeletedLeads(args);
  }

  getLeadActivities(args: Parameters<T.MarketoApi['getLeadActivities']>[0]) {
    return this.leads.getLeadActivities(args);
  }

  getLeadsByIds(ids: number[], fields: string[]) {
    return this.leads.getLeadsByIds(ids, fields);
  }

  getLeadsByCookie(cookie: string, fields: string[]) {
    return this.leads.getLeadsByCookie(cookie, fields);
  }

  syncLeads(...args: Parameters<T.MarketoApi['syncLeads']>) {
    return this.leads.syncLeads(...args);
  }

  createLeadExport(args: Parameters<T.MarketoApi['createLeadExport']>[0]) {
    return this.exports.createLeadExport(args);
  }

  enqueueLeadExport(exportId: string) {
    return this.exports.enqueueLeadExport(exportId);
  }

  getLeadExportStatus(exportId: string) {
    return this.exports.getLeadExportStatus(exportId);
  }

  getLeadExportFile(exportId: string, expectedChecksum?: string) {
    return this.exports.getLeadExportFile(exportId, expectedChecksum);
  }

  cancelLeadExport(exportId: string) {
    return this.exports.cancelLeadExport(exportId);
  }

  listCustomActivityTypes() {
    return this.activities.listCustomActivityTypes();
  }

  createCustomActivityType(type: Parameters<T.MarketoApi['createCustomActivityType']>[0]) {
    return this.activities.createCustomActivityType(type);
  }

  createCustomActivityTypeAttributes(apiName: string, attributes: T.CustomActivityTypeAttribute[]) {
    return this.activities.createCustomActivityTypeAttributes(apiName, attributes);
  }

  approveCustomActivityType(apiName: string) {
    return this.activities.approveCustomActivityType(apiName);
  }

  addCustomActivities(input: T.CustomActivityInput[]) {
    return this.activities.addCustomActivities(input);
  }

  addLeadsToList(listId: number, leadIds: number[]) {
    return this.listsAndCampaigns.addLeadsToList(listId, leadIds);
  }

  requestCampaign(campaignId: number, leadIds: number[]) {
    return this.listsAndCampaigns.requestCampaign(campaignId, leadIds);
  }

  checkConnection(): Promise<void> {
    return this.tokens.fetchFresh();
  }

  async recheckCredentials(): Promise<void> {
    // getToken answers a refusal still within its wait without asking Identity.
    await this.tokens.getToken().catch(() => undefined);
  }

  stats(): T.MarketoClientStats {
    const usage = this.quota.snapshot();
    const rejection = this.tokens.rejection;
    return {
      ...(rejection === undefined ? {} : { identityRejected: { ...rejection } }),
      calls: this.transport.callsSent,
      callsToday: usage.callsToday,
      dailyQuota: this.dailyQuota,
      errorsByCode: this.quota.errorsByCode(),
      tokenRequests: this.tokens.tokenRequests,
      pausedUntil: usage.pausedUntil,
      budget: this.budget.stats(),
    };
  }

  /**
   * Tells `observer` of every request sent from now on (identity included) and its result;
   * returns the function that stops it. The service's metrics subscribe here, so this module
   * needs no metrics library and several services may share one client (tests).
   */
  observeCalls(observer: MarketoCallObserver): () => void {
    return this.observers.add(observer);
  }

  /**
   * For a shutdown, before the sync and the outbox are awaited: calls waiting for the budget
   * end at once, unsent, and requests in flight are aborted (both MARKETO_STOPPED), so a stop
   * never waits out a rate window (20 s) or a request time-out (MARKETO_TIMEOUT_MS).
   */
  stop(): void {
    this.transport.stop();
  }

  /** Saves today's call count and any pause now; call it on shutdown. */
  flushUsage(): Promise<void> {
    return this.quota.flush();
  }
}

export function createMarketoClient(options: MarketoClientOptions): MarketoClient {
  return new MarketoClient(options);
}
