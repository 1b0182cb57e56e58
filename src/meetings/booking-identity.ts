import type { VisitorLead } from '../chat/audience.js';
import type { MunchkinLookup } from '../chat/munchkin-lookup.js';
import { leadOfCookie } from '../chat/visitor-identity.js';
import type { LeadStore } from '../store/types.js';
import type { BookingRequest } from './booking-contract.js';

/**
 * Who books, as far as routing may know (issue 9 item 10; README "Visitor identity and
 * privacy"). A typed email proves nothing: anyone can type anyone's address. Routing on that
 * lead's stored fields (its owner, rules on its fields) would tell whoever typed it who owns the
 * lead and which rule its data match, since the answer names the agent. So the stored fields
 * route a booking only when the browser's Munchkin cookie is one Marketo associates with a lead
 * whose email is the booking's (Get Leads `filterType=cookies`, the chat's own lookup:
 * cached, capped, a short wait at most; munchkin-lookup.ts). Otherwise the visitor is routed as
 * an anonymous one: no owner step, and rules see a lead with no fields (`isEmpty` holds, an
 * `equals` does not), so nothing about the stored lead changes who is chosen.
 */
export interface BookingIdentity {
  identity: 'cookie' | 'typed';
  /** The lead's fields routing may use: the proven lead's; undefined when typed. */
  routingLead: VisitorLead;
  /**
   * The lead the meeting is linked to for its Marketo writes: the cookie's lead, or the stored
   * lead with the typed address (a write, as a form fill with any address is; never shown).
   */
  leadId: number | undefined;
}

export interface BookingIdentityDeps {
  store: Pick<LeadStore, 'getLead' | 'findLeadsByEmail'>;
  /** The chat's Munchkin lookup; absent: no booking is proven (all route as typed). */
  munchkin?: MunchkinLookup | undefined;
}

export async function identifyBooker(
  deps: BookingIdentityDeps,
  request: Pick<BookingRequest, 'email' | 'mktoTrk'>,
): Promise<BookingIdentity> {
  const email = request.email.toLowerCase();
  const cookieLead = await leadOfCookie(deps, request.mktoTrk);
  // The cookie proves one lead: a booking for another address (the visitor typed someone
  // else's, or their own on another lead) is not proven by it.
  if (cookieLead !== undefined && cookieLead.email === email) {
    return { identity: 'cookie', routingLead: cookieLead.fields, leadId: cookieLead.id };
  }
  return {
    identity: 'typed',
    routingLead: undefined,
    leadId: (await deps.store.findLeadsByEmail(email))[0]?.id,
  };
}
