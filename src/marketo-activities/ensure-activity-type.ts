import { isMarketoApiError } from '../clients/marketo/index.js';
import type { CustomActivityTypeAttribute, MarketoApi } from '../clients/marketo/types.js';

/**
 * A custom activity type we write to Marketo (marketo-facts.md §4, DEV:help/rest-api/activities.md
 * "Custom Activity Types"): display name in the infinitive, trigger in the third person present,
 * filter in the past tense, all unique in the subscription; at most 20 secondary attributes.
 */
export interface CustomActivityTypeDefinition {
  apiName: string;
  name: string;
  description?: string;
  triggerName: string;
  filterName: string;
  primaryAttribute: { apiName: string; name: string; description?: string };
  attributes: CustomActivityTypeAttribute[];
}

export interface EnsuredActivityType {
  /** The `activityTypeId` that Add Custom Activities takes. */
  id: number;
  apiName: string;
  /** `found`: live already; `approved-draft`: a draft (ours, interrupted) was finished. */
  action: 'found' | 'approved-draft' | 'created';
}

export type ActivityTypeApi = Pick<
  MarketoApi,
  | 'listCustomActivityTypes'
  | 'createCustomActivityType'
  | 'createCustomActivityTypeAttributes'
  | 'approveCustomActivityType'
>;

/** Marketo's "object already exists" (duplicate apiName, trigger, filter or attribute). */
const OBJECT_EXISTS = '1017';

/**
 * Makes sure `definition` exists as a live type and returns its id. Missing: create the draft,
 * add the attributes, approve. A draft (a run that stopped half-way, or a second process that
 * is creating it right now): add whatever attributes are missing, approve. Live (`approved`, or
 * `approved with draft` where someone is editing it): used as is; a draft of someone else's is
 * never approved by us. Attribute changes to a live type are a migration, not done here.
 *
 * Costs one call when the type is live, four on first creation. Every step is safe to repeat,
 * so two processes racing end with one type.
 */
export async function ensureCustomActivityType(
  marketo: ActivityTypeApi,
  definition: CustomActivityTypeDefinition,
): Promise<EnsuredActivityType> {
  const { apiName } = definition;
  let existing = await findType(marketo, apiName);
  let action: EnsuredActivityType['action'] = 'approved-draft';
  if (existing === undefined) {
    try {
      await marketo.createCustomActivityType({
        apiName,
        name: definition.name,
        ...(definition.description === undefined ? {} : { description: definition.description }),
        triggerName: definition.triggerName,
        filterName: definition.filterName,
        primaryAttribute: definition.primaryAttribute,
      });
      action = 'created';
    } catch (error) {
      // Another process created it between our list and our create: carry on with theirs.
      existing = await findType(marketo, apiName);
      if (existing === undefined) throw error;
    }
  }
  if (existing !== undefined && existing.status !== 'draft') {
    return { id: existing.id, apiName, action: 'found' };
  }
  await addMissingAttributes(marketo, apiName, definition.attributes);
  try {
    const approved = await marketo.approveCustomActivityType(apiName);
    return { id: approved.id, apiName, action };
  } catch (error) {
    // A racing process approved it first: the draft is gone and the type is live.
    const now = await findType(marketo, apiName);
    if (now !== undefined && now.status !== 'draft') return { id: now.id, apiName, action };
    throw error;
  }
}

async function findType(marketo: ActivityTypeApi, apiName: string) {
  return (await marketo.listCustomActivityTypes()).find((type) => type.apiName === apiName);
}

/**
 * The list call does not say which attributes a draft has (and the client has no describe), so
 * all are sent at once; when some exist already (1017), one at a time, skipping those.
 */
async function addMissingAttributes(
  marketo: ActivityTypeApi,
  apiName: string,
  attributes: CustomActivityTypeAttribute[],
): Promise<void> {
  if (attributes.length === 0) return;
  try {
    await marketo.createCustomActivityTypeAttributes(apiName, attributes);
    return;
  } catch (error) {
    if (!isObjectExists(error)) throw error;
  }
  for (const attribute of attributes) {
    try {
      await marketo.createCustomActivityTypeAttributes(apiName, [attribute]);
    } catch (error) {
      if (!isObjectExists(error)) throw error;
    }
  }
}

const isObjectExists = (error: unknown) =>
  isMarketoApiError(error) && error.marketoCode === OBJECT_EXISTS;

/**
 * `ensureCustomActivityType` once per process: the first caller does the work, concurrent
 * callers share its promise, later callers get the cached id. A failure is not cached, so the
 * next delivery tries again.
 */
export function createActivityTypeResolver(
  marketo: ActivityTypeApi,
  definition: CustomActivityTypeDefinition,
): () => Promise<EnsuredActivityType> {
  let pending: Promise<EnsuredActivityType> | undefined;
  return () => {
    pending ??= ensureCustomActivityType(marketo, definition).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
