import type { MarketoCallObserver } from './call-observers.js';

/**
 * The provider-neutral face of the Marketo client: what the rest of the service may call.
 * Wire shapes (envelopes, error codes, query parameters) stay inside src/clients/marketo/.
 */

export interface LeadFieldDescription {
  /** REST API name, e.g. `firstName`. */
  name: string;
  displayName: string;
  dataType: string;
  readOnly: boolean;
}

/** A lead as Marketo returns it: `id` plus the requested fields (absent means null). */
export interface MarketoLead {
  id: number;
  [field: string]: unknown;
}

export interface LeadChangeActivity {
  id: string;
  leadId: number;
  /** ISO 8601 as Marketo sends it, e.g. `2014-09-17T22:31:49+0000`. */
  activityDate: string;
  /** Epoch ms parsed from activityDate. */
  activityAt: number;
  /** 12 = New Lead, 13 = Change Data Value. */
  activityTypeId: number;
  fields: Array<{ name: string; newValue: unknown; oldValue: unknown }>;
}

export interface ActivityPage<T> {
  items: T[];
  nextPageToken: string;
  moreResult: boolean;
  /** Marketo's clock when it answered (HTTP Date header), epoch ms; undefined if absent. */
  serverTime: number | undefined;
}

/**
 * An activity of Get Lead Activities (swagger-mapi `Activity`). For a custom activity the
 * primary attribute's value is `primaryAttributeValue` and the secondary attributes are in
 * `attributes`, each named by its display `name` and, where Marketo sends it, its `apiName`
 * (the spec's `Attribute` requires `name` and `value` only). Empty attributes are omitted.
 */
export interface LeadActivity {
  id: string;
  leadId: number;
  activityDate: string;
  /** Epoch ms parsed from activityDate. */
  activityAt: number;
  activityTypeId: number;
  primaryAttributeValue?: string;
  primaryAttributeValueId?: number;
  attributes: Array<{ name: string; apiName?: string; value: unknown }>;
}

export interface DeletedLeadActivity {
  id: string;
  leadId: number;
  activityDate: string;
  activityAt: number;
}

export interface LeadsResult {
  leads: MarketoLead[];
  /** Marketo's clock when it answered (HTTP Date header), epoch ms; undefined if absent. */
  serverTime: number | undefined;
}

export type ExportStatus =
  'Created' | 'Queued' | 'Processing' | 'Cancelled' | 'Completed' | 'Failed';

export interface LeadExportJob {
  exportId: string;
  status: ExportStatus;
  numberOfRecords?: number;
  fileSize?: number;
  /** `sha256:<hex>` when completed. */
  fileChecksum?: string;
  errorMsg?: string;
}

export interface CustomActivityTypeAttribute {
  apiName: string;
  name: string;
  description?: string;
  dataType: string;
}

export interface CustomActivityType {
  id: number;
  apiName: string;
  name: string;
  status: string;
  triggerName?: string;
  filterName?: string;
  primaryAttribute?: { apiName: string; name: string; dataType?: string };
  attributes?: CustomActivityTypeAttribute[];
}

export interface CustomActivityInput {
  leadId: number;
  activityDate: string;
  activityTypeId: number;
  primaryAttributeValue: string;
  attributes: Array<{ apiName: string; value: string | number | boolean }>;
}

export interface RecordResult {
  status: string;
  id?: number;
  marketoGUID?: string;
  errors?: Array<{ code: string; message: string }>;
}

/** Counters the client keeps for status pages and benchmarks. */
export interface MarketoClientStats {
  /** Calls sent to Marketo (identity excluded, every retry included). */
  calls: number;
  /** Calls counted against today's budget (Marketo day, US Central). */
  callsToday: number;
  dailyQuota: number;
  /** Error code -> times received, e.g. { "606": 2 }. */
  errorsByCode: Record<string, number>;
  /** Identity (token) requests made. */
  tokenRequests: number;
  /** Epoch ms until which calls are paused after a 607, if any. */
  pausedUntil: number | undefined;
  /** How the call budget (rate window and concurrency) is being used. */
  budget?: MarketoBudgetStats;
  /**
   * Set while Identity refuses us (MARKETO_AUTH_FAILED: bad client id or secret;
   * MARKETO_URL_NOT_FOUND: something else answers there), since the first refusal (epoch ms).
   */
  identityRejected?: { code: string; since: number };
}

/** The call budget: at most `limit` call starts in any `windowMs`, `maxConcurrency` in flight. */
export interface MarketoBudgetStats {
  limit: number;
  /** Marketo's window plus our safety margin. */
  windowMs: number;
  maxConcurrency: number;
  /** Calls started through this budget. */
  started: number;
  /** Starts within the current window. */
  inWindow: number;
  /** Most starts ever observed within one window (never above `limit`). */
  maxInWindow: number;
  inFlight: number;
  maxInFlight: number;
  /** Calls waiting for a concurrency slot or for room in the window. */
  queued: number;
  /** Epoch ms when the full window frees a place, while it is full. */
  nextRoomAt?: number;
}

export interface MarketoApi {
  describeLeadFields(): Promise<LeadFieldDescription[]>;
  getPagingToken(since: Date): Promise<string>;
  getLeadChanges(args: {
    nextPageToken: string;
    fields: string[];
    batchSize?: number;
  }): Promise<ActivityPage<LeadChangeActivity>>;
  getDeletedLeads(args: {
    nextPageToken: string;
    batchSize?: number;
  }): Promise<ActivityPage<DeletedLeadActivity>>;
  /** Get Lead Activities: 1 to 10 type ids, at most 30 lead ids; page while `moreResult`. */
  getLeadActivities(args: {
    nextPageToken: string;
    activityTypeIds: number[];
    leadIds?: number[];
    batchSize?: number;
  }): Promise<ActivityPage<LeadActivity>>;
  /** At most 300 ids; switches to POST `?_method=GET` when the URL would be too long. */
  getLeadsByIds(ids: number[], fields: string[]): Promise<LeadsResult>;

  /** The leads Marketo associates with a Munchkin cookie (Get Leads, `filterType=cookies`). */
  getLeadsByCookie(cookie: string, fields: string[]): Promise<LeadsResult>;

  createLeadExport(args: {
    fields: string[];
    createdAt: { startAt: string; endAt: string };
  }): Promise<LeadExportJob>;
  enqueueLeadExport(exportId: string): Promise<LeadExportJob>;
  getLeadExportStatus(exportId: string): Promise<LeadExportJob>;
  /** The CSV file of a completed export, checked against its SHA-256 checksum. */
  getLeadExportFile(exportId: string, expectedChecksum?: string): Promise<string>;
  cancelLeadExport(exportId: string): Promise<LeadExportJob>;

  listCustomActivityTypes(): Promise<CustomActivityType[]>;
  createCustomActivityType(type: {
    apiName: string;
    name: string;
    description?: string;
    triggerName: string;
    filterName: string;
    primaryAttribute: { apiName: string; name: string; description?: string };
  }): Promise<CustomActivityType>;
  createCustomActivityTypeAttributes(
    apiName: string,
    attributes: CustomActivityTypeAttribute[],
  ): Promise<void>;
  approveCustomActivityType(apiName: string): Promise<CustomActivityType>;
  /** At most 300 activities; results in input order. */
  addCustomActivities(input: CustomActivityInput[]): Promise<RecordResult[]>;
  /** createOrUpdate by `lookupField` (default email); at most 300 leads. */
  syncLeads(
    leads: Array<Record<string, unknown>>,
    options?: { lookupField?: string; action?: 'createOrUpdate' | 'createOnly' | 'updateOnly' },
  ): Promise<RecordResult[]>;

  /**
   * Add to List: the leads become members of static list `listId`; at most 300 ids; one result
   * per id in input order (`added`, or `skipped` with 1004 for an unknown lead).
   */
  addLeadsToList(listId: number, leadIds: number[]): Promise<RecordResult[]>;
  /** Request Campaign: runs the leads through trigger campaign `campaignId`; at most 100 ids. */
  requestCampaign(campaignId: number, leadIds: number[]): Promise<void>;

  stats(): MarketoClientStats;

  /**
   * Asks Identity for a fresh access token now, whatever is cached: whether the instance's
   * address and the credentials work. Free (identity calls are not counted); optional for fakes.
   */
  checkConnection?(): Promise<void>;

  /**
   * Asks Identity for a token only if none is cached and the wait after a refusal has passed
   * (else does nothing): how a readiness probe learns that refused credentials work again
   * without other traffic. Never throws; optional for fakes.
   */
  recheckCredentials?(): Promise<void>;

  /** Persists the daily usage counter now (call on shutdown); optional for fakes. */
  flushUsage?(): Promise<void>;
  /** Ends waiting and in-flight calls with MARKETO_STOPPED (call first on shutdown). */
  stop?(): void;
  /** Observes every request sent and its result; returns the unsubscribe. Optional for fakes. */
  observeCalls?(observer: MarketoCallObserver): () => void;
}
