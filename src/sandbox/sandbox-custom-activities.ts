import { MarketoApiError, marketoErrors, parseIsoDate, reasonOf } from './envelope.js';
import { requireJson, type RouteSpec } from './sandbox-http.js';
import type { LiveActivityType } from './sandbox-custom-activity-types.js';
import type { SandboxState } from './sandbox-state.js';
import type { ActivityAttribute } from './sandbox-types.js';

/**
 * Custom activity routes (DEV:help/rest-api/activities.md "Custom Activity Types" and "Add
 * Custom Activities"; swagger-mapi createCustomActivityTypeUsingPOST and friends). Add Custom
 * Activities takes at most 300 records and answers per record, in input order: `added`, or
 * `skipped` with `errors` (1004 for an unknown lead).
 */

const MAX_ACTIVITIES = 300;
/** 1049: "The array of attributes passed to the record exceeded the max length of 65536 bytes". */
const MAX_ATTRIBUTE_BYTES = 65_536;

type AddResult =
  | { id: number; marketoGUID: string; status: 'added' }
  | { status: 'skipped'; errors: Array<{ code: string; message: string }> };

function resolveAttributes(type: LiveActivityType, raw: unknown): ActivityAttribute[] {
  if (!Array.isArray(raw)) throw marketoErrors.missingValue('attributes');
  return raw.map((item: unknown) => {
    const attribute = (typeof item === 'object' && item !== null ? item : {}) as Record<
      string,
      unknown
    >;
    const key = typeof attribute.apiName === 'string' ? attribute.apiName : attribute.name;
    const known = type.attributes.find((a) => a.apiName === key || a.name === key);
    if (!known) throw marketoErrors.fieldNotFound(String(key));
    const value = attribute.value;
    const scalar =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : null;
    return { name: known.name, apiName: known.apiName, value: scalar };
  });
}

function addOne(state: SandboxState, raw: unknown): AddResult {
  const skip = (error: MarketoApiError): AddResult => ({
    status: 'skipped',
    errors: [reasonOf(error)],
  });
  try {
    const record = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const leadId = Number(record.leadId);
    if (record.leadId === undefined) throw marketoErrors.missingValue('leadId');
    if (!Number.isSafeInteger(leadId) || !state.leads.get(leadId)) {
      throw marketoErrors.leadNotFound();
    }
    const type = state.customTypes.live(Number(record.activityTypeId));
    if (type === undefined) {
      throw marketoErrors.objectNotFound(`activity type ${String(record.activityTypeId)}`);
    }
    if (type === 'not-approved') {
      throw marketoErrors.invalidData(
        `activity type ${String(record.activityTypeId)} is not approved`,
      );
    }
    if (typeof record.activityDate !== 'string') throw marketoErrors.missingValue('activityDate');
    const at = parseIsoDate(record.activityDate);
    if (at === undefined) throw marketoErrors.invalidValue(record.activityDate, 'Datetime');
    if (typeof record.primaryAttributeValue !== 'string' || record.primaryAttributeValue === '') {
      throw marketoErrors.missingValue('primaryAttributeValue');
    }
    const attributes = resolveAttributes(type, record.attributes);
    if (Buffer.byteLength(JSON.stringify(attributes)) > MAX_ATTRIBUTE_BYTES) {
      throw marketoErrors.attributesTooLong();
    }
    const entry = state.log.append({
      typeId: type.id,
      leadId,
      at,
      primary: record.primaryAttributeValue,
      attributes,
    });
    state.customActivityIds.push(entry.id);
    return { id: entry.id, marketoGUID: String(entry.id), status: 'added' };
  } catch (error) {
    if (error instanceof MarketoApiError) return skip(error);
    throw error;
  }
}

export function createCustomActivityRoutes(state: SandboxState): RouteSpec[] {
  const types = state.customTypes;
  const apiName = (value: unknown) => String(value);
  return [
    {
      method: 'get',
      path: '/rest/v1/activities/external/types.json',
      handle: () => ({
        result: types.list().map(({ primaryAttribute: _p, attributes: _a, ...summary }) => summary),
      }),
    },
    {
      method: 'post',
      path: '/rest/v1/activities/external/type.json',
      handle: (req) => ({ result: [types.create(requireJson(req))] }),
    },
    {
      method: 'get',
      path: '/rest/v1/activities/external/type/:apiName/describe.json',
      handle: (req) => ({
        result: [types.describe(apiName(req.params.apiName), req.query.draft === 'true')],
      }),
    },
    {
      method: 'post',
      path: '/rest/v1/activities/external/type/:apiName/attributes/create.json',
      handle: (req) => ({
        result: [types.addAttributes(apiName(req.params.apiName), requireJson(req))],
      }),
    },
    {
      method: 'post',
      path: '/rest/v1/activities/external/type/:apiName/approve.json',
      handle: (req) => ({ result: [types.approve(apiName(req.params.apiName))] }),
    },
    {
      method: 'post',
      path: '/rest/v1/activities/external.json',
      handle: (req) => {
        const body = requireJson(req);
        if (!Array.isArray(body.input)) throw marketoErrors.blank('input');
        if (body.input.length > MAX_ACTIVITIES) {
          throw marketoErrors.invalidData(`at most ${MAX_ACTIVITIES} activities per call`);
        }
        return { result: body.input.map((record: unknown) => addOne(state, record)) };
      },
    },
  ];
}
