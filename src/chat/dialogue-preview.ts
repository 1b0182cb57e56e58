import { z } from 'zod';
import { NotFoundError } from '../errors.js';
import type { ChatStore, LeadStore } from '../store/types.js';
import { isKnownVisitor, type VisitorLead } from './audience.js';
import { currentChatConfiguration } from './default-configuration.js';
import { isAllowedSite } from './domain-lists.js';
import { selectDialogue, type TargetingReason } from './targeting.js';

export const previewRequestSchema = z
  .object({
    pageUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048),
    /** A lead of the local copy; or */
    leadId: z.number().int().positive().optional(),
    /** the newest lead with this email, or a visitor who gave an email not synced yet. */
    email: z.email().max(254).optional(),
  })
  .refine((request) => request.leadId === undefined || request.email === undefined, {
    error: 'give leadId or email, not both',
    path: ['email'],
  });
export type PreviewRequest = z.infer<typeof previewRequestSchema>;

export interface DialoguePreview {
  pageUrl: string;
  visitor: {
    known: boolean;
    /** Where the fields came from: a lead of the local copy, only an email, or nobody. */
    source: 'lead' | 'email-only' | 'anonymous';
    leadId: number | null;
  };
  chatEnabled: boolean;
  /** False when the page's site is not in the allowed domains: the widget would not run. */
  siteAllowed: boolean;
  chosen: { id: string; name: string; version: number; priority: number } | null;
  reasons: TargetingReason[];
}

/**
 * Which published dialogue a visitor would see on a page, and why each other one would not
 * show, from the local copy of the lead (its synced fields) and the saved configuration.
 */
export async function previewDialogue(
  deps: { store: ChatStore & LeadStore },
  request: PreviewRequest,
): Promise<DialoguePreview> {
  const [visitor, configuration, dialogues] = await Promise.all([
    visitorFor(deps.store, request),
    currentChatConfiguration(deps.store),
    deps.store.listDialogues(),
  ]);
  const { chosen, reasons } = selectDialogue({
    dialogues,
    chatEnabled: configuration.chatEnabled,
    pageUrl: request.pageUrl,
    lead: visitor.lead,
  });
  return {
    pageUrl: request.pageUrl,
    visitor: {
      known: isKnownVisitor(visitor.lead),
      source: visitor.source,
      leadId: visitor.leadId,
    },
    chatEnabled: configuration.chatEnabled,
    siteAllowed: isAllowedSite(configuration.allowedDomains, request.pageUrl),
    chosen:
      chosen?.published == null
        ? null
        : {
            id: chosen.id,
            name: chosen.published.content.name,
            version: chosen.published.version,
            priority: chosen.published.content.priority,
          },
    reasons,
  };
}

async function visitorFor(
  store: LeadStore,
  request: PreviewRequest,
): Promise<{
  lead: VisitorLead;
  source: DialoguePreview['visitor']['source'];
  leadId: number | null;
}> {
  if (request.leadId !== undefined) {
    const lead = await store.getLead(request.leadId);
    if (lead === undefined) throw new NotFoundError(`No lead ${request.leadId} in the local copy`);
    return { lead: lead.fields, source: 'lead', leadId: lead.id };
  }
  if (request.email !== undefined) {
    const [lead] = await store.findLeadsByEmail(request.email);
    if (lead !== undefined) return { lead: lead.fields, source: 'lead', leadId: lead.id };
    return { lead: { email: request.email }, source: 'email-only', leadId: null };
  }
  return { lead: undefined, source: 'anonymous', leadId: null };
}
