import { z } from 'zod';
import { chatConfigurationSchema } from '../records/chat-configuration.js';
import { dialogueContentSchema, type Dialogue } from '../records/chat-dialogue.js';
import { type DialogueStats } from '../records/chat-event.js';

/**
 * The chat's collections in the store document (store-document.ts adds them). Each has a
 * default, so files written before the chat existed still open. A field added later to the
 * contract's configuration or dialogue schemas must be optional or have a default too, or
 * files that hold a configuration or dialogue saved before it would no longer open.
 */

const isoTime = z.iso.datetime({ offset: true });

const publishedVersionSchema = z.object({
  version: z.number().int().positive(),
  content: dialogueContentSchema,
  publishedAt: isoTime,
});

export const storedDialogueSchema = z.object({
  id: z.string().min(1).max(64),
  enabled: z.boolean(),
  draft: dialogueContentSchema,
  published: publishedVersionSchema.nullable(),
  /** Versions published before `published` (dialogue-admin.ts keeps a few); optional: older files. */
  earlier: z.array(publishedVersionSchema).max(10).optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

// The contract declares `Dialogue` as an interface; this keeps the schema and it in step.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const dialogueSchemaMatchesContract: Same<z.output<typeof storedDialogueSchema>, Dialogue> = true;
void dialogueSchemaMatchesContract;

export const dialogueStatsSchema = z.object({
  triggered: z.number().int().nonnegative(),
  engaged: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  peopleAcquired: z.number().int().nonnegative(),
  meetingsBooked: z.number().int().nonnegative(),
  goalsReached: z.number().int().nonnegative(),
}) satisfies z.ZodType<DialogueStats>;

/** The configuration (absent until first saved) and the revision the public ETag comes from. */
export const chatStateSchema = z
  .object({
    revision: z.number().int().nonnegative(),
    configuration: chatConfigurationSchema.optional(),
  })
  .default(() => ({ revision: 0 }));

/** A visitor's email, by `anon:<anonymousId>` or `trk:<_mkto_trk cookie>`. */
export const visitorLinkSchema = z.object({
  email: z.string().min(3).max(254),
  linkedAt: z.number(),
});
export type VisitorLink = z.infer<typeof visitorLinkSchema>;

/**
 * What the chat keeps of a conversation that is not known yet: its events' write-backs to be
 * (JSON values the chat module made), first held at `heldAt`, until an event makes it known.
 */
export const heldChatEventsSchema = z.object({
  heldAt: z.number(),
  values: z.array(z.unknown()),
});
export type HeldChatEvents = z.infer<typeof heldChatEventsSchema>;

/** A JSON object keyed by `keyOf(value)` read into a Map; a value filed under another key is damage. */
export function mapByKey<T>(schema: z.ZodType<T>, keyOf: (value: T) => string, what: string) {
  return z
    .record(z.string(), schema)
    .default({})
    .transform((record, ctx) => {
      const map = new Map<string, T>();
      for (const key of Object.keys(record)) {
        const value = record[key]!;
        if (keyOf(value) !== key) {
          ctx.issues.push({
            code: 'custom',
            input: value,
            path: [key],
            message: `${what} "${keyOf(value)}" is stored under key "${key}"`,
          });
          return z.NEVER;
        }
        map.set(key, value);
      }
      return map;
    });
}

/** A JSON object read into a Map as it is (the key is not a field of the value). */
function mapOf<T>(schema: z.ZodType<T>) {
  return z
    .record(z.string(), schema)
    .default({})
    .transform((record) => new Map(Object.entries(record)));
}

/** The chat members of the store document's schema. */
export const chatDocumentShape = {
  chat: chatStateSchema,
  dialogues: mapByKey(storedDialogueSchema, (dialogue) => dialogue.id, 'dialogue'),
  /** Counters by dialogue id. */
  dialogueStats: mapOf(dialogueStatsSchema),
  /**
   * Recently recorded events, `<conversationId>:<eventId>` → epoch ms, oldest first (the Map
   * keeps insertion order, and so does the file: the keys are never integer-like).
   */
  chatEventIds: mapOf(z.number()),
  visitorLinks: mapOf(visitorLinkSchema),
  /** By conversation id, oldest first (the Map keeps the order of the first hold). */
  heldChatEvents: mapOf(heldChatEventsSchema),
};

export function createEmptyChatDocument() {
  return {
    chat: Object.freeze({ revision: 0 }),
    dialogues: new Map<string, Dialogue>(),
    dialogueStats: new Map<string, DialogueStats>(),
    chatEventIds: new Map<string, number>(),
    visitorLinks: new Map<string, VisitorLink>(),
    heldChatEvents: new Map<string, HeldChatEvents>(),
  };
}
