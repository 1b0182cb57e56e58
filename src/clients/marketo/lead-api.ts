import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import {
  MAX_BATCH,
  batchSize,
  checkBatch,
  getRequest,
  postRequest,
  requireFields,
  requireText,
  type MarketoRequest,
} from './marketo-request.js';
import { badResponse, checkRecordResults } from './marketo-response.js';
import type { MarketoTransport } from './marketo-transport.js';
import type * as T from './types.js';
import * as wire from './wire-schemas.js';

/** Marketo answers 414 above 8 KB of URI; switch to POST `_method=GET` well before that. */
const MAX_GET_URL_LENGTH = 7000;
/** ≤ 300 ids fit one page; needing more pages than this means the paging is broken. */
const MAX_LEAD_PAGES = 10;
/** Get Lead Activities (help/rest-api/activities.md): up to 10 type ids and 30 lead ids. */
const MAX_ACTIVITY_TYPE_IDS = 10;
const MAX_ACTIVITY_LEAD_IDS = 30;
/** A `_mkto_trk` value is about 60 characters; anything far longer is not one. */
const MAX_COOKIE_LENGTH = 500;

/** Lead reads (describe, paging token, lead changes, deleted leads, by id) and Sync Leads. */
export class LeadApi {
  constructor(private readonly transport: MarketoTransport) {}

  async describeLeadFields(): Promise<T.LeadFieldDescription[]> {
    const req = getRequest('describeLeadFields', '/rest/v1/leads/describe.json');
    const { result } = await this.transport.json(req, wire.listOf(wire.leadFieldSchema));
    return result.filter((f) => f !== undefined);
  }

  async getPagingToken(since: Date): Promise<string> {
    if (!(since instanceof Date) || Number.isNaN(since.getTime())) {
      throw new ValidationError('since must be a valid date', 'since');
    }
    // ISO 8601 with Z, milliseconds dropped: rounding down only widens the window.
    const sinceDatetime = since.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const path = '/rest/v1/activities/pagingtoken.json';
    const req = getRequest('getPagingToken', path, { sinceDatetime });
    const answer = await this.transport.json(req, z.unknown());
    return requirePaging(req, answer).nextPageToken;
  }

  /** Get Lead Changes: New Lead (12) and Change Data Value (13) activities. */
  async getLeadChanges(args: {
    nextPageToken: string;
    fields: string[];
    batchSize?: number;
  }): Promise<T.ActivityPage<T.LeadChangeActivity>> {
    const req = getRequest('getLeadChanges', '/rest/v1/activities/leadchanges.json', {
      nextPageToken: requireText(args.nextPageToken, 'nextPageToken'),
      fields: requireFields(args.fields),
      batchSize: batchSize(args.batchSize),
    });
    // `result` is absent when the page is empty; a page may be short while moreResult is true.
    const answer = await this.transport.json(req, wire.listOf(wire.leadChangeSchema));
    return { items: answer.result, ...requirePaging(req, answer), serverTime: answer.serverTime };
  }

  /** Get Deleted Leads. Marketo may prune deletions older than 14 days: poll more often. */
  async getDeletedLeads(args: {
    nextPageToken: string;
    batchSize?: number;
  }): Promise<T.ActivityPage<T.DeletedLeadActivity>> {
    const req = getRequest('getDeletedLeads', '/rest/v1/activities/deletedleads.json', {
      nextPageToken: requireText(args.nextPageToken, 'nextPageToken'),
      batchSize: batchSize(args.batchSize),
    });
    const answer = await this.transport.json(req, wire.listOf(wire.deletedLeadSchema));
    return { items: answer.result, ...requirePaging(req, answer), serverTime: answer.serverTime };
  }

  /**
   * Get Lead Activities of the given types (e.g. a custom activity type), optionally of up to
   * 30 leads. Like Get Lead Changes, a page may be short or empty while `moreResult` is true.
   */
  async getLeadActivities(args: {
    nextPageToken: string;
    activityTypeIds: number[];
    leadIds?: number[];
    batchSize?: number;
  }): Promise<T.ActivityPage<T.LeadActivity>> {
    const leadIds = [...new Set(args.leadIds ?? [])];
    const req = getRequest('getLeadActivities', '/rest/v1/activities.json', {
      nextPageToken: requireText(args.nextPageToken, 'nextPageToken'),
      activityTypeIds: idList(args.activityTypeIds, 'activityTypeIds', 1, MAX_ACTIVITY_TYPE_IDS),
      leadIds:
        leadIds.length === 0 ? undefined : idList(leadIds, 'leadIds', 1, MAX_ACTIVITY_LEAD_IDS),
      batchSize: batchSize(args.batchSize),
    });
    const answer = await this.transport.json(req, wire.listOf(wire.leadActivitySchema));
    return { items: answer.result, ...requirePaging(req, answer), serverTime: answer.serverTime };
  }

  /** Get Leads by Filter Type with `filterType=id`. */
  async getLeadsByIds(ids: number[], fields: string[]): Promise<T.LeadsResult> {
    checkBatch(ids, 'ids');
    if (!ids.every((id) => Number.isSafeInteger(id) && id > 0)) {
      throw new ValidationError('ids must be positive integers', 'ids');
    }
    const unique = [...new Set(ids)];
    if (unique.length === 0) return { leads: [], serverTime: undefined };
    const path = '/rest/v1/leads.json';
    const params = {
      filterType: 'id',
      filterValues: unique.join(','),
      // Without `fields` Marketo returns its default set (id, email, names, dates).
      fields: fields.length > 0 ? fields.join(',') : undefined,
      batchSize: MAX_BATCH,
    };
    const leads: T.MarketoLead[] = [];
    let serverTime: number | undefined;
    let nextPageToken: string | undefined;
    for (let page = 0; page < MAX_LEAD_PAGES; page += 1) {
      const query = { ...params, nextPageToken };
      const req = this.leadsByFilterRequest(path, query);
      const answer = await this.transport.json(req, wire.listOf(wire.leadSchema));
      leads.push(...answer.result);
      // The first page's time: every lead was observed at or after it.
      serverTime ??= answer.serverTime;
      if (!answer.moreResult) return { leads, serverTime };
      if (!answer.nextPageToken) throw badResponse(req, 'moreResult without nextPageToken');
      nextPageToken = answer.nextPageToken;
    }
    throw badResponse({ endpoint: 'getLeadsByIds' }, `moreResult after ${MAX_LEAD_PAGES} pages`);
  }

  /**
   * Get Leads by Filter Type with `filterType=cookies`: the leads Marketo associates with a
   * Munchkin `_mkto_trk` cookie (swagger-mapi getLeadsByFilterUsingGET lists `cookies` among the
   * filter types). The value holds `:` and `&` (`id:123-ABC-456&token:_mch-...`), so it is sent
   * URL-encoded as one value; a comma would make it two (Marketo splits filterValues on commas).
   */
  async getLeadsByCookie(cookie: string, fields: string[]): Promise<T.LeadsResult> {
    if (requireText(cookie, 'cookie').includes(',') || cookie.length > MAX_COOKIE_LENGTH) {
      throw new ValidationError('cookie must be one Munchkin cookie value', 'cookie');
    }
    const req = getRequest('getLeadsByCookie', '/rest/v1/leads.json', {
      filterType: 'cookies',
      filterValues: cookie,
      fields: fields.length > 0 ? fields.join(',') : undefined,
    });
    const answer = await this.transport.json(req, wire.listOf(wire.leadSchema));
    return { leads: answer.result, serverTime: answer.serverTime };
  }

  /** Sync Leads (createOrUpdate by email unless told otherwise). Not resent on ambiguity. */
  async syncLeads(
    leads: Array<Record<string, unknown>>,
    options: { lookupField?: string; action?: 'createOrUpdate' | 'createOnly' | 'updateOnly' } = {},
  ): Promise<T.RecordResult[]> {
    checkBatch(leads, 'leads');
    if (leads.length === 0) return [];
    const req = postRequest('syncLeads', '/rest/v1/leads.json', {
      action: options.action ?? 'createOrUpdate',
      lookupField: options.lookupField ?? 'email',
      input: leads,
    });
    const answer = await this.transport.json(req, wire.listOf(wire.recordResultSchema));
    return checkRecordResults(req, answer, leads.length, (c) => this.transport.countError(c));
  }

  /**
   * help/rest-api/leads.md: a URI over 8 KB gets HTTP 414; the documented way out is a POST
   * with `_method=GET` in the URL and the query as a form body. Still a read: idempotent.
   */
  private leadsByFilterRequest(path: string, query: NonNullable<MarketoRequest['query']>) {
    if (this.transport.urlFor(path, query).length <= MAX_GET_URL_LENGTH) {
      return getRequest('getLeadsByIds', path, query);
    }
    const req: MarketoRequest = {
      endpoint: 'getLeadsByIds',
      method: 'POST',
      path,
      query: { _method: 'GET' },
      form: query,
      idempotent: true,
    };
    return req;
  }
}

/** A comma-separated list of `min` to `max` positive integer ids. */
function idList(ids: number[], field: string, min: number, max: number): string {
  if (ids.length < min || ids.length > max) {
    throw new ValidationError(`${field} must hold ${min} to ${max} ids`, field);
  }
  if (!ids.every((id) => Number.isSafeInteger(id) && id > 0)) {
    throw new ValidationError(`${field} must be positive integers`, field);
  }
  return ids.join(',');
}

/** Paged activity answers always carry the next token, which becomes the stored cursor. */
function requirePaging(
  req: MarketoRequest,
  answer: { nextPageToken: string | undefined; moreResult: boolean },
) {
  const paging = wire.activityPagingSchema.safeParse(answer);
  if (!paging.success) throw badResponse(req, 'no nextPageToken', paging.error);
  return paging.data;
}
