import type { Clock } from '../deps.js';
import { marketoErrors, reasonOf, toIso } from './envelope.js';
import type { LeadStore } from './sandbox-lead-store.js';

/**
 * Static lists and smart campaigns of the sandbox, seeded with a few of each so a dialogue's
 * action cards have something to name (sandbox-lists-campaigns.ts serves them over REST).
 *
 * Rules as swagger-mapi states them: Add to List takes at most 300 lead ids and answers one
 * result per id (`added`; `skipped` with 1004 for an unknown lead; a lead already a member is
 * `added` again, membership does not double); Request Campaign takes at most 100 leads, and the
 * campaign must be an active trigger campaign with a "Campaign is Requested: Web Service API"
 * trigger. Unknown list or campaign: 1013. A batch or inactive campaign: 1003 (our reading: the
 * spec names the requirement, not the code). Unknown lead ids in a campaign request are dropped
 * from the run, as the answer has no per-lead result to report them in.
 */

export interface SandboxList {
  id: number;
  name: string;
}

export interface SandboxCampaign {
  id: number;
  name: string;
  type: 'trigger' | 'batch';
  active: boolean;
}

export interface ListMember {
  leadId: number;
  addedAt: string;
}

export interface CampaignRequest {
  /** The leads run through the campaign by this request (known ones only), in request order. */
  leadIds: number[];
  requestedAt: string;
}

export const SEED_LISTS: readonly SandboxList[] = [
  { id: 1001, name: 'Chat - Qualified visitors' },
  { id: 1002, name: 'Chat - Newsletter sign-ups' },
];

export const SEED_CAMPAIGNS: readonly SandboxCampaign[] = [
  { id: 2001, name: 'Chat - Sales follow-up', type: 'trigger', active: true },
  { id: 2002, name: 'Monthly newsletter', type: 'batch', active: false },
  { id: 2003, name: 'Chat - Paused nurture', type: 'trigger', active: false },
];

export const MAX_LIST_LEADS = 300;
export const MAX_CAMPAIGN_LEADS = 100;

export type AddToListResult =
  | { id: number; status: 'added' }
  | { id: number; status: 'skipped'; reasons: Array<{ code: string; message: string }> };

export interface Marketing {
  lists(): SandboxList[];
  campaigns(): SandboxCampaign[];
  /** Members in the order they joined; undefined for an unknown list. */
  listMembers(listId: number): ListMember[] | undefined;
  /** Requests in arrival order; undefined for an unknown campaign. */
  campaignRequests(campaignId: number): CampaignRequest[] | undefined;
  addToList(listId: number, leadIds: number[]): AddToListResult[];
  requestCampaign(campaignId: number, leadIds: number[]): void;
}

export function createMarketing(clock: Clock, leads: Pick<LeadStore, 'get'>): Marketing {
  const lists = new Map(
    SEED_LISTS.map((l) => [l.id, { list: l, members: new Map<number, ListMember>() }]),
  );
  const campaigns = new Map(
    SEED_CAMPAIGNS.map((c) => [c.id, { campaign: c, requests: [] as CampaignRequest[] }]),
  );
  return {
    lists: () => [...lists.values()].map((entry) => ({ ...entry.list })),
    campaigns: () => [...campaigns.values()].map((entry) => ({ ...entry.campaign })),
    listMembers: (listId) => {
      const entry = lists.get(listId);
      return entry && [...entry.members.values()].map((m) => ({ ...m }));
    },
    campaignRequests: (campaignId) => {
      const entry = campaigns.get(campaignId);
      return entry?.requests.map((r) => ({ ...r, leadIds: [...r.leadIds] }));
    },
    addToList(listId, leadIds) {
      const entry = lists.get(listId);
      if (entry === undefined) throw marketoErrors.objectNotFound(`static list ${listId}`);
      if (leadIds.length > MAX_LIST_LEADS) {
        throw marketoErrors.invalidData(`at most ${MAX_LIST_LEADS} leads per call`);
      }
      return leadIds.map((id): AddToListResult => {
        if (leads.get(id) === undefined) {
          return { id, status: 'skipped', reasons: [reasonOf(marketoErrors.leadNotFound())] };
        }
        if (!entry.members.has(id))
          entry.members.set(id, { leadId: id, addedAt: toIso(clock.now()) });
        return { id, status: 'added' };
      });
    },
    requestCampaign(campaignId, leadIds) {
      const entry = campaigns.get(campaignId);
      if (entry === undefined) throw marketoErrors.objectNotFound(`campaign ${campaignId}`);
      if (entry.campaign.type !== 'trigger' || !entry.campaign.active) {
        throw marketoErrors.invalidData(
          `campaign ${campaignId} is not an active trigger campaign requestable by the API`,
        );
      }
      if (leadIds.length > MAX_CAMPAIGN_LEADS) {
        throw marketoErrors.invalidData(`at most ${MAX_CAMPAIGN_LEADS} leads per call`);
      }
      const known = leadIds.filter((id) => leads.get(id) !== undefined);
      entry.requests.push({ leadIds: known, requestedAt: toIso(clock.now()) });
    },
  };
}
