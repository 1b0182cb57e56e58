import { z } from 'zod';
import type { MarketoApi, RecordResult } from '../clients/marketo/types.js';
import { createLeadUpsertBatcher } from '../marketo-activities/lead-upsert-batcher.js';
import { checkRecordResult, deliverToMarketo } from '../marketo-activities/marketo-delivery.js';
import { createRecordBatcher } from '../marketo-activities/record-batcher.js';
import { OutboxHandlerError, type OutboxHandler } from '../outbox/outbox-handler.js';
import type { LeadStore, NewOutboxItem } from '../store/types.js';
import type { Meeting } from '../records/meeting-contract.js';

/**
 * The name a visitor types when booking, written to the lead's first and last name in Marketo,
 * but only where those are empty there: the lead's own name, set by a form or by sales, wins
 * over what was typed into a chat.
 *
 * Sync Leads cannot do "only if empty": `createOrUpdate` overwrites every field it is given
 * (DEV:help/rest-api/leads.md). So the lead's id is found with a Sync Leads of the email alone
 * (which changes nothing on an existing lead and makes a missing one), its two names are read
 * (Get Leads by id) unless that call just made it, and only the empty ones are written
 * (`updateOnly` by id). The local copy spares every call when it shows both names set; it is
 * not trusted for "empty", since a name may have been set since the last sync. What remains is
 * the moment between the read and the update: a name set in that moment is overwritten, and
 * Marketo offers no conditional write to close it.
 *
 * The item is due a minute after the booking: the meeting activity's own Sync Leads makes a
 * new visitor's lead in the same outbox pass, and two upserts of one new email at once can
 * make two leads ("concurrent upserts with the same key can create duplicates", leads.md).
 * One item per booking with a name; writing it twice is harmless (the read finds the names).
 */
export const MEETING_LEAD_NAME_KIND = 'meeting-lead-name';

const NAME_FIELDS = ['firstName', 'lastName'] as const;
type NameField = (typeof NAME_FIELDS)[number];
type LeadName = Partial<Record<NameField, string>>;

/** After the meeting activity's lead upsert (see above). */
export const LEAD_NAME_DELAY_MS = 60_000;

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
    nextAttemptAt: meeting.updatedAt + LEAD_NAME_DELAY_MS,
  };
}

export function createLeadNameHandler(deps: {
  marketo: Pick<MarketoApi, 'syncLeads' | 'getLeadsByIds'>;
  store: Pick<LeadStore, 'findLeadsByEmail'>;
}): OutboxHandler {
  const { marketo } = deps;
  const updates = createRecordBatcher<Record<string, unknown>, RecordResult>({
    send: (leads) => marketo.syncLeads(leads, { lookupField: 'id', action: 'updateOnly' }),
  });
  // createOrUpdate with the email alone: the lead's id, made if missing, nothing else changed.
  const upserts = createLeadUpsertBatcher(marketo);

  /** The lead by email: its id, and whether this call made it (so it has no name yet). */
  const findOrCreate = async (email: string): Promise<{ id: number; created: boolean }> => {
    const found = await upserts.submit(email);
    checkRecordResult(found, 'lead upsert');
    if (found.id === undefined) {
      throw new OutboxHandlerError('MARKETO_BAD_RESPONSE', 'Sync Leads gave no lead id', {
        retryable: true,
      });
    }
    return { id: found.id, created: found.status === 'created' };
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
      const local = (await deps.store.findLeadsByEmail(email.trim().toLowerCase()))[0];
      let wanted = emptyIn(local?.fields, name);
      if (isEmptyName(wanted)) return;
      let leadId = local?.id;
      let current = leadId === undefined ? undefined : await readName(leadId);
      if (leadId === undefined || current === undefined) {
        // Not in the local copy, or no longer in Marketo (merged or deleted): by email.
        const lead = await findOrCreate(email);
        leadId = lead.id;
        current = lead.created ? {} : await readName(lead.id);
      }
      wanted = emptyIn(current, wanted);
      if (isEmptyName(wanted)) return;
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
