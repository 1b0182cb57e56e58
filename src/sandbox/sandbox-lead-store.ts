import type { Clock } from '../deps.js';
import { parseIsoDate, toIso } from './envelope.js';
import {
  ACTIVITY_CHANGE_DATA_VALUE,
  ACTIVITY_DELETE_LEAD,
  ACTIVITY_NEW_LEAD,
  type ActivityLog,
} from './sandbox-activity-log.js';
import { FIELDS_BY_NAME, LEAD_FIELDS, isWritableField } from './sandbox-fields.js';
import type { LeadValue, SandboxLead } from './sandbox-types.js';

/**
 * Leads by id (a Map, so lookups by id stay O(1) for 100,000+ leads) with an email index.
 * Every create, change and delete goes through here so the activity log cannot miss one.
 */

export type LeadInput = Record<string, LeadValue | undefined>;

export interface WriteOptions {
  source?: string;
  /** Programmatic control may set createdAt/updatedAt (to build history); the API may not. */
  allowSystemDates?: boolean;
}

export interface LeadStore {
  get(id: number): SandboxLead | undefined;
  findByEmail(email: string): SandboxLead | undefined;
  /** The lead a Munchkin cookie is associated with (Associate Lead; one lead per cookie). */
  findByCookie(cookie: string): SandboxLead | undefined;
  /** Associates the cookie with the lead, moving it from any other lead; false if no lead. */
  associateCookie(id: number, cookie: string): boolean;
  values(): IterableIterator<SandboxLead>;
  size(): number;
  /** Adds a seeded lead without logging an activity. */
  insertSeeded(lead: SandboxLead): void;
  create(fields: LeadInput, options?: WriteOptions): SandboxLead;
  /** Applies changed fields, logging one Change Data Value per field; returns how many changed. */
  update(id: number, fields: LeadInput, options?: WriteOptions): number;
  remove(id: number): SandboxLead | undefined;
  /** The first field Marketo would not know, if any. */
  unknownField(fields: LeadInput): string | undefined;
}

const emailKey = (email: LeadValue | undefined): string | undefined =>
  typeof email === 'string' && email !== '' ? email.toLowerCase() : undefined;

const asText = (value: LeadValue): string | null => (value === null ? null : String(value));

function systemDate(value: LeadValue | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = parseIsoDate(value);
  return ms === undefined ? undefined : toIso(ms);
}

export function createLeadStore(clock: Clock, log: ActivityLog): LeadStore {
  const leads = new Map<number, SandboxLead>();
  const byEmail = new Map<string, number>();
  const byCookie = new Map<string, number>();
  let nextId = 1;

  const index = (lead: SandboxLead) => {
    const key = emailKey(lead.email);
    if (key !== undefined) byEmail.set(key, lead.id);
    if (lead.id >= nextId) nextId = lead.id + 1;
  };
  const unindex = (lead: SandboxLead) => {
    const key = emailKey(lead.email);
    if (key !== undefined && byEmail.get(key) === lead.id) byEmail.delete(key);
  };

  return {
    get: (id) => leads.get(id),
    findByEmail(email) {
      const id = byEmail.get(email.toLowerCase());
      return id === undefined ? undefined : leads.get(id);
    },
    findByCookie(cookie) {
      const id = byCookie.get(cookie);
      return id === undefined ? undefined : leads.get(id);
    },
    associateCookie(id, cookie) {
      if (!leads.has(id)) return false;
      byCookie.set(cookie, id);
      return true;
    },
    values: () => leads.values(),
    size: () => leads.size,
    insertSeeded(lead) {
      leads.set(lead.id, lead);
      index(lead);
    },
    create(fields, options = {}) {
      const now = toIso(clock.now());
      const createdAt = (options.allowSystemDates && systemDate(fields.createdAt)) || now;
      const updatedAt = (options.allowSystemDates && systemDate(fields.updatedAt)) || createdAt;
      const requested = typeof fields.id === 'number' && !leads.has(fields.id) ? fields.id : nextId;
      const lead = { id: requested, createdAt, updatedAt } as SandboxLead;
      for (const field of LEAD_FIELDS) {
        if (!field.readOnly) lead[field.name] = fields[field.name] ?? null;
      }
      leads.set(lead.id, lead);
      index(lead);
      log.append({ typeId: ACTIVITY_NEW_LEAD, leadId: lead.id, source: options.source });
      return lead;
    },
    update(id, fields, options = {}) {
      const lead = leads.get(id);
      if (!lead) return 0;
      let changed = 0;
      for (const [name, value] of Object.entries(fields)) {
        if (value === undefined || !isWritableField(name) || lead[name] === value) continue;
        const oldValue = lead[name] ?? null;
        if (name === 'email') unindex(lead);
        lead[name] = value;
        if (name === 'email') index(lead);
        changed++;
        log.append({
          typeId: ACTIVITY_CHANGE_DATA_VALUE,
          leadId: id,
          source: options.source,
          change: {
            id: FIELDS_BY_NAME.get(name)?.id ?? 0,
            name,
            newValue: asText(value),
            oldValue: asText(oldValue),
          },
        });
      }
      const updatedAt = options.allowSystemDates ? systemDate(fields.updatedAt) : undefined;
      if (updatedAt) lead.updatedAt = updatedAt;
      else if (changed > 0) lead.updatedAt = toIso(clock.now());
      return changed;
    },
    remove(id) {
      const lead = leads.get(id);
      if (!lead) return undefined;
      leads.delete(id);
      unindex(lead);
      for (const [cookie, leadId] of byCookie) if (leadId === id) byCookie.delete(cookie);
      const name = [lead.firstName, lead.lastName].filter((part) => part).join(' ');
      log.append({ typeId: ACTIVITY_DELETE_LEAD, leadId: id, primaryId: id, primary: name });
      return lead;
    },
    unknownField(fields) {
      return Object.keys(fields).find((name) => !FIELDS_BY_NAME.has(name));
    },
  };
}
