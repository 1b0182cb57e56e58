import type { Clock } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import type { ConversationStore } from '../src/store/conversation-store-types.js';
import type { NotificationStore } from '../src/store/notification-store-types.js';
import type { OutboxStore } from '../src/store/types.js';

/**
 * Deletes delivered outbox items once they are older than `retentionMs` (OUTBOX_RETENTION_MS),
 * every `everyMs`. Without it, done items pile up for ever, the file grows, and every claim
 * scans them. The retention must outlast any retry that could enqueue the same intent again
 * (its dedupe key is freed with the item): days, where retries take minutes. Dead letters stay
 * until an admin replays them.
 *
 * With `conversationRetentionMs` (CONVERSATION_RETENTION_DAYS) the same pass forgets logged
 * conversations whose last event is older (transcripts and dated reports reach that far back),
 * and with `notificationRetentionMs` (NOTIFICATION_RETENTION_DAYS) captured messages.
 * `runNow` answers the outbox items pruned.
 */
export function scheduleOutboxPrune(options: {
  store: Pick<OutboxStore, 'pruneOutbox'> &
    Partial<Pick<ConversationStore, 'pruneConversations'>> &
    Partial<Pick<NotificationStore, 'pruneNotifications'>>;
  clock: Clock;
  logger: Logger;
  retentionMs: number;
  conversationRetentionMs?: number;
  notificationRetentionMs?: number;
  everyMs?: number;
}): { runNow(): Promise<number>; stop(): void } {
  const { store, clock, logger } = options;
  const runNow = async () => {
    const pruned = await store.pruneOutbox(clock.now() - options.retentionMs);
    if (pruned > 0) logger.info({ pruned }, 'delivered outbox items pruned');
    if (options.conversationRetentionMs !== undefined && store.pruneConversations) {
      const forgotten = await store.pruneConversations(
        clock.now() - options.conversationRetentionMs,
      );
      if (forgotten > 0) logger.info({ conversations: forgotten }, 'old conversations pruned');
    }
    if (options.notificationRetentionMs !== undefined && store.pruneNotifications) {
      const forgotten = await store.pruneNotifications(
        clock.now() - options.notificationRetentionMs,
      );
      if (forgotten > 0) logger.info({ notifications: forgotten }, 'old captured messages pruned');
    }
    return pruned;
  };
  const timer = setInterval(() => {
    runNow().catch((error: unknown) => logger.error({ err: error }, 'outbox prune failed'));
  }, options.everyMs ?? 3_600_000);
  timer.unref();
  return { runNow, stop: () => clearInterval(timer) };
}
