import { marketoErrors, reasonOf, type MarketoApiError } from './envelope.js';
import { decodePosition, encodePosition } from './sandbox-activity-log.js';
import {
  DEFAULT_LEAD_FIELDS,
  FIELDS_BY_NAME,
  describeLeadFields,
  describeLeadFields2,
} from './sandbox-fields.js';
import { requireJson, type RouteSpec } from './sandbox-http.js';
import type { LeadInput } from './sandbox-lead-store.js';
import {
  batchSizeParam,
  listParam,
  readParams,
  requiredParam,
  type Params,
} from './sandbox-params.js';
import type { SandboxState } from './sandbox-state.js';
import type { SandboxLead } from './sandbox-types.js';

/**
 * Lead Database routes (DEV:help/rest-api/leads.md; swagger-mapi getLeadsByFilterUsingGET,
 * syncLeadUsingPOST, describeUsingGET_2, describeUsingGET_6): Get Leads by Filter Type (also as
 * `POST ?_method=GET` with a form body), Get Lead by Id, Sync Leads and the two describes.
 */

const MAX_FILTER_VALUES = 300;
const MAX_MATCHES = 1000;
const MAX_SYNC_RECORDS = 300;
const API_SOURCE = 'Web service API';
const ACTIONS = ['createOrUpdate', 'createOnly', 'updateOnly', 'createDuplicate'];

function requestedFields(params: Params): string[] {
  const fields = listParam(params('fields'));
  const wanted = fields.length > 0 ? fields : DEFAULT_LEAD_FIELDS;
  const unknown = wanted.find((name) => !FIELDS_BY_NAME.has(name));
  if (unknown !== undefined) throw marketoErrors.fieldNotFound(unknown);
  return wanted;
}

/** `id` plus every requested field; empty fields are null. */
function project(lead: SandboxLead, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { id: lead.id };
  for (const name of fields) out[name] = lead[name] ?? null;
  return out;
}

function findLeads(state: SandboxState, filterType: string, values: string[]): SandboxLead[] {
  const found = new Map<number, SandboxLead>();
  if (filterType === 'id') {
    for (const value of values) {
      const id = Number(value);
      if (!Number.isSafeInteger(id)) throw marketoErrors.invalidValue(value, 'Integer');
      const lead = state.leads.get(id);
      if (lead) found.set(id, lead);
    }
  } else if (filterType === 'cookies') {
    // The Munchkin cookie's association (Associate Lead), matched exactly as Marketo stores it.
    for (const value of values) {
      const lead = state.leads.findByCookie(value);
      if (lead) found.set(lead.id, lead);
    }
  } else if (filterType === 'email') {
    for (const value of values) {
      const lead = state.leads.findByEmail(value);
      if (lead) found.set(lead.id, lead);
    }
  } else {
    const field = FIELDS_BY_NAME.get(filterType);
    if (!field) throw marketoErrors.fieldNotFound(filterType);
    if (!field.searchable) throw marketoErrors.fieldNotSupported(filterType);
    const wanted = new Set(values.map((value) => value.toLowerCase()));
    for (const lead of state.leads.values()) {
      const value = lead[filterType];
      if (value !== null && wanted.has(String(value).toLowerCase())) found.set(lead.id, lead);
    }
  }
  // "If the number of leads matching the lead filter is greater than 1,000": 1003.
  if (found.size > MAX_MATCHES) {
    throw marketoErrors.invalidData('Too many results match the filter');
  }
  return [...found.values()].sort((a, b) => a.id - b.id);
}

function getLeads(state: SandboxState, params: Params) {
  const filterType = requiredParam(params, 'filterType');
  const values = listParam(requiredParam(params, 'filterValues'));
  if (values.length > MAX_FILTER_VALUES) {
    throw marketoErrors.invalidData(`at most ${MAX_FILTER_VALUES} filterValues allowed`);
  }
  const fields = requestedFields(params);
  const batchSize = batchSizeParam(params);
  const token = params('nextPageToken');
  const offset = token === undefined ? 0 : decodePosition('leads', token);
  if (offset === undefined) throw marketoErrors.invalidData('Invalid next page token');
  const leads = findLeads(state, filterType, values);
  const page = leads.slice(offset, offset + batchSize).map((lead) => project(lead, fields));
  const more = offset + batchSize < leads.length;
  return {
    result: page,
    ...(more
      ? { moreResult: true, nextPageToken: encodePosition('leads', offset + batchSize) }
      : {}),
  };
}

type SyncResult =
  { id: number; status: 'created' | 'updated' } | { status: 'skipped'; reasons: unknown[] };

function syncOne(
  state: SandboxState,
  record: unknown,
  action: string,
  lookupField: string,
): SyncResult {
  const skip = (error: MarketoApiError): SyncResult => ({
    status: 'skipped',
    reasons: [reasonOf(error)],
  });
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return skip(marketoErrors.invalidData('each input record must be an object'));
  }
  const input = record as LeadInput;
  const unknown = state.leads.unknownField(input);
  if (unknown !== undefined) return skip(marketoErrors.fieldNotFound(unknown));
  // "The id field can only be included ... when using the updateOnly action" (leads.md).
  if (input.id !== undefined && action !== 'updateOnly') {
    return skip(marketoErrors.invalidData('id is only allowed with updateOnly'));
  }
  const { id: _id, ...fields } = input;
  const key = input[lookupField];
  const hasKey = key !== undefined && key !== null;
  if (!hasKey && (action === 'createOrUpdate' || action === 'updateOnly')) {
    return skip(marketoErrors.invalidData(`lookup field '${lookupField}' is missing`));
  }
  const byId = lookupField === 'id';
  const existing =
    action === 'createDuplicate' || !hasKey
      ? undefined
      : byId
        ? state.leads.get(Number(key))
        : state.leads.findByEmail(String(key));
  if (existing) {
    if (action === 'createOnly') return skip(marketoErrors.leadExists());
    state.leads.update(existing.id, fields, { source: API_SOURCE });
    return { id: existing.id, status: 'updated' };
  }
  if (action === 'updateOnly' || byId) return skip(marketoErrors.leadNotFound());
  const lead = state.leads.create(fields, { source: API_SOURCE });
  return { id: lead.id, status: 'created' };
}

function syncLeads(state: SandboxState, body: Record<string, unknown>) {
  const action = typeof body.action === 'string' ? body.action : 'createOrUpdate';
  const lookupField = typeof body.lookupField === 'string' ? body.lookupField : 'email';
  if (!ACTIONS.includes(action)) throw marketoErrors.invalidData(`unknown action '${action}'`);
  if (lookupField !== 'email' && lookupField !== 'id') {
    throw marketoErrors.fieldNotSupported(lookupField);
  }
  if (!Array.isArray(body.input)) throw marketoErrors.blank('input');
  if (body.input.length > MAX_SYNC_RECORDS) {
    throw marketoErrors.invalidData(`at most ${MAX_SYNC_RECORDS} records per call`);
  }
  return { result: body.input.map((record) => syncOne(state, record, action, lookupField)) };
}

/** The `:leadId` of a path, an integer (Marketo answers 1001 otherwise). */
function pathLeadId(raw: unknown): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id)) throw marketoErrors.invalidValue(String(raw), 'Integer');
  return id;
}

export function createLeadRoutes(state: SandboxState): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/rest/v1/leads/describe.json',
      handle: () => ({ result: describeLeadFields() }),
    },
    {
      method: 'get',
      path: '/rest/v1/leads/describe2.json',
      handle: () => ({ result: describeLeadFields2() }),
    },
    {
      method: 'get',
      path: '/rest/v1/leads.json',
      handle: (req) => getLeads(state, readParams(req)),
    },
    {
      method: 'post',
      path: '/rest/v1/leads.json',
      handle: (req) => {
        if (req.query._method === 'GET') {
          if (!req.is('application/x-www-form-urlencoded')) {
            throw marketoErrors.invalidContentType();
          }
          return getLeads(state, readParams(req));
        }
        return syncLeads(state, requireJson(req));
      },
    },
    {
      // Associate Lead (swagger-mapi associateLeadUsingPOST): `cookie` in the query.
      method: 'post',
      path: '/rest/v1/leads/:leadId/associate.json',
      handle: (req) => {
        const id = pathLeadId(req.params.leadId);
        const cookie = requiredParam(readParams(req), 'cookie');
        if (!state.leads.associateCookie(id, cookie)) throw marketoErrors.leadNotFound();
        return {};
      },
    },
    {
      method: 'get',
      path: '/rest/v1/lead/:leadId.json',
      handle: (req) => {
        const id = pathLeadId(req.params.leadId);
        const lead = state.leads.get(id);
        const fields = requestedFields(readParams(req));
        return { result: lead ? [project(lead, fields)] : [] };
      },
    },
  ];
}
