import { z } from 'zod';
import { StoreError } from '../errors.js';
import { initialSyncState, storedLeadSchema, syncStateSchema, usageStateSchema } from './types.js';

/**
 * The whole persisted document of the lowdb store, validated every time it is opened.
 *
 * To add a collection (dialogues, meetings, outbox, tokens): add it here with `.default(...)`
 * (or `.optional()`) so that files written before it still open, add it to
 * `createEmptyDocument`, and write a module that takes the `DocumentDb` and changes it only
 * inside `db.update(...)`. Bump `version` only for a change old files cannot be read as.
 */
export const STORE_DOCUMENT_VERSION = 1;

export const storeDocumentSchema = z
  .object({
    version: z.literal(STORE_DOCUMENT_VERSION),
    leads: z.record(z.string(), storedLeadSchema),
    /** Marketo never reuses a lead id, so a deleted id is remembered and never re-inserted. */
    deletedLeadIds: z.array(z.number().int().positive()),
    sync: syncStateSchema,
    usage: usageStateSchema.optional(),
  })
  .superRefine((doc, ctx) => {
    // Lookups go by key; a lead filed under another id would be invisible to getLead.
    for (const [key, lead] of Object.entries(doc.leads)) {
      if (key !== String(lead.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['leads', key, 'id'],
          message: `lead ${lead.id} is stored under key "${key}"`,
        });
        return;
      }
    }
  });
export type StoreDocument = z.infer<typeof storeDocumentSchema>;

export function createEmptyDocument(): StoreDocument {
  return {
    version: STORE_DOCUMENT_VERSION,
    leads: {},
    deletedLeadIds: [],
    sync: initialSyncState(),
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
  return parsed.data;
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
