import type { CampaignRequest, ListMember } from './sandbox-marketing.js';
import type { Express } from 'express';
import type { Clock } from '../deps.js';
import type { Logger } from '../logger.js';
import type { CallLogEntry } from './sandbox-call-log.js';
import type { FaultCounts, FaultProfileInput, OutageInput } from './sandbox-fault-profile.js';

/**
 * Public types of the local Marketo stand-in. Defaults mirror Marketo's documented limits
 * (DEV:help/rest-api/rest-api.md "Limits", bulk-extract.md "Limits"); tests shrink them.
 */
export interface SandboxLimits {
  /** Executed calls allowed in any sliding `rateWindowMs` window (Marketo: 100 per 20 s). */
  rateLimit: number;
  rateWindowMs: number;
  /** Calls allowed in flight at once (Marketo: 10). */
  maxConcurrency: number;
  /** Executed calls per Marketo day, which starts at midnight America/Chicago (default 50,000). */
  dailyQuota: number;
  /** Delay applied while a call is in flight, so concurrency is real. */
  latencyMs: number;
  /** Lifetime of a new access token (Marketo: 3,600 s). */
  tokenTtlSeconds: number;
  /** Time a bulk job spends Queued->Processing->Completed once it has a slot. */
  bulkProcessingMs: number;
  /** Bytes of export files allowed per Marketo day (Marketo: 500 MB). */
  bulkDailyQuotaBytes: number;
  /** false makes the `updatedAt` bulk filter answer 1035, as on some subscriptions. */
  bulkUpdatedAtSupported: boolean;
}

export interface SandboxOptions extends Partial<SandboxLimits> {
  clientId?: string;
  clientSecret?: string;
  /**
   * More API users of the same instance, each with a token of its own and the instance's
   * limits shared (several replicas, each with its own credentials, told apart in the stats).
   */
  moreApiUsers?: Array<{ clientId: string; clientSecret: string }>;
  /** Demo leads created at start (no activities are logged for them). */
  seedLeads?: number;
  /** Seed of the deterministic PRNG behind the demo data. */
  seed?: number;
  /** Fraction of ids skipped while seeding, leaving gaps like deleted leads. */
  idGapRate?: number;
  firstLeadId?: number;
  clock?: Clock;
  logger?: Logger;
}

export type LeadValue = string | number | boolean | null;

/** A lead as the sandbox keeps it: REST field name -> value; dates are ISO 8601 `...Z`. */
export interface SandboxLead {
  id: number;
  createdAt: string;
  updatedAt: string;
  [field: string]: LeadValue;
}

export interface ActivityAttribute {
  name: string;
  apiName?: string;
  value: LeadValue;
}

export interface LeadChangeField {
  id: number;
  name: string;
  newValue: string | null;
  oldValue: string | null;
}

/** An activity in Marketo's wire shape (Get Lead Activities / Get Lead Changes). */
export interface SandboxActivity {
  id: number;
  marketoGUID: string;
  leadId: number;
  activityDate: string;
  activityTypeId: number;
  primaryAttributeValueId?: number;
  primaryAttributeValue?: string;
  fields?: LeadChangeField[];
  attributes: ActivityAttribute[];
}

export interface CustomActivityAttributeView {
  apiName: string;
  name: string;
  description?: string;
  dataType: string;
}

export interface CustomActivityTypeView {
  id: number;
  apiName: string;
  name: string;
  description?: string;
  triggerName: string;
  filterName: string;
  createdAt: string;
  updatedAt: string;
  status: 'draft' | 'approved' | 'approved with draft';
  primaryAttribute: CustomActivityAttributeView;
  attributes: CustomActivityAttributeView[];
}

/** The next `times` calls whose path matches fail this way (default: once, code 611). */
export interface FaultSpec {
  /** A string matches paths that start with it; omitted matches every path. */
  path?: string | RegExp;
  /** Marketo error code answered in the envelope, e.g. '606'. */
  code?: string;
  /** HTTP status, e.g. 502. With `code`, the envelope is sent with this status. */
  httpStatus?: number;
  /** No answer at all: the connection is destroyed (the client sees ECONNRESET). */
  drop?: boolean;
  /**
   * The call is executed first (auth, limits, the write) and the fault replaces its success
   * answer: a write whose answer was lost, as after a gateway time-out. Calls that fail on
   * their own (auth, limits, bad input) answer as usual and leave the fault pending.
   */
  after?: boolean;
  times?: number;
  message?: string;
}

/** A call the limiter refused: when it arrived, whose it was and the code it got. */
export interface LimitRefusal {
  at: number;
  clientId: string;
  path: string;
  code: string;
}

export interface SandboxStats {
  /** REST and bulk calls executed (admitted past auth and limits); identity excluded. */
  calls: number;
  callsByPath: Record<string, number>;
  /** Executed calls by the client id of the API user whose token they carried. */
  callsByClient: Record<string, number>;
  /** Marketo codes ('606') and HTTP-level failures ('http:414') answered. */
  errorsByCode: Record<string, number>;
  /** Most executed calls whose arrival fell inside one sliding rate window. */
  maxInWindow: number;
  /** Most calls observed in flight at once. */
  maxConcurrent: number;
  /** Requests that carried `access_token` in the query or body (answered 601). */
  queryTokenUses: number;
  identityCalls: number;
  tokensIssued: number;
  /** Executed calls in the current Marketo day (what the 607 check counts). */
  callsToday: number;
  /** When the first and the last executed call arrived (sandbox clock), since the last reset. */
  firstCallAt?: number;
  lastCallAt?: number;
}

export interface SandboxServer {
  /** e.g. `http://127.0.0.1:54321`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

export interface MarketoSandbox {
  app: Express;
  listen(port?: number, host?: string): Promise<SandboxServer>;
  /**
   * Creates (no id, or an id not in use) or updates a lead by id, logging New Lead (12) or one
   * Change Data Value (13) per changed field at the clock's now. May set createdAt/updatedAt to
   * build history. Throws TypeError for a field the schema does not have.
   */
  upsertLead(fields: Record<string, LeadValue | undefined>): SandboxLead;
  /** Removes a lead and logs a Delete Lead (37) activity; false when it did not exist. */
  deleteLead(id: number): boolean;
  /** As Munchkin does on a form fill: the cookie now identifies the lead (filterType=cookies). */
  associateCookie(leadId: number, cookie: string): boolean;
  getLead(id: number): SandboxLead | undefined;
  allLeads(): SandboxLead[];
  leadCount(): number;
  injectFault(fault: FaultSpec): void;
  /**
   * Seeded random faults from now on (sandbox-fault-profile.ts); undefined turns them off.
   * Throws a ZodError for an invalid profile.
   */
  setFaultProfile(profile: FaultProfileInput | undefined): void;
  /** Every call fails (HTTP 502, or the connection dropped) for `durationMs` from now. */
  startOutage(outage: OutageInput): void;
  endOutage(): void;
  /** Random faults and outage answers given so far, by kind. */
  faultCounts(): FaultCounts;
  /** Calls refused by the limits (606, 607, 615 from the limiter, not injected), oldest first. */
  limitRefusals(): LimitRefusal[];
  setLimits(partial: Partial<SandboxLimits>): void;
  limits(): SandboxLimits;
  stats(): SandboxStats;
  /** Every executed call since the last reset: its arrival and API user (sandbox-call-log.ts). */
  callLog(): CallLogEntry[];
  resetStats(): void;
  /** Activities added through Add Custom Activities, in the order they were added. */
  customActivities(): SandboxActivity[];
  customActivityTypes(): CustomActivityTypeView[];
  /** Members of a static list (Add to List), in joining order; undefined for an unknown list. */
  listMembers(listId: number): ListMember[] | undefined;
  /** Request Campaign calls for a campaign, in order; undefined for an unknown campaign. */
  campaignRequests(campaignId: number): CampaignRequest[] | undefined;
}
