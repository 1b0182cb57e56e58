import { CORE_MIGRATION_SQL } from './migrations-core.js';
import { MEETINGS_MIGRATION_NAME, MEETINGS_MIGRATION_SQL } from './migrations-meetings.js';
import {
  MEETING_BUFFERS_MIGRATION_NAME,
  MEETING_BUFFERS_MIGRATION_SQL,
} from './migrations-meeting-buffers.js';
import {
  ACCOUNT_ROUTING_MIGRATION_NAME,
  ACCOUNT_ROUTING_MIGRATION_SQL,
} from './migrations-account-routing.js';
import {
  LEADS_HOT_UPDATES_MIGRATION_NAME,
  LEADS_HOT_UPDATES_MIGRATION_SQL,
} from './migrations-leads-hot-updates.js';
import {
  CONVERSATIONS_MIGRATION_NAME,
  CONVERSATIONS_MIGRATION_SQL,
} from './migrations-conversations.js';
import {
  NOTIFICATIONS_MIGRATION_NAME,
  NOTIFICATIONS_MIGRATION_SQL,
} from './migrations-notifications.js';
import {
  MEETING_REASSIGNING_MIGRATION_NAME,
  MEETING_REASSIGNING_MIGRATION_SQL,
} from './migrations-meeting-reassigning.js';

export interface Migration {
  /** Applied in ascending order, each once; recorded in schema_migrations. */
  version: number;
  name: string;
  sql: string;
}

/**
 * Every migration, in order. They are TypeScript string modules rather than .sql files so the
 * build (tsc) carries them to dist/ with nothing to copy. Never edit an applied migration: add
 * the next number.
 */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'core', sql: CORE_MIGRATION_SQL },
  { version: 2, name: MEETINGS_MIGRATION_NAME, sql: MEETINGS_MIGRATION_SQL },
  { version: 3, name: CONVERSATIONS_MIGRATION_NAME, sql: CONVERSATIONS_MIGRATION_SQL },
  { version: 4, name: ACCOUNT_ROUTING_MIGRATION_NAME, sql: ACCOUNT_ROUTING_MIGRATION_SQL },
  { version: 5, name: MEETING_BUFFERS_MIGRATION_NAME, sql: MEETING_BUFFERS_MIGRATION_SQL },
  { version: 6, name: NOTIFICATIONS_MIGRATION_NAME, sql: NOTIFICATIONS_MIGRATION_SQL },
  { version: 7, name: MEETING_REASSIGNING_MIGRATION_NAME, sql: MEETING_REASSIGNING_MIGRATION_SQL },
  { version: 8, name: LEADS_HOT_UPDATES_MIGRATION_NAME, sql: LEADS_HOT_UPDATES_MIGRATION_SQL },
];
