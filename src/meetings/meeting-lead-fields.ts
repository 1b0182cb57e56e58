import { z } from 'zod';
import type { MarketoApi, RecordResult } from '../clients/marketo/types.js';
import { checkRecordResult, deliverToMarketo } from '../marketo-activities/marketo-delivery.js';
import { createRecordBatcher } from '../marketo-activities/record-batcher.js';
import { OutboxHandlerError, type OutboxHandler } from '../outbox/outbox-handler.js';
import type { LeadStore, NewOutboxItem } from '../store/types.js';
import type { Meeting } from '../records/meeting-contract.js';
import {
  createLeadNameHandler,
  leadNameItem,
  MEETING_LEAD_NAME_KIND,
} from './meeting-lead-name.js';

/**
 * The assigned agent written to the lead's own fields, as Dynamic Chat's booking card can ("the
 * agent's name or email into a person field"): e.g. MEETING_AGENT_EMAIL_FIELD=salesAgentEmail,
 * so smart lists and emails can use it. Off unless a field is configured. One item per booking,
 * enqueued with the confirmation; Sync Leads by email (createOrUpdate), batched up to 300.
 * A cancellation does not clear the fields: the lead keeps the agent who last took a meeting.
 */
export const MEETING_LEAD_AGENT_KIND = 'meeting-lead-agent';

export interface AgentLeadFields {
  /** Lead field (REST API name) that receives the agent's email. */
  email?: string | undefined;
  /** Lead field that receives the agent's name. */
  name?: string | undefined;
}

const payloadSchema = z.object({
  meetingId: z.string(),
  email: z.string(),
  fields: z.record(z.string(), z.string()),
});

export function leadAgentItem(
  meeting: Meeting,
  fields: AgentLeadFields,
): NewOutboxItem | undefined {
  const values: Record<string, string> = {};
  if (fields.email) values[fields.email] = meeting.agentEmail;
  if (fields.name) values[fields.name] = meeting.agentName;
  if (Object.keys(values).length === 0) return undefined;
  return {
    kind: MEETING_LEAD_AGENT_KIND,
    dedupeKey: `meeting:${meeting.id}#lead-agent`,
    payload: { meetingId: meeting.id, email: meeting.visitor.email, fields: values },
  };
}

export function createLeadAgentHandler(marketo: Pick<MarketoApi, 'syncLeads'>): OutboxHandler {
  const batcher = createRecordBatcher<Record<string, unknown>, RecordResult>({
    send: (leads) => marketo.syncLeads(leads, { lookupField: 'email', action: 'createOrUpdate' }),
  });
  return (item) =>
    deliverToMarketo(item, async () => {
      const parsed = payloadSchema.safeParse(item.payload);
      if (!parsed.success) {
        throw new OutboxHandlerError(
          'MEETING_PAYLOAD_INVALID',
          'stored lead-agent write is unreadable',
          {
            retryable: false,
          },
        );
      }
      const { email, fields } = parsed.data;
      // Writing the same values twice is harmless: this write is idempotent by nature.
      const result = await batcher.submit({ email, ...fields });
      checkRecordResult(result, 'lead agent fields');
    });
}

/**
 * The lead writes a confirmed booking makes besides its activity: the agent into the configured
 * fields, and the visitor's name into first and last name where empty (meeting-lead-name.ts).
 */
export function meetingLeadItems(
  meeting: Meeting,
  agentFields: AgentLeadFields | undefined,
): NewOutboxItem[] {
  const agent = agentFields === undefined ? undefined : leadAgentItem(meeting, agentFields);
  const name = leadNameItem(meeting);
  return [...(agent === undefined ? [] : [agent]), ...(name === undefined ? [] : [name])];
}

/** The outbox handlers of `meetingLeadItems`, by kind. */
export function createMeetingLeadHandlers(deps: {
  marketo: Pick<MarketoApi, 'syncLeads' | 'getLeadsByIds'>;
  store: Pick<LeadStore, 'findLeadsByEmail'>;
}): Record<string, OutboxHandler> {
  return {
    [MEETING_LEAD_AGENT_KIND]: createLeadAgentHandler(deps.marketo),
    [MEETING_LEAD_NAME_KIND]: createLeadNameHandler(deps),
  };
}
