import { marketoErrors, parseIsoDate } from './envelope.js';
import {
  ACTIVITY_CHANGE_DATA_VALUE,
  ACTIVITY_DELETE_LEAD,
  ACTIVITY_NEW_LEAD,
  decodePosition,
  encodePosition,
  formatActivity,
  formatLeadChange,
  type LogEntry,
} from './sandbox-activity-log.js';
import { FIELDS_BY_NAME } from './sandbox-fields.js';
import type { RouteSpec } from './sandbox-http.js';
import {
  batchSizeParam,
  integerListParam,
  listParam,
  readParams,
  requiredParam,
  type Params,
} from './sandbox-params.js';
import type { SandboxState } from './sandbox-state.js';
import type { SandboxActivity } from './sandbox-types.js';

/**
 * Activity routes (DEV:help/rest-api/activities.md, paging-tokens.md): Get Paging Token, Get
 * Lead Changes, Get Deleted Leads, Get Lead Activities and Get Activity Types. A page scans at
 * most `batchSize` log entries and returns only those that match, so it may be short (even
 * empty, with `result` omitted) while `moreResult` is true. `nextPageToken` is always returned.
 */

const TOKEN_KIND = 'activities';
const MAX_LEAD_IDS = 30;
const MAX_ACTIVITY_TYPES = 10;

function position(state: SandboxState, params: Params): number {
  const token = requiredParam(params, 'nextPageToken');
  const at = decodePosition(TOKEN_KIND, token);
  // Not documented; 1003 "Invalid data" is the closest documented meaning.
  if (at === undefined || at > state.log.length()) {
    throw marketoErrors.invalidData('Invalid next page token');
  }
  return at;
}

function leadFilter(params: Params): (entry: LogEntry) => boolean {
  if (params('listId') !== undefined) {
    throw marketoErrors.objectNotFound('static list (the sandbox has no lists)');
  }
  const ids = new Set(integerListParam(params, 'leadIds', MAX_LEAD_IDS));
  return ids.size === 0 ? () => true : (entry) => ids.has(entry.leadId);
}

function page(
  state: SandboxState,
  params: Params,
  keep: (entry: LogEntry) => boolean,
  format: (entry: LogEntry) => SandboxActivity,
) {
  const start = position(state, params);
  const batchSize = batchSizeParam(params);
  const scan = state.log.scan(start, batchSize, keep);
  return {
    ...(scan.entries.length > 0 ? { result: scan.entries.map(format) } : {}),
    moreResult: scan.more,
    nextPageToken: encodePosition(TOKEN_KIND, scan.next),
  };
}

function leadChanges(state: SandboxState, params: Params) {
  const fields = new Set(listParam(requiredParam(params, 'fields')));
  const unknown = [...fields].find((name) => !FIELDS_BY_NAME.has(name));
  if (unknown !== undefined) throw marketoErrors.fieldNotFound(unknown);
  const forLead = leadFilter(params);
  const keep = (entry: LogEntry) =>
    forLead(entry) &&
    (entry.typeId === ACTIVITY_NEW_LEAD ||
      (entry.typeId === ACTIVITY_CHANGE_DATA_VALUE && fields.has(entry.change?.name ?? '')));
  return page(state, params, keep, formatLeadChange);
}

function leadActivities(state: SandboxState, params: Params) {
  const types = new Set(integerListParam(params, 'activityTypeIds', MAX_ACTIVITY_TYPES));
  if (types.size === 0) throw marketoErrors.blank('activityTypeIds');
  const forLead = leadFilter(params);
  return page(state, params, (entry) => types.has(entry.typeId) && forLead(entry), formatActivity);
}

const STANDARD_TYPES = [
  {
    id: ACTIVITY_NEW_LEAD,
    name: 'New Lead',
    description: 'New person',
    attributes: [{ name: 'Source Type', dataType: 'string' }],
  },
  {
    id: ACTIVITY_CHANGE_DATA_VALUE,
    name: 'Change Data Value',
    description: 'Changed attribute value for a person',
    primaryAttribute: { name: 'Attribute Name', dataType: 'integer' },
    attributes: [
      { name: 'New Value', dataType: 'string' },
      { name: 'Old Value', dataType: 'string' },
      { name: 'Reason', dataType: 'string' },
      { name: 'Source', dataType: 'string' },
    ],
  },
  {
    id: ACTIVITY_DELETE_LEAD,
    name: 'Delete Lead',
    description: 'Delete a person',
    primaryAttribute: { name: 'Lead ID', dataType: 'integer' },
    attributes: [],
  },
];

export function createActivityRoutes(state: SandboxState): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/rest/v1/activities/pagingtoken.json',
      handle: (req) => {
        const since = requiredParam(readParams(req), 'sinceDatetime');
        const ms = parseIsoDate(since);
        if (ms === undefined) throw marketoErrors.invalidDate('sinceDatetime');
        return { nextPageToken: encodePosition(TOKEN_KIND, state.log.positionAt(ms)) };
      },
    },
    {
      method: 'get',
      path: '/rest/v1/activities/leadchanges.json',
      handle: (req) => leadChanges(state, readParams(req)),
    },
    {
      method: 'get',
      path: '/rest/v1/activities/deletedleads.json',
      handle: (req) =>
        page(
          state,
          readParams(req),
          (entry) => entry.typeId === ACTIVITY_DELETE_LEAD,
          formatActivity,
        ),
    },
    {
      method: 'get',
      path: '/rest/v1/activities.json',
      handle: (req) => leadActivities(state, readParams(req)),
    },
    {
      method: 'get',
      path: '/rest/v1/activities/types.json',
      handle: () => ({
        result: [
          ...STANDARD_TYPES,
          ...state.customTypes
            .list()
            .filter((type) => type.status !== 'draft')
            .map(({ id, name, description, primaryAttribute, attributes }) => ({
              id,
              name,
              description,
              primaryAttribute: {
                name: primaryAttribute.name,
                dataType: primaryAttribute.dataType,
              },
              attributes: attributes.map((a) => ({ name: a.name, dataType: a.dataType })),
            })),
        ],
      }),
    },
  ];
}
