import type { Request } from 'express';
import { marketoErrors } from './envelope.js';
import { requireJson, type RouteSpec } from './sandbox-http.js';
import { integerListParam, readParams } from './sandbox-params.js';
import { MAX_CAMPAIGN_LEADS, MAX_LIST_LEADS } from './sandbox-marketing.js';
import type { SandboxState } from './sandbox-state.js';

/**
 * Add to List (`POST /rest/v1/lists/{listId}/leads.json`, swagger-mapi addLeadsToListUsingPOST:
 * `{ input: [{ id }] }` or `?id=1,2`) and Request Campaign (`POST /rest/v1/campaigns/
 * {campaignId}/trigger.json`, triggerCampaignUsingPOST: `{ input: { leads: [{ id }] } }`). The
 * rules are sandbox-marketing.ts's.
 */

function pathId(raw: unknown): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0)
    throw marketoErrors.invalidValue(String(raw), 'Integer');
  return id;
}

/** `[{ id }]` records: each must carry an integer id (1003 otherwise). */
function idsOf(records: unknown, max: number): number[] {
  if (!Array.isArray(records)) throw marketoErrors.blank('input');
  if (records.length > max) throw marketoErrors.invalidData(`at most ${max} leads per call`);
  return records.map((record: unknown) => {
    const id = (record as { id?: unknown } | null)?.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
      throw marketoErrors.invalidData('each lead needs an integer id');
    }
    return id;
  });
}

function listLeadIds(req: Request): number[] {
  const fromQuery = integerListParam(readParams(req), 'id', MAX_LIST_LEADS);
  if (fromQuery.length > 0) return fromQuery;
  return idsOf(requireJson(req).input, MAX_LIST_LEADS);
}

export function createListCampaignRoutes(state: SandboxState): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/rest/v1/lists/:listId/leads.json',
      handle: (req) => {
        const listId = pathId(req.params.listId);
        return { result: state.marketing.addToList(listId, listLeadIds(req)) };
      },
    },
    {
      method: 'post',
      path: '/rest/v1/campaigns/:campaignId/trigger.json',
      handle: (req) => {
        const campaignId = pathId(req.params.campaignId);
        const input = requireJson(req).input as { leads?: unknown } | undefined;
        if (input === undefined || input === null) throw marketoErrors.blank('input');
        state.marketing.requestCampaign(campaignId, idsOf(input.leads, MAX_CAMPAIGN_LEADS));
        return { result: [{ id: campaignId }] };
      },
    },
  ];
}
