import type pg from 'pg';
import { ValidationError } from '../../errors.js';
import {
  capturedNotificationSchema,
  notificationCursor,
  readNotificationCursor,
  type CapturedNotification,
  type NotificationFilter,
  type NotificationPage,
} from '../../records/notification.js';
import { deepFreeze } from '../document-snapshot.js';
import type { NotificationStore } from '../notification-store-types.js';
import { refuseInvalid } from '../record-validation.js';
import { mapPgError } from './pg-errors.js';
import { queryRows } from './pg-pool.js';

/** Captured notifications in PostgreSQL (migration 6), semantics as notification-records.ts. */
export class PgNotificationRecords implements NotificationStore {
  constructor(private readonly pool: pg.Pool) {}

  async saveNotification(notification: CapturedNotification): Promise<boolean> {
    const value = refuseInvalid(capturedNotificationSchema, notification, 'notification');
    const stored = { ...value, to: value.to.toLowerCase() };
    try {
      const result = await this.pool.query(
        `INSERT INTO notifications (id, notice, meeting_id, recipient, captured_at, data)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (id) DO NOTHING`,
        [
          stored.id,
          stored.notice,
          stored.meetingId,
          stored.to,
          stored.capturedAt,
          JSON.stringify(stored),
        ],
      );
      return (result.rowCount ?? 0) > 0;
    } catch (error) {
      throw mapPgError(error, 'a notification write');
    }
  }

  async listNotifications(filter: NotificationFilter): Promise<NotificationPage> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      values.push(value);
      where.push(sql(`$${values.length}`));
    };
    if (filter.meetingId !== undefined) add((n) => `meeting_id = ${n}`, filter.meetingId);
    if (filter.to !== undefined) add((n) => `recipient = ${n}`, filter.to.toLowerCase());
    if (filter.notice !== undefined) add((n) => `notice = ${n}`, filter.notice);
    if (filter.cursor !== undefined) {
      const after = readNotificationCursor(filter.cursor);
      if (after === undefined) {
        throw new ValidationError('cursor: not a cursor this service gave', 'cursor');
      }
      values.push(after.capturedAt, after.id);
      where.push(`(captured_at, id) < ($${values.length - 1}, $${values.length})`);
    }
    values.push(filter.limit + 1);
    const rows = await queryRows<{ data: CapturedNotification }>(
      this.pool,
      'the notification list',
      `SELECT data FROM notifications
       ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
       ORDER BY captured_at DESC, id DESC LIMIT $${values.length}`,
      values,
    );
    const page = rows.slice(0, filter.limit).map((row) => deepFreeze(row.data));
    const last = page.at(-1);
    return rows.length > filter.limit && last !== undefined
      ? { notifications: page, next: notificationCursor(last) }
      : { notifications: page };
  }

  async pruneNotifications(before: number): Promise<number> {
    try {
      const result = await this.pool.query('DELETE FROM notifications WHERE captured_at < $1', [
        before,
      ]);
      return result.rowCount ?? 0;
    } catch (error) {
      throw mapPgError(error, 'the notification prune');
    }
  }
}
