import type { Clock } from '../deps.js';
import { ValidationError } from '../errors.js';
import type { ChatStore, LeadStore } from '../store/types.js';
import type { ChatConfiguration } from '../records/chat-configuration.js';
import type { ChatEvent, DialogueStats } from '../records/chat-event.js';
import { checkAnsweredEvent } from './answer-events.js';
import type { ChatActivity } from './chat-events-outbox.js';
import { documentValue, eventCard, publishedContent } from './event-card.js';
import {
  cookieTarget,
  releaseHeld,
  typedTarget,
  writeItems,
  type PendingWrites,
  type WriteTarget,
} from './event-writes.js';
import type { MunchkinLookup } from './munchkin-lookup.js';
import { acceptVisitorEmail } from './visitor-email.js';
import { identifyVisitor, type VisitorIdentity } from './visitor-identity.js';
import type { VisitorCompletions } from './visitor-completions.js';

export interface ChatEventDeps {
  store: Pick<ChatStore, 'getDialogue' | 'recordChatEvent' | 'findVisitorEmail'> &
    Pick<LeadStore, 'findLeadsByEmail' | 'getLead'>;
  clock: Clock;
  completions: VisitorCompletions;
  munchkin?: MunchkinLookup | undefined;
}

export interface RecordedChatEvent {
  /** False for a repeat (the same event id in the same conversation): counted once. */
  recorded: boolean;
  /** Marketo write-backs enqueued with it. */
  enqueued: number;
}

/** The report counter each event moves (Dynamic Chat's dialogue report, marketo-facts.md §7.2). */
const COUNTER: Partial<Record<ChatEvent['type'], keyof DialogueStats>> = {
  triggered: 'triggered',
  engaged: 'engaged',
  completed: 'completed',
  'email-given': 'peopleAcquired',
  'goal-reached': 'goalsReached',
  'meeting-booked': 'meetingsBooked',
};

/**
 * POST /chat/events after parsing: checks the event against what was published (a card event
 * against its card, an `answered` event's answers one by one: answer-events.ts), then records
 * it, its counter, the visitor's email link and its Marketo write-backs in one store write
 * (once per event: a retried request changes nothing). The write-backs: the chat activity,
 * the answers mapped to lead fields, an action card's action (event-writes.ts).
 *
 * The write-back goes to the lead Marketo associates with the visitor's Munchkin cookie, marked
 * `cookie`; else to the email the visitor typed, marked `typed` (visitor-identity.ts): the lead
 * with that email in the local copy, or one created or found by Sync Leads, as a Marketo form
 * fill would. A typed email never brings anything about its lead back to the visitor. A visitor
 * with neither is counted, and the write-backs wait with the conversation until an event names
 * their email (the email card, or an answer written to the `email` field).
 */
export async function recordWidgetEvent(
  deps: ChatEventDeps,
  configuration: ChatConfiguration,
  event: ChatEvent,
): Promise<RecordedChatEvent> {
  const dialogue = await deps.store.getDialogue(event.dialogueId);
  if (!dialogue?.published) {
    throw new ValidationError('dialogueId: no published dialogue has this id', 'dialogueId');
  }
  if (event.dialogueVersion > dialogue.published.version) {
    throw new ValidationError(
      'dialogueVersion: this version was never published',
      'dialogueVersion',
    );
  }
  // Card events are checked against their card before anything is read or written.
  const content = publishedContent(dialogue.published, dialogue.earlier, event.dialogueVersion);
  const card = eventCard(content, event);
  const checked =
    card?.type === 'answered'
      ? checkAnsweredEvent(card.card, event.answers ?? {}, configuration, content.translations)
      : undefined;
  const givenEmail =
    event.type === 'email-given'
      ? acceptVisitorEmail(configuration, event.value, 'value')
      : // An answer written to the email field identifies the visitor as the email card does.
        checked?.leadFields['email'];
  const identity = await identifyVisitor(deps, configuration, event.visitor);
  const now = deps.clock.now();

  const value =
    card?.type === 'document-opened'
      ? documentValue(card.card.document)
      : event.type === 'email-given'
        ? givenEmail
        : event.value;
  const activity: ChatActivity = {
    eventId: event.eventId,
    type: event.type,
    dialogueId: event.dialogueId,
    dialogueVersion: event.dialogueVersion,
    dialogueName: dialogue.published.content.name,
    conversationId: event.conversationId,
    pageUrl: event.pageUrl,
    ...(value === undefined ? {} : { value }),
    // Set by the target when the activity is written (event-writes.ts).
    identity: 'typed',
    occurredAt: now,
  };
  const pending: PendingWrites = {
    activity,
    ...(checked === undefined ? {} : { leadFields: checked.leadFields }),
    ...(card?.type === 'action-reached'
      ? { action: { cardId: card.card.id, action: card.card.action } }
      : {}),
  };
  const target = await writeTarget(deps, identity, givenEmail);
  // Known: this event's writes, and the ones held while the conversation was anonymous, go to
  // the lead in the same write (once each: the outbox keys them). Anonymous: they are held with
  // the conversation until an event makes it known.
  const writes =
    target === undefined
      ? { hold: pending }
      : {
          outbox: writeItems(target, pending),
          release: (held: readonly unknown[]) => releaseHeld(target, held),
        };
  const recorded = await deps.store.recordChatEvent({
    // The event keeps the checked answers (trimmed, the option's value), not the raw ones.
    event: checked === undefined ? event : { ...event, answers: checked.answers },
    now,
    counters: COUNTER[event.type] === undefined ? {} : { [COUNTER[event.type]!]: 1 },
    ...(givenEmail === undefined ? {} : { visitorEmail: givenEmail }),
    ...writes,
  });
  if (event.type === 'completed') deps.completions.add(event.visitor.anonymousId, event.dialogueId);
  const enqueued = recorded && target !== undefined ? 1 : 0;
  if (event.type !== 'answered' || givenEmail === undefined) return { recorded, enqueued };
  // An answer written to the email field acquires the person as the email card does: it is
  // also recorded as that card's event (its counter, activity and report conversion). Always
  // tried, also for a repeated answer: the derived event is deduplicated by its own id, so a
  // crash between the two writes is mended by the widget's retry.
  const acquired = await recordWidgetEvent(deps, configuration, emailGivenBy(event, givenEmail));
  return { recorded, enqueued: enqueued + acquired.enqueued };
}

/** The email-given event an answer to the email field stands for, with an id of its own. */
function emailGivenBy(event: ChatEvent, email: string): ChatEvent {
  const { answers: _answers, cardsSeen: _cardsSeen, ...rest } = event;
  return {
    ...rest,
    type: 'email-given',
    eventId: `${event.eventId.slice(0, 58)}-email`,
    value: email,
  };
}

/**
 * Where the visitor's writes go: the lead Marketo associates with their cookie, unless they
 * typed another address in this browser (then, as a Marketo form fill would, they are who they
 * typed from then on); else the email they typed (the lead with it in the local copy, or one
 * Sync Leads creates or finds); undefined while they are anonymous.
 */
async function writeTarget(
  deps: ChatEventDeps,
  identity: VisitorIdentity,
  givenEmail: string | undefined,
): Promise<WriteTarget | undefined> {
  const { leadId } = identity;
  const typedEmail = givenEmail ?? identity.typedEmail;
  if (leadId !== undefined && (typedEmail === undefined || typedEmail === identity.leadEmail)) {
    return cookieTarget(leadId, identity.leadEmail);
  }
  if (typedEmail === undefined) return undefined;
  const [lead] = await deps.store.findLeadsByEmail(typedEmail);
  return typedTarget(typedEmail, lead?.id);
}
