import type { Clock } from '../deps.js';
import { ValidationError } from '../errors.js';
import type { ChatStore, LeadStore, NewOutboxItem } from '../store/types.js';
import type { ChatConfiguration, ChatEvent, DialogueStats } from '../records/chat-contract.js';
import {
  chatActivityItem,
  chatActivitySchema,
  chatLeadUpsertItem,
  type ChatActivity,
} from './chat-events-outbox.js';
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
 * POST /chat/events after parsing: checks the event against what was published, then records
 * it, its counter, the visitor's email link and its Marketo write-back in one store write
 * (once per event: a retried request changes nothing).
 *
 * The write-back goes to the lead Marketo associates with the visitor's Munchkin cookie, marked
 * `cookie`; else to the email the visitor typed, marked `typed` (visitor-identity.ts): the lead
 * with that email in the local copy, or one created or found by Sync Leads, as a Marketo form
 * fill would. A typed email never brings anything about its lead back to the visitor. A visitor
 * with neither is counted but not written back.
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
  const givenEmail =
    event.type === 'email-given'
      ? acceptVisitorEmail(configuration, event.value, 'value')
      : undefined;
  const identity = await identifyVisitor(deps, configuration, event.visitor);
  const now = deps.clock.now();

  const activity: ChatActivity = {
    eventId: event.eventId,
    type: event.type,
    dialogueId: event.dialogueId,
    dialogueVersion: event.dialogueVersion,
    dialogueName: dialogue.published.content.name,
    conversationId: event.conversationId,
    pageUrl: event.pageUrl,
    ...(event.value === undefined ? {} : { value: givenEmail ?? event.value }),
    // Set by the target when the activity is written (writeTarget).
    identity: 'typed',
    occurredAt: now,
  };
  const target = await writeTarget(deps, identity, givenEmail);
  // Known: this event, and the ones held while the conversation was anonymous, go to the lead
  // in the same write (once each: the outbox keys them by event). Anonymous: the event is held
  // with its conversation until an event makes it known.
  const writes =
    target === undefined
      ? { hold: activity }
      : {
          outbox: [target(activity)],
          release: (held: readonly unknown[]) =>
            held.flatMap((value) => releaseHeld(target, value)),
        };
  const recorded = await deps.store.recordChatEvent({
    event,
    now,
    counters: COUNTER[event.type] === undefined ? {} : { [COUNTER[event.type]!]: 1 },
    ...(givenEmail === undefined ? {} : { visitorEmail: givenEmail }),
    ...writes,
  });
  if (event.type === 'completed') deps.completions.add(event.visitor.anonymousId, event.dialogueId);
  return { recorded, enqueued: recorded && target !== undefined ? 1 : 0 };
}

/** Makes an activity's outbox item for the visitor's lead, with how the lead is known. */
type WriteTarget = (activity: ChatActivity) => NewOutboxItem;

/**
 * Where the visitor's activities go: the lead Marketo associates with their cookie, unless they
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
    return (activity) => chatActivityItem(leadId, { ...activity, identity: 'cookie' });
  }
  if (typedEmail === undefined) return undefined;
  const [lead] = await deps.store.findLeadsByEmail(typedEmail);
  return (activity) => {
    const typed = { ...activity, identity: 'typed' as const };
    return lead ? chatActivityItem(lead.id, typed) : chatLeadUpsertItem(typedEmail, typed);
  };
}

/** A held activity, read back (a value that no longer parses is dropped, not fatal). */
function releaseHeld(target: WriteTarget, value: unknown): NewOutboxItem[] {
  const parsed = chatActivitySchema.safeParse(value);
  return parsed.success ? [target(parsed.data)] : [];
}
