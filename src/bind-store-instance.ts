import { resolve } from 'node:path';
import { DEMO_DIALOGUE } from './chat/demo-content.js';
import { describeMarketoInstance } from './clients/marketo/instance-id.js';
import type { Clock } from './deps.js';
import { StoreError } from './errors.js';
import type { Logger } from './logger.js';
import { DEMO_AGENTS } from './routing/routing-agents.js';
import { isSandboxPagingToken } from './sandbox/index.js';
import type { Store, SyncState } from './store/types.js';

type BindableStore = Pick<
  Store,
  'loadInstance' | 'saveInstance' | 'countLeads' | 'loadSyncState' | 'listAgents' | 'listDialogues'
>;

/** The refusal's words for a JSON data file. */
export function dataFileLocation(file: string): { location: string; afresh: string } {
  return {
    location: `Data file ${resolve(file)}`,
    afresh:
      'To start afresh, stop the service and run `npm run reset-store` (it moves the file ' +
      'aside, nothing is deleted), or set DATA_FILE to a new file.',
  };
}

/** The refusal's words for a PostgreSQL database (`url` without its password). */
export function databaseLocation(url: string): { location: string; afresh: string } {
  return {
    location: `Database ${url}`,
    afresh: 'To start afresh, set DATABASE_URL to a new, empty database.',
  };
}

/**
 * Records the instance a new store serves, and refuses to open a store of another instance,
 * naming the file and how to start afresh (only here, at start: HTTP answers never name files).
 * A store written before instances were recorded is judged by what it holds (inferInstance).
 */
export async function bindStoreToInstance(
  store: BindableStore,
  instanceId: string,
  context: {
    /** `Data file /path` or `Database postgres://host/db`: named in the refusal. */
    location: string;
    /** How to start afresh with this kind of store. */
    afresh: string;
    clock: Clock;
    logger: Logger;
  },
): Promise<void> {
  const recorded = (await store.loadInstance())?.id;
  if (recorded === instanceId) return;
  const held = recorded ?? (await inferInstance(store));
  if (held === 'empty' || held === instanceId) {
    if (recorded === undefined && held !== 'empty') {
      context.logger.info(
        { instance: instanceId },
        'the store records no Marketo instance (older release); its data shows it is this one',
      );
    }
    await store.saveInstance({
      id: instanceId,
      boundAt: new Date(context.clock.now()).toISOString(),
    });
    return;
  }
  const { location: where, afresh } = context;
  if (held === 'unknown') {
    throw new StoreError(
      'STORE_OTHER_INSTANCE',
      `${where} holds leads or a sync cursor but records no Marketo instance (it was ` +
        `written by an older release), so it cannot be told whether it belongs to ` +
        `${describeMarketoInstance(instanceId)}: paging tokens and leads of another instance ` +
        `mean nothing to it. ${afresh}`,
    );
  }
  const goBack =
    held === 'sandbox'
      ? 'leave MARKETO_BASE_URL unset'
      : `set MARKETO_BASE_URL to ${describeMarketoInstance(held)}`;
  throw new StoreError(
    'STORE_OTHER_INSTANCE',
    `${where} holds the data of ${describeMarketoInstance(held)} ` +
      `(leads, sync cursors, agents, dialogues), but this start is configured for ` +
      `${describeMarketoInstance(instanceId)}. A store serves one instance: its paging tokens ` +
      `and leads mean nothing to another. ${afresh} To use that data again, ${goBack}.`,
  );
}

/**
 * The instance a store that records none belongs to, from what it holds: the sandbox's paging
 * tokens or its seeded demo agents and dialogue mean the sandbox; other leads or a cursor mean
 * an instance that cannot be told (`unknown`); nothing at all is `empty`, free to adopt.
 */
export async function inferInstance(
  store: BindableStore,
): Promise<'sandbox' | 'unknown' | 'empty'> {
  const [state, agents, dialogues, leads] = await Promise.all([
    store.loadSyncState(),
    store.listAgents(),
    store.listDialogues(),
    store.countLeads(),
  ]);
  const tokens = pagingTokens(state);
  const demoEmails = new Set(DEMO_AGENTS.map((agent) => agent.email));
  if (
    tokens.some(isSandboxPagingToken) ||
    agents.some((agent) => demoEmails.has(agent.email.toLowerCase())) ||
    dialogues.some((dialogue) => dialogue.draft.name === DEMO_DIALOGUE.name)
  ) {
    return 'sandbox';
  }
  if (leads > 0 || tokens.length > 0 || state.phase !== 'none') return 'unknown';
  return 'empty';
}

function pagingTokens(state: SyncState): string[] {
  const chains = [
    state.changes,
    state.deletions,
    ...(state.windows ?? []).flatMap((window) => [window.changes, window.deletions]),
  ];
  return chains.flatMap((chain) => (chain.nextPageToken ? [chain.nextPageToken] : []));
}
