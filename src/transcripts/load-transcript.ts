import type { Store } from '../store/types.js';
import { buildTranscript, type Transcript } from './build-transcript.js';

export type TranscriptStore = Pick<
  Store,
  'getConversation' | 'getDialogueVersion' | 'getDialogue' | 'getMeeting'
>;

/**
 * The conversation's transcript, or undefined when it is not in the log (never recorded, or
 * pruned). The texts come from the published version it ran: kept since it was published, or,
 * for a version published before versions were kept, the dialogue's current published version
 * when it is still that one. A booked meeting the store still has is shown as it is now.
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
  const transcript = buildTranscript(log, content);
  // A booked meeting's time, agent and status now (cancelled since, held, no-show).
  for (const step of transcript.steps) {
    if (step.kind !== 'meeting-booked' || step.meetingId === null) continue;
    const meeting = await store.getMeeting(step.meetingId);
    if (meeting === undefined) continue;
    step.meeting = {
      start: new Date(meeting.start).toISOString(),
      end: new Date(meeting.end).toISOString(),
      agentName: meeting.agentName,
      status: meeting.status,
    };
  }
  return transcript;
}
