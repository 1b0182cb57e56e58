import type { Store } from '../store/types.js';
import { buildTranscript, type Transcript } from './build-transcript.js';

export type TranscriptStore = Pick<Store, 'getConversation' | 'getDialogueVersion' | 'getDialogue'>;

/**
 * The conversation's transcript, or undefined when it is not in the log (never recorded, or
 * pruned). The texts come from the published version it ran: kept since it was published, or,
 * for a version published before versions were kept, the dialogue's current published version
 * when it is still that one.
 */
export async function loadTranscript(
  store: TranscriptStore,
  conversationId: string,
): Promise<Transcript | undefined> {
  const log = await store.getConversation(conversationId);
  if (log === undefined) return undefined;
  const { dialogueId, dialogueVersion } = log.summary;
  let content = await store.getDialogueVersion(dialogueId, dialogueVersion);
  if (content === undefined) {
    const published = (await store.getDialogue(dialogueId))?.published;
    if (published?.version === dialogueVersion) content = published.content;
  }
  return buildTranscript(log, content);
}
