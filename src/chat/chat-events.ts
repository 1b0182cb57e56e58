import type { Clock } from '../deps.js';
import { ValidationError } from '../errors.js';
import type { ChatStore, LeadStore, NewOutboxItem } from '../store/types.js';
import type { ChatConfiguration, ChatEvent, DialogueStats } from './chat-contract.js';
import { chatActivityItem, chatLeadUpsertItem, type ChatActivity } from './chat-events-outbox.js';
import { acceptableVisitorEmail, acceptVisitorEmail } from './visitor-email.js';
import type { VisitorCompletions } from './visitor-completions.js';

export interface ChatEventDeps {
  store: Pick<ChatStore, 'getDialogue' | 'recordChatEvent' | 'findVisitorEmail'> &
    Pick<LeadStore, 'findLeadsByEmail'>;
  clock: Clock;
  completions: VisitorCompletions;
}

export interface RecordedChatEvent {
  /** False for a repeat (the same event id in the same conversation): counted once. */
  recorded: boolean;
  /** Marketo write-backs enqueued with it. */
  enqueued: number;
}

/** The report counter each event moves (Dynamic Chat's dialogue report, marketo-facts.md §7.2). */
const COUNTER: Record<ChatEvent['type'], keyof DialogueStats> = {
  triggered: 'triggered',
  engaged: 'engaged',
  completed: 'completed',
  'email-given': 'peopleAcquired',
  'goal-reached': 'goalsReached',
  'meeting-booked': 'meetingsBooked',
};

/**
 * POST /chat/events after parsing: checks the event against what was published, then records
 * it, its counter, the visitor's email link and its Marketo write-back in one store write
 * (once per event: a retried request changes nothing). The write-back goes to the lead with the
 * visitor's email in the local copy; an email we have no lead for is upserted first (Sync Leads
 * by email), so an anonymous visitor who gives an email becomes a lead in Marketo. A visitor
 * with no email at all is counted but not written back.
 */
export async function recordWidgetEvent(
  deps: ChatEventDeps,
  configuration: ChatConfiguration,
  event: ChatEvent,
): Promise<RecordedChatEvent> {
  const dialogue = deps.store.getDialogue(event.dialogueId);
  if (!dialogue?.published) {
    throw new ValidationError('dialogueId: no published dialogue has this id', 'dialogueId');
  }
  if (event.dialogueVersion > dialogue.published.version) {
    throw new ValidationError(
      'dialogueVersion: this version was never published',
      'dialogueVersion',
    );
  }
  const givenEmail =
    event.type === 'email-given'
      ? acceptVisitorEmail(configuration, event.value, 'value')
      : undefined;
  const now = deps.clock.now();

  // An email remembered or carried along passes the same check as one given now: a domain
  // blocked since, or a request that puts an address in `visitor.email`, links no lead.
  const email =
    givenEmail ??
    acceptableVisitorEmail(configuration, deps.store.findVisitorEmail(event.visitor)) ??
    acceptableVisitorEmail(configuration, event.visitor.email);
  const outbox: NewOutboxItem[] = [];
  if (email !== undefined) {
    const activity: ChatActivity = {
      eventId: event.eventId,
      type: event.type,
      dialogueId: event.dialogueId,
      dialogueVersion: event.dialogueVersion,
      dialogueName: dialogue.published.content.name,
      conversationId: event.conversationId,
      pageUrl: event.pageUrl,
      ...(event.value === undefined ? {} : { value: givenEmail ?? event.value }),
      occurredAt: now,
    };
    const lead = deps.store.findLeadsByEmail(email)[0];
    outbox.push(lead ? chatActivityItem(lead.id, activity) : chatLeadUpsertItem(email, activity));
  }

  const recorded = await deps.store.recordChatEvent({
    event,
    now,
    counters: { [COUNTER[event.type]]: 1 },
    ...(givenEmail === undefined ? {} : { visitorEmail: givenEmail }),
    outbox,
  });
  if (event.type === 'completed') deps.completions.add(event.visitor.anonymousId, event.dialogueId);
  return { recorded, enqueued: recorded ? outbox.length : 0 };
}
