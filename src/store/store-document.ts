import { z } from 'zod';
import { StoreError } from '../errors.js';
import { rotationStateSchema } from '../records/rotation.js';
import { DEFAULT_ROUTING_SETTINGS, routingSettingsSchema } from '../records/routing-settings.js';
import { chatDocumentShape, createEmptyChatDocument } from './chat-document.js';
import {
  conversationDocumentShape,
  createEmptyConversationDocument,
} from './conversation-document.js';
import { deepFreeze, freezeDocumentValues } from './document-snapshot.js';
import { createEmptyMeetingDocument, meetingDocumentShape } from './meeting-document.js';
import {
  createEmptyNotificationDocument,
  notificationDocumentShape,
} from './notification-document.js';
import {
  assignmentSchema,
  initialSyncState,
  outboxItemSchema,
  storedLeadSchema,
  syncStateSchema,
  storeInstanceSchema,
  usageStateSchema,
  type Assignment,
  type OutboxItem,
  type StoredLead,
} from './types.js';

/**
 * The whole persisted document of the lowdb store, validated every time it is opened. The
 * schema reads the file; its output is the live document, in which each collection is a Map
 * keyed by id (written back as a JSON object) and every value is frozen.
 *
 * To add a collection (dialogues, meetings, tokens): add it here with `.default(...)`
 * (or `.optional()`) so that files written before it still open, read it into a Map keyed by
 * id (as `leads` is) or an array, add it to `createEmptyDocument`, and write a module that
 * changes it only inside `db.update(...)` and only by putting frozen values in (Map.set,
 * delete, push): a write serialises a snapshot over many event-loop turns, which is sound
 * only if no value changes in place (document-snapshot.ts). Bump `version` only for a change
 * old files cannot be read as.
 */
export const STORE_DOCUMENT_VERSION = 1;

/** Leads by id: a JSON object keyed by the id in the file, a Map in memory. */
const leadsSchema = z.record(z.string(), storedLeadSchema).transform((leads, ctx) => {
  const byId = new Map<number, StoredLead>();
  for (const key of Object.keys(leads)) {
    const lead = leads[key]!;
    // Lookups go by id; a lead filed under another id would be invisible to getLead.
    if (key !== String(lead.id)) {
      ctx.issues.push({
        code: 'custom',
        input: lead,
        path: [key, 'id'],
        message: `lead ${lead.id} is stored under key "${key}"`,
      });
      return z.NEVER;
    }
    byId.set(lead.id, lead);
  }
  return byId;
});

/** The rotation (records/rotation.ts); replaced whole on change. Defaults for older files. */
const routingSchema = rotationStateSchema.default(() => ({ totals: {} }));

/** Files written before the settings existed open with the defaults. */
const routingSettingsDocSchema = routingSettingsSchema.default(() => ({
  ...DEFAULT_ROUTING_SETTINGS,
}));

/** Assignments by routed key. Defaults to empty: files written before routing still open. */
const assignmentsSchema = z
  .record(z.string(), assignmentSchema)
  .default({})
  .transform((assignments, ctx) => {
    const byKey = new Map<string, Assignment>();
    for (const key of Object.keys(assignments)) {
      const assignment = assignments[key]!;
      if (key !== assignment.key) {
        ctx.issues.push(misfiled(assignment, key, 'key', `assignment of "${assignment.key}"`));
        return z.NEVER;
      }
      byKey.set(key, assignment);
    }
    return byKey;
  });

/**
 * Outbox items by id. A dedupe key held twice would let one intent be delivered twice, so
 * such a file is refused like any other damage rather than silently half-indexed.
 */
const outboxSchema = z
  .record(z.string(), outboxItemSchema)
  .default({})
  .transform((items, ctx) => {
    const byId = new Map<string, OutboxItem>();
    const dedupeKeys = new Set<string>();
    for (const key of Object.keys(items)) {
      const item = items[key]!;
      if (key !== item.id) {
        ctx.issues.push(misfiled(item, key, 'id', `outbox item "${item.id}"`));
        return z.NEVER;
      }
      if (dedupeKeys.has(item.dedupeKey)) {
        ctx.issues.push({
          code: 'custom',
          input: item,
          path: [key, 'dedupeKey'],
          message: `dedupe key "${item.dedupeKey}" is held by more than one outbox item`,
        });
        return z.NEVER;
      }
      dedupeKeys.add(item.dedupeKey);
      byId.set(key, item);
    }
    return byId;
  });

function misfiled(input: unknown, key: string, field: string, what: string) {
  return {
    code: 'custom' as const,
    input,
    path: [key, field],
    message: `${what} is stored under key "${key}"`,
  };
}

export const storeDocumentSchema = z.object({
  version: z.literal(STORE_DOCUMENT_VERSION),
  leads: leadsSchema,
  /** Marketo never reuses a lead id, so a deleted id is remembered and never re-inserted. */
  deletedLeadIds: z.array(z.number().int().positive()),
  sync: syncStateSchema,
  usage: usageStateSchema.optional(),
  /** Which Marketo instance the data belongs to; a store never serves another one. */
  instance: storeInstanceSchema.optional(),
  routing: routingSchema,
  routingSettings: routingSettingsDocSchema,
  assignments: assignmentsSchema,
  outbox: outboxSchema,
  /** Chat: configuration and revision, dialogues, counters, recent event ids, visitor links. */
  ...chatDocumentShape,
  /** The conversation log and published dialogue versions (transcripts, dated reports). */
  ...conversationDocumentShape,
  /** Meetings: agents (rotation order), meetings, routing rules, OAuth connects in progress. */
  ...meetingDocumentShape,
  /** Messages captured instead of sent (sandbox mode, no SMTP_URL), for GET /api/notifications. */
  ...notificationDocumentShape,
  /** The first lead-journal generation this document does not hold (lead-journal.ts). */
  journalGeneration: z.number().int().nonnegative().default(0),
});
/** The live document. */
export type StoreDocument = z.output<typeof storeDocumentSchema>;

export function createEmptyDocument(): StoreDocument {
  return {
    version: STORE_DOCUMENT_VERSION,
    leads: new Map(),
    deletedLeadIds: [],
    sync: deepFreeze(initialSyncState()),
    routing: deepFreeze({ totals: {} }),
    routingSettings: deepFreeze({ ...DEFAULT_ROUTING_SETTINGS }),
    assignments: new Map(),
    outbox: new Map(),
    ...createEmptyChatDocument(),
    ...createEmptyConversationDocument(),
    ...createEmptyMeetingDocument(),
    ...createEmptyNotificationDocument(),
    journalGeneration: 0,
  };
}

// `fatal` makes invalid UTF-8 an error instead of silently becoming U+FFFD and being written back.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses the file's bytes, or throws STORE_CORRUPT (STORE_UNSUPPORTED_VERSION for a newer
 * document). The caller must then stop: writing defaults over a damaged file would turn a
 * recoverable problem into lost data (lowdb #139, #36).
 */
export function parseStoreDocument(bytes: Uint8Array, file: string): StoreDocument {
  if (bytes.length === 0) throw corrupt(file, 'the file is empty');
  const nul = bytes.indexOf(0);
  // A block of NUL bytes is what a power loss leaves when data blocks were allocated but not written.
  if (nul !== -1) throw corrupt(file, `the file contains NUL bytes (first at byte ${nul})`);

  let raw: unknown;
  try {
    raw = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    throw corrupt(file, `the file is not valid JSON (${(error as Error).message})`, error);
  }

  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > STORE_DOCUMENT_VERSION) {
    throw new StoreError(
      'STORE_UNSUPPORTED_VERSION',
      `Data file ${file} has document version ${version}, but this release reads version ` +
        `${STORE_DOCUMENT_VERSION}. It was written by a newer release: run that release, or ` +
        'set DATA_FILE to another path. The file has not been changed.',
    );
  }

  const parsed = storeDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    const more = parsed.error.issues.length > 3 ? ` (+${parsed.error.issues.length - 3} more)` : '';
    throw corrupt(file, `the document does not match the schema: ${issues}${more}`, parsed.error);
  }
  return freezeDocumentValues(parsed.data);
}

function corrupt(file: string, reason: string, cause?: unknown): StoreError {
  return new StoreError(
    'STORE_CORRUPT',
    `Data file ${file} cannot be read: ${reason}. The service will not start and has not ` +
      'changed the file. Restore the file from a backup, or move it away to start with an ' +
      'empty store (the lead sync then copies the leads again).',
    cause,
  );
}
