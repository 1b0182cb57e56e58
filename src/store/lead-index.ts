import type { StoredLead } from './types.js';

/** Emails compare case-insensitively (Marketo matches them so); surrounding spaces are noise. */
export function normalizeEmail(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const email = value.trim().toLowerCase();
  return email === '' ? undefined : email;
}

/**
 * Lowercased email → lead ids, so a lookup by email does not scan 100,000 leads. Marketo allows
 * several leads per email, hence a set. The store keeps it in step inside every mutation.
 */
export class LeadEmailIndex {
  private readonly idsByEmail = new Map<string, Set<number>>();
  /** Every stored lead id and the email it is indexed under; also gives the lead count. */
  private readonly emailById = new Map<number, string | undefined>();

  static build(leads: Iterable<StoredLead>): LeadEmailIndex {
    const index = new LeadEmailIndex();
    for (const lead of leads) index.set(lead);
    return index;
  }

  get size(): number {
    return this.emailById.size;
  }

  /** Adds a lead or moves it to its new email. */
  set(lead: StoredLead): void {
    const email = normalizeEmail(lead.fields['email']);
    if (this.emailById.has(lead.id)) {
      if (this.emailById.get(lead.id) === email) return;
      this.remove(lead.id);
    }
    this.emailById.set(lead.id, email);
    if (email === undefined) return;
    let ids = this.idsByEmail.get(email);
    if (ids === undefined) {
      ids = new Set();
      this.idsByEmail.set(email, ids);
    }
    ids.add(lead.id);
  }

  remove(id: number): void {
    if (!this.emailById.has(id)) return;
    const email = this.emailById.get(id);
    this.emailById.delete(id);
    if (email === undefined) return;
    const ids = this.idsByEmail.get(email);
    ids?.delete(id);
    if (ids?.size === 0) this.idsByEmail.delete(email);
  }

  idsFor(email: string): number[] {
    const key = normalizeEmail(email);
    return key === undefined ? [] : [...(this.idsByEmail.get(key) ?? [])];
  }
}
