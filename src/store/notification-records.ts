import { ValidationError } from '../errors.js';
import {
  capturedNotificationSchema,
  isNewerNotification,
  notificationCursor,
  readNotificationCursor,
  type CapturedNotification,
  type NotificationFilter,
  type NotificationPage,
} from '../records/notification.js';
import type { Changed } from './document-db.js';
import { deepFreeze } from './document-snapshot.js';
import { refuseInvalid } from './record-validation.js';
import type { StoreDocument } from './store-document.js';

/**
 * The JSON document rewrites everything it holds with each durable write, so captured messages
 * are bounded by age (pruneNotifications, NOTIFICATION_RETENTION_DAYS) and by count: past this
 * many the oldest captured go first. A message with an invitation is about 3 KB, so about 6 MB
 * at the cap. PostgreSQL keeps every message until the prune.
 */
export const MAX_NOTIFICATIONS_IN_DOCUMENT = 2_000;

/** Captured messages in the lowdb document; every change is one synchronous mutator. */
export class NotificationRecords {
  constructor(private readonly doc: StoreDocument) {}

  save(notification: CapturedNotification): Changed<boolean> {
    const value = refuseInvalid(capturedNotificationSchema, notification, 'notification');
    const all = this.doc.notifications;
    if (all.has(value.id)) return { result: false, changed: false };
    all.set(value.id, deepFreeze({ ...value, to: value.to.toLowerCase() }));
    for (const id of all.keys()) {
      if (all.size <= MAX_NOTIFICATIONS_IN_DOCUMENT) break;
      all.delete(id);
    }
    return { result: true, changed: true };
  }

  list(filter: NotificationFilter): NotificationPage {
    const after = filter.cursor === undefined ? undefined : readNotificationCursor(filter.cursor);
    if (filter.cursor !== undefined && after === undefined) {
      throw new ValidationError('cursor: not a cursor this service gave', 'cursor');
    }
    const to = filter.to?.toLowerCase();
    const matching: CapturedNotification[] = [];
    for (const n of this.doc.notifications.values()) {
      if (filter.meetingId !== undefined && n.meetingId !== filter.meetingId) continue;
      if (to !== undefined && n.to !== to) continue;
      if (filter.notice !== undefined && n.notice !== filter.notice) continue;
      if (after !== undefined && !isNewerNotification(after, n)) continue;
      matching.push(n);
    }
    matching.sort((a, b) => (isNewerNotification(a, b) ? -1 : isNewerNotification(b, a) ? 1 : 0));
    const page = matching.slice(0, filter.limit);
    const last = page.at(-1);
    return matching.length > filter.limit && last !== undefined
      ? { notifications: page, next: notificationCursor(last) }
      : { notifications: page };
  }

  prune(before: number): Changed<number> {
    let pruned = 0;
    for (const [id, n] of this.doc.notifications) {
      if (n.capturedAt >= before) continue;
      this.doc.notifications.delete(id);
      pruned += 1;
    }
    return { result: pruned, changed: pruned > 0 };
  }
}
