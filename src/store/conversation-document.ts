import { z } from 'zod';
import { dialogueContentSchema } from '../records/chat-dialogue.js';
import {
  conversationEntrySchema,
  conversationSummarySchema,
  type ConversationEntry,
  type ConversationSummary,
} from '../records/conversation-log.js';
import { mapByKey } from './chat-document.js';

/**
 * The conversation log's collections in the store document (store-document.ts adds them), each
 * with a default so files written before the log existed still open. Values are frozen and
 * replaced, never changed in place (document-snapshot.ts).
 */

export const loggedConversationSchema = z.object({
  summary: conversationSummarySchema,
  entries: z.array(conversationEntrySchema),
});
export interface LoggedConversation {
  summary: ConversationSummary;
  entries: ConversationEntry[];
}

export const dialogueVersionRecordSchema = z.object({
  dialogueId: z.string().min(1).max(64),
  version: z.number().int().positive(),
  content: dialogueContentSchema,
  publishedAt: z.iso.datetime({ offset: true }),
});
export type DialogueVersionRecord = z.infer<typeof dialogueVersionRecordSchema>;

export const dialogueVersionKey = (dialogueId: string, version: number) =>
  `${dialogueId}@${version}`;

export const conversationDocumentShape = {
  /** By conversation id, in the order first logged (oldest first). */
  conversations: mapByKey(
    loggedConversationSchema,
    (c) => c.summary.conversationId,
    'conversation',
  ),
  /** Published dialogue versions by `<dialogueId>@<version>`. */
  dialogueVersions: mapByKey(
    dialogueVersionRecordSchema,
    (v) => dialogueVersionKey(v.dialogueId, v.version),
    'dialogue version',
  ),
};

export function createEmptyConversationDocument() {
  return {
    conversations: new Map<string, LoggedConversation>(),
    dialogueVersions: new Map<string, DialogueVersionRecord>(),
  };
}
