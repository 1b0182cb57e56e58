import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import { postRequest } from './marketo-request.js';
import { checkRecordResults } from './marketo-response.js';
import type { MarketoTransport } from './marketo-transport.js';
import type * as T from './types.js';
import { listOf, recordResultSchema } from './wire-schemas.js';

/**
 * Static lists and smart campaigns (swagger-mapi addLeadsToListUsingPOST and
 * triggerCampaignUsingPOST):
 * - Add to List, `POST /rest/v1/lists/{listId}/leads.json` with `{ input: [{ id }] }`: "a limit of
 *   300 lead ids per request"; one result per lead, `added`, or `skipped` with `reasons`
 *   (1004 lead not found); an unknown list fails the whole call (1013).
 * - Request Campaign, `POST /rest/v1/campaigns/{campaignId}/trigger.json` with
 *   `{ input: { leads: [{ id }] } }`: "A maximum of 100 leads are allowed per call"; the campaign
 *   must be an active trigger campaign with a "Campaign is Requested: Web Service API" trigger.
 *   The answer is the campaign id only: there is no per-lead result.
 * Both are writes without an idempotency key, never resent after an ambiguous failure here (the
 * outbox decides); adding a member twice or requesting a campaign twice for a lead is harmless
 * for a list and a repeat for a campaign, which is why the outbox dedupes per conversation.
 */
export const MAX_LIST_LEADS = 300;
export const MAX_CAMPAIGN_LEADS = 100;

export class ListCampaignApi {
  constructor(private readonly transport: MarketoTransport) {}

  async addLeadsToList(listId: number, leadIds: number[]): Promise<T.RecordResult[]> {
    requireId(listId, 'listId');
    const unique = requireLeadIds(leadIds, MAX_LIST_LEADS);
    if (unique.length === 0) return [];
    const req = postRequest('addLeadsToList', `/rest/v1/lists/${listId}/leads.json`, {
      input: unique.map((id) => ({ id })),
    });
    const answer = await this.transport.json(req, listOf(recordResultSchema));
    const results = checkRecordResults(req, answer, unique.length, (c) =>
      this.transport.countError(c),
    );
    const byId = new Map(unique.map((id, i) => [id, results[i]!]));
    return leadIds.map((id) => byId.get(id)!);
  }

  async requestCampaign(campaignId: number, leadIds: number[]): Promise<void> {
    requireId(campaignId, 'campaignId');
    const unique = requireLeadIds(leadIds, MAX_CAMPAIGN_LEADS);
    if (unique.length === 0) return;
    const req = postRequest('requestCampaign', `/rest/v1/campaigns/${campaignId}/trigger.json`, {
      input: { leads: unique.map((id) => ({ id })) },
    });
    await this.transport.json(req, z.unknown());
  }
}

function requireId(id: number, field: string): void {
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new ValidationError(`${field} must be a positive integer`, field);
  }
}

function requireLeadIds(leadIds: number[], max: number): number[] {
  const unique = [...new Set(leadIds)];
  if (unique.length > max) {
    throw new ValidationError(`at most ${max} leadIds per call (got ${unique.length})`, 'leadIds');
  }
  if (!unique.every((id) => Number.isSafeInteger(id) && id > 0)) {
    throw new ValidationError('leadIds must be positive integers', 'leadIds');
  }
  return unique;
}
