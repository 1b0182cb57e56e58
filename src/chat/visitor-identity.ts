import type { ChatStore, LeadStore, StoredLead } from '../store/types.js';
import type { VisitorLead } from './audience.js';
import type { ResolveRequest } from './chat-contract.js';

export interface VisitorIdentity {
  /** The email the visitor is known by, lower case; undefined when anonymous. */
  email: string | undefined;
  /**
   * What targeting and tokens may use: the stored lead's fields when the identity is this
   * browser's own; only `{ email }` for an email the request merely claims; undefined when
   * anonymous.
   */
  lead: VisitorLead;
  /** The stored lead, when the identity is this browser's own and the local copy has it. */
  leadId: number | undefined;
  /** The email is the one this browser gave in the chat (linked to its anonymous id or cookie). */
  linked: boolean;
}

/**
 * Who is asking, from the local copy only (never Marketo: resolve answers in milliseconds).
 *
 * The email is the request's `visitor.email`, else the email this browser gave earlier (the
 * store links it to the widget's anonymous id and to the Munchkin cookie when an email-given
 * event is recorded). A lead's stored fields are used only when that email is the linked one:
 * anyone can put anyone's address in a request, and the answer must never show another
 * person's data (a name in a greeting, a company in a question, or a dialogue chosen by their
 * country). A claimed email makes the visitor known, with nothing but that email, which the
 * caller already has. Of several leads with one email the newest observation wins.
 */
export function identifyVisitor(
  store: Pick<ChatStore, 'findVisitorEmail'> & Pick<LeadStore, 'findLeadsByEmail'>,
  visitor: ResolveRequest['visitor'],
): VisitorIdentity {
  const linkedEmail = store.findVisitorEmail(visitor);
  const email = (visitor.email ?? linkedEmail)?.trim().toLowerCase();
  if (email === undefined || email === '') {
    return { email: undefined, lead: undefined, leadId: undefined, linked: false };
  }
  const linked = linkedEmail !== undefined && linkedEmail.toLowerCase() === email;
  if (!linked) return { email, lead: { email }, leadId: undefined, linked };
  const stored = store.findLeadsByEmail(email)[0];
  return { email, lead: leadFields(stored, email), leadId: stored?.id, linked };
}

function leadFields(stored: StoredLead | undefined, email: string): VisitorLead {
  if (stored === undefined) return { email };
  const own = stored.fields['email'];
  return typeof own === 'string' && own.trim() !== '' ? stored.fields : { ...stored.fields, email };
}
