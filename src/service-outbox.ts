import { startOutboxWorker, type OutboxWorker, type WorkerTimer } from '../jobs/outbox-worker.js';
import { createSsfsHandlers } from '../webhooks/flow-steps/index.js';
import { createChatOutboxHandlers } from './chat/chat-outbox-handlers.js';
import type { MarketoApi } from './clients/marketo/types.js';
import { createSsfsCallbackClient } from './clients/ssfs-callback/ssfs-callback-client.js';
import type { Config } from './config.js';
import type { Clock } from './deps.js';
import type { Logger } from './logger.js';
import { createMeetingLeadHandlers } from './meetings/meeting-lead-fields.js';
import { createMeetingOutboxHandlers } from './meetings/meeting-outbox-handlers.js';
import type { HostResolver } from './outbox/callback-url-guard.js';
import type { OutboxHandlers } from './outbox/outbox-handler.js';
import type { OutboxRelayOptions } from './outbox/run-outbox-once.js';
import type { createRoutingSources } from './routing/routing-sources.js';
import type { Store } from './store/types.js';
import type { TranscriptLinks } from './transcripts/transcript-links.js';

/**
 * Writes to Marketo get their own relay: up to 300 items delivered at once, which the record
 * batchers turn into one Add Custom Activities (or Sync Leads) call per 300 records. The
 * Marketo client's own limiter still caps calls and connections.
 */
export const MARKETO_RELAY: OutboxRelayOptions = { limit: 300, concurrency: 300 };

export interface ServiceOutboxDeps {
  config: Config;
  store: Store;
  marketo: MarketoApi;
  clock: Clock;
  logger: Logger;
  /** SSFS_API_KEY: the callback's key when Marketo sent no apiCallBackKey. */
  ssfsApiKey: string;
  routing: ReturnType<typeof createRoutingSources>;
  /** Handlers of capabilities that write to Marketo (the meetings module's link updates). */
  moreMarketoHandlers: OutboxHandlers;
  /** The notification emails' handlers (src/notifications/), on a relay of their own. */
  notificationHandlers?: OutboxHandlers | undefined;
  /** How flow-step callback hosts are resolved; DNS by default. */
  resolveCallbackHost?: HostResolver | undefined;
  /** When the workers' next passes run; real timers by default. */
  timer?: WorkerTimer | undefined;
  /** Signs the transcript link of each chat activity; no link without it. */
  transcriptLinks?: TranscriptLinks | undefined;
}

export interface ServiceOutbox {
  /** Each relay's handlers, for a test that runs a pass by hand (runOutboxOnce). */
  handlers: { flowSteps: OutboxHandlers; marketo: OutboxHandlers; notifications: OutboxHandlers };
  /** Starts the relays' workers; a second call while they run does nothing. */
  start(): void;
  /** A pass soon on every relay, after an enqueue; nothing before start(). */
  kick(): void;
  /** Waits for the passes in hand, then runs no more (until start() again). */
  stop(): Promise<void>;
}

/**
 * The durable outbox: every write to Marketo, every flow-step callback and every notification
 * email goes through it, on three relays, so a slow Marketo never holds back the callbacks
 * Marketo's campaigns wait for, and a slow mail server holds back neither.
 */
export function createServiceOutbox(deps: ServiceOutboxDeps): ServiceOutbox {
  const { config, store, marketo, clock, logger } = deps;
  const callbackClient = createSsfsCallbackClient({
    callbackHosts: config.ssfs.callbackHosts,
    clock,
    logger,
    ...(deps.resolveCallbackHost === undefined ? {} : { resolve: deps.resolveCallbackHost }),
  });
  const handlers = {
    flowSteps: createSsfsHandlers({
      store,
      clock,
      agents: deps.routing.agents,
      repeatWindowMs: config.webhooks.assignRepeatWindowMs,
      callbackClient,
      fallbackCallbackKey: deps.ssfsApiKey,
      routing: deps.routing.routing,
      leadFields: async (leadId) => (await store.getLead(leadId))?.fields,
    }),
    marketo: {
      ...createChatOutboxHandlers({
        marketo,
        store,
        clock,
        logger,
        transcriptLinks: deps.transcriptLinks,
      }),
      ...createMeetingOutboxHandlers({ marketo, store, clock, logger }),
      ...createMeetingLeadHandlers({ marketo, store }),
      ...deps.moreMarketoHandlers,
    },
    notifications: deps.notificationHandlers ?? {},
  };
  let workers: OutboxWorker[] = [];
  const startWorker = (relayHandlers: OutboxHandlers, relay?: OutboxRelayOptions) =>
    startOutboxWorker({
      store,
      clock,
      logger,
      pollMs: config.outbox.pollMs,
      handlers: relayHandlers,
      ...(relay === undefined ? {} : { relay }),
      ...(deps.timer === undefined ? {} : { timer: deps.timer }),
    });
  return {
    handlers,
    start() {
      if (workers.length > 0) return;
      workers = [
        startWorker(handlers.flowSteps),
        startWorker(handlers.marketo, MARKETO_RELAY),
        // A slow mail server holds back neither Marketo's writes nor its callbacks.
        ...(Object.keys(handlers.notifications).length === 0
          ? []
          : [startWorker(handlers.notifications)]),
      ];
    },
    kick() {
      for (const worker of workers) worker.kick();
    },
    async stop() {
      const stopping = workers;
      workers = [];
      await Promise.all(stopping.map((worker) => worker.stop()));
    },
  };
}
