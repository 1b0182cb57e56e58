import type { DialogueContent } from '../records/chat-dialogue.js';
import type {
  AgentMeetingCounts,
  ConversationListFilter,
  ConversationLog,
  ConversationPage,
  DialogueReportRows,
} from '../records/conversation-log.js';

/**
 * Reads of the conversation log and the dated reports. The log itself is written by
 * ChatStore.recordChatEvent, in the event's own write; published dialogue versions are kept by
 * ChatStore.saveDialogue when a version is first published, so a transcript shows the texts of
 * the version its conversation ran.
 */
export interface ConversationStore {
  /** The conversation's summary and entries in recorded order; undefined when not logged. */
  getConversation(conversationId: string): Promise<ConversationLog | undefined>;
  /** Newest started first, keyset-paged. */
  listConversations(filter: ConversationListFilter): Promise<ConversationPage>;
  /** The content of a published version, kept since it was first published. */
  getDialogueVersion(dialogueId: string, version: number): Promise<DialogueContent | undefined>;
  /**
   * Logged events recorded in [from, to), counted per dialogue, day (in `timeZone`, an IANA
   * zone) and type; and per dialogue the conversations that gave an email or booked a meeting.
   */
  dialogueReport(args: { from: number; to: number; timeZone: string }): Promise<DialogueReportRows>;
  /**
   * Meetings per agent: `booked` counts meetings created in [from, to) (pending holds aside);
   * held, no-shows and cancelled count meetings starting in [from, to) by their status now.
   */
  agentMeetingReport(args: { from: number; to: number }): Promise<AgentMeetingCounts[]>;
  /** Forgets conversations whose last event is before `before`; answers how many. */
  pruneConversations(before: number): Promise<number>;
}
