import { dialogueIdSchema } from '../chat/chat-admin-routes.js';
import { previewRequestSchema } from '../chat/dialogue-preview.js';
import { dialogueDraftSchema } from '../chat/publish-validation.js';
import { listQuerySchema as notificationQuerySchema } from '../notifications/notification-routes.js';
import { deadLetterQuerySchema } from '../outbox/dead-letters.js';
import { chatConfigurationSchema } from '../records/chat-configuration.js';
import { formatSchema as reportFormatSchema } from '../reports/report-routes.js';
import { dateRangeQuerySchema } from '../reports/report-range.js';
import { emailQuerySchema, leadIdSchema } from '../sync/lead-routes.js';
import { runSchema } from '../sync/sync-routes.js';
import {
  conversationIdSchema,
  listQuerySchema as conversationQuerySchema,
} from '../transcripts/transcript-routes.js';
import { named, type OperationSpec } from './openapi-operation.js';

const admin = { access: 'admin' } as const;
const DIALOGUE = { params: { id: dialogueIdSchema }, also: { 404: 'No such dialogue.' } };
const REPORT_QUERY = [
  named('ReportRange', dateRangeQuerySchema),
  named('ReportFormat', reportFormatSchema),
];

/** /api: sync and leads, the chat's configuration and dialogues, outbox, conversations, reports. */
export const adminOperations: OperationSpec[] = [
  {
    ...admin,
    method: 'get',
    path: '/api/sync/status',
    tag: 'Sync and leads',
    summary: "The lead sync's state: cursor, last run, progress, calls used today",
    ok: { description: 'The sync status.' },
  },
  {
    ...admin,
    method: 'post',
    path: '/api/sync/run',
    tag: 'Sync and leads',
    summary: 'Start a lead sync now (on the leader replica)',
    body: { schema: named('SyncRun', runSchema), required: false },
    ok: { status: 202, description: 'Started; follow it at /api/sync/status.' },
    also: { 409: 'Already running, or this replica is not the leader.' },
  },
  {
    ...admin,
    method: 'post',
    path: '/api/marketo/connection-test',
    tag: 'Sync and leads',
    summary: 'Check the Marketo credentials and API access',
    ok: { description: 'What worked and what did not.' },
  },
  {
    ...admin,
    method: 'get',
    path: '/api/leads/:id',
    tag: 'Sync and leads',
    summary: 'A lead in the local copy, by Marketo id',
    params: { id: leadIdSchema },
    ok: { description: 'The lead, its fields and when it was last seen.' },
    also: { 404: 'Not in the local copy.' },
  },
  {
    ...admin,
    method: 'get',
    path: '/api/leads',
    tag: 'Sync and leads',
    summary: 'Leads in the local copy with this email',
    query: [named('LeadEmailQuery', emailQuerySchema)],
    ok: { description: '`leads`.' },
  },
  {
    ...admin,
    method: 'get',
    path: '/api/configuration',
    tag: 'Chat admin',
    summary: 'The chat configuration',
    ok: {
      description: 'The configuration.',
      schema: named('ChatConfiguration', chatConfigurationSchema),
    },
  },
  {
    ...admin,
    method: 'put',
    path: '/api/configuration',
    tag: 'Chat admin',
    summary: 'Replace the chat configuration',
    body: { schema: named('ChatConfigurationInput', chatConfigurationSchema) },
    ok: {
      description: 'The configuration saved.',
      schema: named('ChatConfiguration', chatConfigurationSchema),
    },
  },
  {
    ...admin,
    method: 'get',
    path: '/api/dialogues',
    tag: 'Chat admin',
    summary: 'Every dialogue with its state',
    ok: { description: '`dialogues`.' },
  },
  {
    ...admin,
    method: 'post',
    path: '/api/dialogues',
    tag: 'Chat admin',
    summary: 'Create a dialogue from a draft',
    body: { schema: named('DialogueDraft', dialogueDraftSchema) },
    ok: { status: 201, description: 'The dialogue.' },
  },
  {
    ...admin,
    method: 'post',
    path: '/api/dialogues/preview',
    tag: 'Chat admin',
    summary: 'Preview a dialogue as a given visitor would see it',
    body: { schema: named('DialoguePreviewRequest', previewRequestSchema) },
    ok: { description: 'The preview.' },
  },
  {
    ...admin,
    ...DIALOGUE,
    method: 'get',
    path: '/api/dialogues/:id',
    tag: 'Chat admin',
    summary: 'A dialogue',
    ok: { description: 'The dialogue.' },
  },
  {
    ...admin,
    ...DIALOGUE,
    method: 'put',
    path: '/api/dialogues/:id/draft',
    tag: 'Chat admin',
    summary: "Save a dialogue's draft",
    body: { schema: named('DialogueDraft', dialogueDraftSchema) },
    ok: { description: 'The dialogue.' },
  },
  ...(['publish', 'enable', 'disable'] as const).map((action): OperationSpec => ({
    ...admin,
    ...DIALOGUE,
    method: 'post',
    path: `/api/dialogues/:id/${action}`,
    tag: 'Chat admin',
    summary:
      action === 'publish'
        ? "Publish the dialogue's draft (refused with every problem named)"
        : `${action === 'enable' ? 'Show' : 'Stop showing'} the published dialogue`,
    ok: { description: 'The dialogue.' },
  })),
  {
    ...admin,
    ...DIALOGUE,
    method: 'delete',
    path: '/api/dialogues/:id',
    tag: 'Chat admin',
    summary: 'Delete a dialogue',
    ok: { status: 204, description: 'Deleted.' },
  },
  {
    ...admin,
    method: 'get',
    path: '/api/outbox',
    tag: 'Outbox',
    summary: 'Outbox depth by kind, dead letters counted, the oldest pending item',
    ok: { description: 'The outbox summary.' },
  },
  {
    ...admin,
    method: 'get',
    path: '/api/outbox/dead-letters',
    tag: 'Outbox',
    summary: 'Dead letters, newest first, with their last error',
    query: [named('DeadLetterQuery', deadLetterQuerySchema)],
    ok: { description: '`deadLetters` and `count`.' },
  },
  {
    ...admin,
    method: 'post',
    path: '/api/outbox/dead-letters/:id/retry',
    tag: 'Outbox',
    summary: 'Send a dead letter again through the outbox',
    ok: { status: 202, description: 'Queued again.' },
    also: { 404: 'No such item.', 409: 'The item is not a dead letter.' },
  },
  {
    ...admin,
    method: 'get',
    path: '/api/conversations',
    tag: 'Conversations',
    summary: 'Conversations, newest first, a page at a time',
    query: [named('ConversationQuery', conversationQuerySchema)],
    ok: { description: '`conversations` and `next`.' },
  },
  {
    ...admin,
    method: 'get',
    path: '/api/conversations/:conversationId/transcript',
    tag: 'Conversations',
    summary: "A conversation's transcript",
    params: { conversationId: conversationIdSchema },
    ok: { description: 'The transcript.' },
    also: { 404: 'No such conversation.' },
  },
  {
    ...admin,
    method: 'get',
    path: '/api/reports/dialogues',
    tag: 'Reports',
    summary: 'Dialogue report for a range of days (JSON, or CSV with format=csv or Accept)',
    query: REPORT_QUERY,
    ok: { description: 'The report.', alsoMedia: 'csv' },
  },
  {
    ...admin,
    method: 'get',
    path: '/api/reports/agents',
    tag: 'Reports',
    summary: 'Agent meetings report for a range of days (JSON or CSV)',
    query: REPORT_QUERY,
    ok: { description: 'The report.', alsoMedia: 'csv' },
  },
  {
    ...admin,
    method: 'get',
    path: '/api/notifications',
    tag: 'Notifications',
    summary: 'Notification emails captured instead of sent, newest first',
    query: [named('NotificationQuery', notificationQuerySchema)],
    ok: { description: '`mode`, `notifications` and `next`.' },
  },
];
