import type { ChatStore, LeadStore, StoredLead } from '../store/types.js';
import type { VisitorLead } from './audience.js';
import type { ChatConfiguration } from '../records/chat-configuration.js';
import type { ResolveRequest } from '../records/chat-widget-api.js';
import type { MunchkinLookup } from './munchkin-lookup.js';
import { acceptableVisitorEmail } from './visitor-email.js';

/**
 * How we know who a visitor is:
 * - `cookie`: Marketo associates this browser's Munchkin cookie with the lead (munchkin-lookup.ts).
 *   Proven by Marketo, not by the visitor: the lead's stored data may personalise the chat.
 * - `typed`: an email the visitor typed (in this chat, or carried by the widget's request). Anyone
 *   can type anyone's address, so it proves nothing: it may be echoed back to the visitor who
 *   typed it, and written to Marketo marked as typed (as a form fill is), but nothing stored
 *   about that address's lead is ever used for this visitor.
 */
export type IdentitySource = 'cookie' | 'typed';

export interface VisitorIdentity {
  source: IdentitySource | undefined;
  /** The lead Marketo associates with the cookie, and its email in Marketo (`cookie` only). */
  leadId: number | undefined;
  leadEmail: string | undefined;
  /** The typed email, lower case, when there is one (whatever the source). */
  typedEmail: string | undefined;
  /**
   * What targeting may use: the stored lead's fields for a `cookie` identity; undefined
   * otherwise, so audiences on lead fields and "known visitors" never match on a typed address.
   */
  audienceLead: VisitorLead;
  /** What tokens may use: as audienceLead, or for a typed email only `{ email }` (an echo). */
  tokenLead: VisitorLead;
}

export interface IdentifyDeps {
  store: Pick<ChatStore, 'findVisitorEmail'> & Pick<LeadStore, 'getLead'>;
  /** Absent: no cookie lookups (the visitor is at most typed). */
  munchkin?: MunchkinLookup | undefined;
}

const ANONYMOUS: VisitorIdentity = Object.freeze({
  source: undefined,
  leadId: undefined,
  leadEmail: undefined,
  typedEmail: undefined,
  audienceLead: undefined,
  tokenLead: undefined,
});

/**
 * Who is asking. The cookie first (a short wait at most, see munchkin-lookup.ts), then the email
 * this browser typed earlier (linked to its anonymous id), then `visitor.email`; a typed email
 * passes the chat's email rules or is ignored (visitor-email.ts).
 */
export async function identifyVisitor(
  deps: IdentifyDeps,
  configuration: Pick<ChatConfiguration, 'blockedEmailDomains'>,
  visitor: ResolveRequest['visitor'],
): Promise<VisitorIdentity> {
  // Independent reads: the link this browser made and the cookie's lead, side by side.
  const [linkedEmail, marketoLead] = await Promise.all([
    deps.store.findVisitorEmail(visitor),
    leadOfCookie(deps, visitor.mktoTrk),
  ]);
  const typedEmail =
    acceptableVisitorEmail(configuration, linkedEmail) ??
    acceptableVisitorEmail(configuration, visitor.email);
  if (marketoLead !== undefined) {
    return {
      source: 'cookie',
      leadId: marketoLead.id,
      leadEmail: marketoLead.email,
      typedEmail,
      audienceLead: marketoLead.fields,
      tokenLead: marketoLead.fields,
    };
  }
  if (typedEmail === undefined) return ANONYMOUS;
  return {
    source: 'typed',
    leadId: undefined,
    leadEmail: undefined,
    typedEmail,
    audienceLead: undefined,
    tokenLead: { email: typedEmail },
  };
}

/**
 * The lead Marketo associates with the Munchkin cookie, with what we hold of it (its email in
 * Marketo, lower case, and the local copy's fields); undefined without a cookie, without lookups,
 * or when Marketo knows no lead for it (yet). The chat and the widget's bookings both ask here.
 */
export async function leadOfCookie(
  deps: { store: Pick<LeadStore, 'getLead'>; munchkin?: MunchkinLookup | undefined },
  mktoTrk: string | undefined,
): Promise<{ id: number; email: string; fields: VisitorLead } | undefined> {
  if (mktoTrk === undefined || deps.munchkin === undefined) return undefined;
  const lead = await deps.munchkin.leadFor(mktoTrk);
  if (lead === undefined) return undefined;
  return { ...lead, fields: storedFields(await deps.store.getLead(lead.id), lead.email) };
}

/** Whether resolve needs more than the page: a cookie to ask Marketo about, or a typed email. */
export async function mayBeIdentified(
  deps: Pick<IdentifyDeps, 'store' | 'munchkin'>,
  visitor: ResolveRequest['visitor'],
): Promise<boolean> {
  return (
    visitor.email !== undefined ||
    (visitor.mktoTrk !== undefined && deps.munchkin !== undefined) ||
    (await deps.store.findVisitorEmail(visitor)) !== undefined
  );
}

/** The local copy's fields; before the sync brings the lead, the email Marketo gave. */
function storedFields(stored: StoredLead | undefined, email: string): VisitorLead {
  if (stored === undefined) return { email };
  const own = stored.fields['email'];
  return typeof own === 'string' && own.trim() !== '' ? stored.fields : { ...stored.fields, email };
}
