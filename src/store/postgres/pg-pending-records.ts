import { AppError } from '../../errors.js';
import type { MeetingStores } from '../meeting-store-types.js';
import type { RoutingStore } from '../types.js';

/**
 * Stand-in for the routing and meeting records (PgRoutingRecords, PgMeetingRecords, built on
 * another branch) until they are wired into PostgresStore: every method rejects, so nothing
 * answers as if it had stored a meeting.
 */
export function createPendingRecords(): RoutingStore & MeetingStores {
  return new Proxy({} as RoutingStore & MeetingStores, {
    get(_target, name) {
      return () =>
        Promise.reject(
          new AppError(
            'STORE_NOT_IMPLEMENTED',
            `The PostgreSQL store does not implement ${String(name)} yet`,
            { httpStatus: 501 },
          ),
        );
    },
  });
}
