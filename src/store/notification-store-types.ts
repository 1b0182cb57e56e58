import type {
  CapturedNotification,
  NotificationFilter,
  NotificationPage,
} from '../records/notification.js';

/**
 * Messages captured instead of sent (sandbox mode, or no SMTP_URL): kept so an admin can read
 * them (GET /api/notifications), pruned after NOTIFICATION_RETENTION_DAYS. The outbox item that
 * made a message carries its id, so a delivery retried after a crash keeps it once.
 */
export interface NotificationStore {
  /** Keeps the message; answers false, and keeps the first, when its id is held already. */
  saveNotification(notification: CapturedNotification): Promise<boolean>;
  /** Newest captured first, keyset-paged; `to` compares lower-cased. */
  listNotifications(filter: NotificationFilter): Promise<NotificationPage>;
  /** Forgets messages captured before `before`; answers how many. */
  pruneNotifications(before: number): Promise<number>;
}
