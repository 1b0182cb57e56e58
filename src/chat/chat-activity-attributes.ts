import { isMarketoApiError } from '../clients/marketo/index.js';
import type { CustomActivityInput, RecordResult } from '../clients/marketo/types.js';
import type { Logger } from '../logger.js';
import type { ActivityTypeApi } from '../marketo-activities/ensure-activity-type.js';
import {
  CHAT_ACTIVITY_TYPE,
  LATER_CHAT_ATTRIBUTES,
  toChatActivityInput,
} from './chat-activity-type.js';
import type { ChatActivity } from './chat-events-outbox.js';

export interface ChatActivitySenderDeps {
  marketo: ActivityTypeApi;
  logger: Logger;
  /** Sends one record (batched with others: record-batcher.ts). */
  submit: (record: CustomActivityInput) => Promise<RecordResult>;
  /** Makes the activity's transcript link; no link attribute without it. */
  transcriptUrl?: ((activity: ChatActivity) => string) | undefined;
}

/**
 * Writes chat activities whatever attributes the live type has. A type approved before an
 * attribute existed (LATER_CHAT_ATTRIBUTES) refuses records that carry it (1006 "Field 'x' not
 * found"). Then, once per process, the attributes are added to our type the way Marketo allows
 * (help/rest-api/activities.md: create attributes, which makes a draft of the live type, then
 * approve it; attribute changes apply to activities written after approval). Only a type that
 * is `approved` without a draft is changed: a draft someone is editing is never approved by
 * us. When that cannot be done the attribute is left out of this process's activities and the
 * log says how to add it by hand (README, "Transcripts").
 *
 * The `identity` attribute keeps its earlier rule: it alone missing never changes the type
 * (it is added with the transcript link when that is missing too).
 */
export function createChatActivitySender(deps: ChatActivitySenderDeps) {
  const sent = new Set<string>(['identity']);
  if (deps.transcriptUrl !== undefined) sent.add('transcriptUrl');
  let upgrade: Promise<boolean> | undefined;

  /** The record with the attributes in `withAttributes` (a snapshot: see below). */
  const record = (
    leadId: number,
    typeId: number,
    activity: ChatActivity,
    withAttributes: ReadonlySet<string>,
  ) =>
    toChatActivityInput(
      leadId,
      typeId,
      activity,
      withAttributes.has('identity'),
      withAttributes.has('transcriptUrl') ? deps.transcriptUrl?.(activity) : undefined,
    );

  // Each call judges its answer by what it sent: activities delivered together all come back
  // refused, while the first to see the refusal already changed `sent`. Marketo names one
  // unknown field per refusal, so a type lacking several is found out one retry at a time.
  return async (leadId: number, typeId: number, activity: ChatActivity): Promise<RecordResult> => {
    const tried = new Set(sent);
    let upgraded = false;
    for (let attempt = 0; ; attempt += 1) {
      const result = await deps.submit(record(leadId, typeId, activity, tried));
      const missing = missingAttributes(result, tried);
      if (missing.length === 0 || attempt > LATER_CHAT_ATTRIBUTES.length + 1) return result;
      if (missing.includes('transcriptUrl') && !upgraded) {
        upgraded = true;
        upgrade ??= addLaterAttributes(deps);
        if (await upgrade) {
          // The type now has every later attribute.
          for (const name of LATER_CHAT_ATTRIBUTES) {
            tried.add(name);
            sent.add(name);
          }
          continue;
        }
      }
      if (missing.some((name) => sent.has(name))) {
        deps.logger.warn(
          { activityType: CHAT_ACTIVITY_TYPE.apiName, missing },
          "Marketo's chat activity type lacks attributes: activities are written without them until they are added",
        );
      }
      for (const name of missing) {
        sent.delete(name);
        tried.delete(name);
      }
    }
  };
}

/** The later attributes among those sent that the result says the type does not have. */
function missingAttributes(result: RecordResult, sent: ReadonlySet<string>): string[] {
  if (result.status !== 'skipped') return [];
  return LATER_CHAT_ATTRIBUTES.filter(
    (name) =>
      sent.has(name) &&
      (result.errors ?? []).some((e) => e.code === '1006' && e.message.includes(`'${name}'`)),
  );
}

/** Adds the later attributes to our live type and approves it; false when it may not or fails. */
async function addLaterAttributes(deps: ChatActivitySenderDeps): Promise<boolean> {
  const { apiName } = CHAT_ACTIVITY_TYPE;
  try {
    const type = (await deps.marketo.listCustomActivityTypes()).find((t) => t.apiName === apiName);
    if (type?.status !== 'approved') return false;
    let added = 0;
    for (const attribute of CHAT_ACTIVITY_TYPE.attributes) {
      if (!LATER_CHAT_ATTRIBUTES.includes(attribute.apiName)) continue;
      try {
        await deps.marketo.createCustomActivityTypeAttributes(apiName, [attribute]);
        added += 1;
      } catch (error) {
        // 1017: the type has it already.
        if (!(isMarketoApiError(error) && error.marketoCode === '1017')) throw error;
      }
    }
    if (added > 0) await deps.marketo.approveCustomActivityType(apiName);
    deps.logger.info(
      { activityType: apiName, added },
      'chat activity type given its new attributes',
    );
    return added > 0;
  } catch (err) {
    deps.logger.warn(
      { err, activityType: apiName },
      'could not add attributes to the chat activity type',
    );
    return false;
  }
}
