import { isDeepStrictEqual } from 'node:util';
import type { Clock, Ids } from '../deps.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MeetingStores } from '../store/meeting-store-types.js';
import type { ChatStore } from '../store/types.js';
import type { Dialogue, DialogueContent } from '../records/chat-dialogue.js';
import type { Agent } from '../records/meeting-contract.js';
import { createKeyedQueue, type KeyedQueue } from '../keyed-queue.js';
import { invalidInput } from '../http/parse-input.js';
import type { MarketoApi } from '../clients/marketo/types.js';
import { describedLeadFields } from './lead-field-catalog.js';
import { checkForPublish } from './publish-validation.js';

export interface DialogueAdminDeps {
  /** The agents too: a booking card's agent is checked before a publish. */
  store: ChatStore & Pick<MeetingStores, 'findAgentByEmail'>;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  /** The lead fields the local copy holds (SYNC_FIELDS): what conditions and tokens can read. */
  syncedFields: readonly string[];
  /** Marketo, to check the fields answers are written to (Describe Lead, cached an hour). */
  marketo?: Pick<MarketoApi, 'describeLeadFields'> | undefined;
}

/*
 * The admin's actions on dialogues, as plain functions of typed values. Each reads the
 * dialogue and saves its successor; the read answers a Promise, so the actions on one dialogue
 * run one after the other in this process (two requests cannot interleave a
 * read-modify-write); the store also refuses a published version going back
 * (409 DIALOGUE_VERSION_CONFLICT).
 */

/**
 * Published versions kept besides the current one, for conversations still running on them (a
 * visitor's conversation lasts minutes; three publishes within it would be rare). An event of a
 * version no longer kept is checked against the current version (event-card.ts).
 */
export const EARLIER_VERSIONS_KEPT = 3;

/** Each store's queue of admin actions per dialogue id. */
const queues = new WeakMap<object, KeyedQueue<string>>();

function oneAtATime<T>(store: object, id: string, task: () => Promise<T>): Promise<T> {
  let queue = queues.get(store);
  if (!queue) queues.set(store, (queue = createKeyedQueue()));
  return queue.run(id, task);
}

export async function requireDialogue(
  store: Pick<ChatStore, 'getDialogue'>,
  id: string,
): Promise<Dialogue> {
  const dialogue = await store.getDialogue(id);
  if (dialogue === undefined) throw new NotFoundError(`No dialogue ${id}`);
  return dialogue;
}

/** A new dialogue holding `draft`, unpublished; switched on unless `enabled` is false. */
export async function createDialogue(
  deps: DialogueAdminDeps,
  draft: DialogueContent,
  enabled = true,
): Promise<Dialogue> {
  const id = deps.ids.next();
  if ((await deps.store.getDialogue(id)) !== undefined) {
    throw new ConflictError('DIALOGUE_ID_TAKEN', `A dialogue ${id} exists already`);
  }
  const now = isoNow(deps.clock);
  const dialogue: Dialogue = {
    id,
    enabled,
    draft,
    published: null,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.saveDialogue(dialogue);
  deps.logger.info({ dialogueId: id, name: draft.name }, 'dialogue created');
  return requireDialogue(deps.store, id);
}

/** Replaces the draft; visitors keep getting the published version until the next publish. */
export function saveDialogueDraft(
  deps: DialogueAdminDeps,
  id: string,
  draft: DialogueContent,
): Promise<Dialogue> {
  return oneAtATime(deps.store, id, async () => {
    const dialogue = await requireDialogue(deps.store, id);
    await deps.store.saveDialogue({ ...dialogue, draft, updatedAt: isoNow(deps.clock) });
    return requireDialogue(deps.store, id);
  });
}

export interface PublishOutcome {
  dialogue: Dialogue;
  /** False when the draft was already the published version: nothing changed. */
  publishedNow: boolean;
  /**
   * Things worth a look that do not stop publishing, e.g. cards no path reaches, a token with a
   * default on a field that is not synced, a booking card's agent who is switched off.
   */
  warnings: string[];
}

/**
 * Publishes the draft as the next version, after `checkForPublish`: 400 listing every
 * problem, and nothing changes, when it would break the widget or silently fail (a condition
 * or token on a field that is not synced, an agent that does not exist). Conversations under way keep
 * the version they started with (the widget holds the version number and its cards); new
 * conversations get the new version. Publishing an unchanged draft again is a no-op, so a
 * retried request does not make a second version.
 */
export function publishDialogue(deps: DialogueAdminDeps, id: string): Promise<PublishOutcome> {
  return oneAtATime(deps.store, id, () => publishNow(deps, id));
}

async function publishNow(deps: DialogueAdminDeps, id: string): Promise<PublishOutcome> {
  const dialogue = await requireDialogue(deps.store, id);
  const agents = await agentsNamedBy(deps, dialogue.draft);
  const leadFields =
    capturesFields(dialogue.draft) && deps.marketo !== undefined
      ? await describedLeadFields(deps.marketo, deps.clock, deps.logger)
      : undefined;
  const { problems, warnings } = checkForPublish(dialogue.draft, {
    syncedFields: deps.syncedFields,
    findAgentByEmail: (email) => agents.get(email),
    leadFields,
  });
  if (problems.length > 0) {
    throw invalidInput(`Dialogue ${id} cannot be published`, problems);
  }
  if (
    dialogue.published !== null &&
    isDeepStrictEqual(dialogue.published.content, dialogue.draft)
  ) {
    return { dialogue, publishedNow: false, warnings };
  }
  const now = isoNow(deps.clock);
  const version = (dialogue.published?.version ?? 0) + 1;
  await deps.store.saveDialogue({
    ...dialogue,
    published: { version, content: dialogue.draft, publishedAt: now },
    // Conversations under way on the version replaced keep being checked against it.
    ...(dialogue.published === null
      ? {}
      : {
          earlier: [dialogue.published, ...(dialogue.earlier ?? [])].slice(
            0,
            EARLIER_VERSIONS_KEPT,
          ),
        }),
    updatedAt: now,
  });
  deps.logger.info({ dialogueId: id, version }, 'dialogue published');
  return { dialogue: await requireDialogue(deps.store, id), publishedNow: true, warnings };
}

/** Whether any answer is written to a lead field: only then is Marketo asked for its fields. */
function capturesFields(draft: DialogueContent): boolean {
  return draft.cards.some(
    (card) =>
      ((card.type === 'input' || card.type === 'question') && card.field !== undefined) ||
      (card.type === 'form' && card.fields.some((f) => f.field !== undefined)),
  );
}

/** The agents the draft's booking cards name, read before the (synchronous) publish check. */
async function agentsNamedBy(
  deps: DialogueAdminDeps,
  draft: DialogueContent,
): Promise<Map<string, Agent | undefined>> {
  const emails = new Set<string>();
  for (const card of draft.cards) {
    if (card.type === 'booking' && card.agentEmail !== undefined) emails.add(card.agentEmail);
  }
  return new Map(
    await Promise.all(
      [...emails].map(async (email) => [email, await deps.store.findAgentByEmail(email)] as const),
    ),
  );
}

/** The dialogue's own on/off switch; idempotent. */
export function setDialogueEnabled(
  deps: DialogueAdminDeps,
  id: string,
  enabled: boolean,
): Promise<Dialogue> {
  return oneAtATime(deps.store, id, async () => {
    const dialogue = await requireDialogue(deps.store, id);
    if (dialogue.enabled === enabled) return dialogue;
    await deps.store.saveDialogue({ ...dialogue, enabled, updatedAt: isoNow(deps.clock) });
    deps.logger.info({ dialogueId: id, enabled }, 'dialogue switched');
    return requireDialogue(deps.store, id);
  });
}

export function removeDialogue(deps: DialogueAdminDeps, id: string): Promise<void> {
  return oneAtATime(deps.store, id, async () => {
    if (!(await deps.store.deleteDialogue(id))) throw new NotFoundError(`No dialogue ${id}`);
    deps.logger.info({ dialogueId: id }, 'dialogue deleted');
  });
}

/** Whether the draft differs from what visitors get (true when never published). */
export function hasUnpublishedChanges(dialogue: Dialogue): boolean {
  return (
    dialogue.published === null || !isDeepStrictEqual(dialogue.published.content, dialogue.draft)
  );
}

function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
