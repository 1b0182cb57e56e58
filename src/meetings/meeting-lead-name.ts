import { z } from 'zod';
import type { MarketoApi, RecordResult } from '../clients/marketo/types.js';
import { createLeadUpsertBatcher } from '../marketo-activities/lead-upsert-batcher.js';
import { checkRecordResult, deliverToMarketo } from '../marketo-activities/marketo-delivery.js';
import { createRecordBatcher } from '../marketo-activities/record-batcher.js';
import { OutboxHandlerError, type OutboxHandler } from '../outbox/outbox-handler.js';
import type { LeadStore, NewOutboxItem } from '../store/types.js';
import type { Meeting } from './meeting-contract.js';

/**
 * The name a visitor types when booking, written to the lead's first and last name in Marketo,
 * but only where those are empty there: the lead's own name, set by a form or by sales, wins
 * over what was typed into a chat.
 *
 * Sync Leads cannot do "only if empty": `createOrUpdate` overwrites every field it is given
 * (DEV:help/rest-api/leads.md). So the write is `createOnly` for a lead Marketo does not have
 * yet (a new lead has no name to keep), and for an existing one a read of its two names (Get
 * Leads by id) followed by an `updateOnly` of the empty ones. The local copy spares both calls
 * when it already shows both names set; it is not trusted for "empty", since a name may have
 * been set since the last sync. What remains is the moment between the read and the update:
 * a name set in that moment is overwritten, and Marketo offers no conditional write to close it.
 *
 * One item per booking with a name, enqueued with the confirmation. Writing it twice is
 * harmless: the second read finds the names set.
 */
export const MEETING_LEAD_NAME_KIND = 'meeting-lead-name';

const NAME_FIELDS = ['firstName', 'lastName'] as const;
type NameField = (typeof NAME_FIELDS)[number];
type LeadName = Partial<Record<NameField, string>>;

/** Marketo's standard firstName and lastName are strings of at most 255 characters. */
const MAX_NAME_CHARS = 255;

const payloadSchema = z.object({
  meetingId: z.string(),
  email: z.string(),
  name: z.object({ firstName: z.string().optional(), lastName: z.string().optional() }),
});

/**
 * "Ada Lovelace" → Ada / Lovelace; "Ludwig van Beethoven" → Ludwig / van Beethoven (the first
 * word is the first name, as web-to-lead forms split one name box); "Lovelace, Ada" → Ada /
 * Lovelace; a single word is a first name only.
 */
export function splitVisitorName(name: string): LeadName {
  const comma = name.split(',').map((part) => part.trim());
  const [first = '', ...rest] =
    comma.length === 2 && comma[0] && comma[1]
      ? [comma[1], comma[0]]
      : name.trim().split(/\s+/).filter(Boolean);
  const last = rest.join(' ');
  return {
    ...(first ? { firstName: first.slice(0, MAX_NAME_CHARS) } : {}),
    ...(last ? { lastName: last.slice(0, MAX_NAME_CHARS) } : {}),
  };
}

export function leadNameItem(meeting: Meeting): NewOutboxItem | undefined {
  const name = splitVisitorName(meeting.visitor.name ?? '');
  if (Object.keys(name).length === 0) return undefined;
  return {
    kind: MEETING_LEAD_NAME_KIND,
    dedupeKey: `meeting:${meeting.id}#lead-name`,
    payload: { meetingId: meeting.id, email: meeting.visitor.email, name },
  };
}

export function createLeadNameHandler(deps: {
  marketo: Pick<MarketoApi, 'syncLeads' | 'getLeadsByIds'>;
  store: Pick<LeadStore, 'findLeadsByEmail'>;
}): OutboxHandler {
  const { marketo } = deps;
  const sync = (action: 'createOnly' | 'updateOnly', lookupField: 'email' | 'id') =>
    createRecordBatcher<Record<string, unknown>, RecordResult>({
      send: (leads) => marketo.syncLeads(leads, { lookupField, action }),
    });
  const creates = sync('createOnly', 'email');
  const updates = sync('updateOnly', 'id');
  // createOrUpdate with the email alone: finds the lead's id and changes nothing on it.
  const idsByEmail = createLeadUpsertBatcher(marketo);

  /** The lead's id in Marketo, or undefined once `createOnly` made it with the name. */
  const createOrFind = async (email: string, name: LeadName): Promise<number | undefined> => {
    const created = await creates.submit({ email, ...name });
    if (created.status === 'created') return undefined;
    // 1005 "Lead already exists": Marketo has it though the local copy does not (yet).
    if (created.errors?.[0]?.code !== '1005') checkRecordResult(created, 'lead with name');
    const found = await idsByEmail.submit(email);
    checkRecordResult(found, 'lead upsert');
    if (found.id === undefined) {
      throw new OutboxHandlerError('MARKETO_BAD_RESPONSE', 'Sync Leads gave no lead id', {
        retryable: true,
      });
    }
    return found.id;
  };

  return (item) =>
    deliverToMarketo(item, async () => {
      const parsed = payloadSchema.safeParse(item.payload);
      if (!parsed.success) {
        throw new OutboxHandlerError('MEETING_PAYLOAD_INVALID', 'stored lead name is unreadable', {
          retryable: false,
        });
      }
      const { email, name } = parsed.data;
      const local = deps.store.findLeadsByEmail(email.trim().toLowerCase())[0];
      let wanted = emptyIn(local?.fields, name);
      if (isEmptyName(wanted)) return;
      let leadId = local?.id;
      let current = leadId === undefined ? undefined : await readName(leadId);
      if (current === undefined) {
        // Not in Marketo (or no longer: merged or deleted since the last sync): by email.
        leadId = await createOrFind(email, wanted);
        if (leadId === undefined) return;
        current = await readName(leadId);
      }
      wanted = emptyIn(current, wanted);
      if (isEmptyName(wanted) || leadId === undefined) return;
      checkRecordResult(await updates.submit({ id: leadId, ...wanted }), 'lead name');
    });

  async function readName(id: number): Promise<Record<string, unknown> | undefined> {
    const { leads } = await marketo.getLeadsByIds([id], [...NAME_FIELDS]);
    return leads.find((lead) => lead.id === id);
  }
}

/** The parts of `name` whose field is empty in `lead` (all of them when the lead is unknown). */
function emptyIn(lead: Readonly<Record<string, unknown>> | undefined, name: LeadName): LeadName {
  const out: LeadName = {};
  for (const field of NAME_FIELDS) {
    const value = lead?.[field];
    if (name[field] && (typeof value !== 'string' || value.trim() === '')) out[field] = name[field];
  }
  return out;
}

const isEmptyName = (name: LeadName) => Object.keys(name).length === 0;
