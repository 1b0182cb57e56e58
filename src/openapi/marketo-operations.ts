import { envelopeSchema } from '../../webhooks/flow-steps/invocation-schema.js';
import { picklistRequestSchema } from '../../webhooks/flow-steps/picklists.js';
import { leadIdentitySchema } from '../../webhooks/marketo/lead-payload.js';
import { named, type OperationSpec } from './openapi-operation.js';

/** Only the identity is a schema: the fields are checked while read (lead-payload.ts). */
const WEBHOOK_BODY = named('WebhookLead', leadIdentitySchema);

const WEBHOOK_NOTE =
  'The payload template sends the lead as flat JSON (or a form): `id` ({{lead.Id}}) and ' +
  '`email` identify it, every other key is a lead field by its REST API name.';

const BUSY = { 503: 'Too many calls in progress, or the change could not be saved; retry.' };

/**
 * What Marketo calls: Call Webhook (x-webhook-secret) and the Self-Service Flow Step service
 * (x-api-key). The flow-step service's own definition for Marketo is /flow-steps/openapi.json,
 * a different document in Adobe's SPI format.
 */
export const marketoOperations: OperationSpec[] = [
  {
    method: 'post',
    path: '/webhooks/marketo/lead',
    tag: 'Marketo webhooks',
    summary: 'Update the local copy of a lead with the fields Marketo sends',
    description: WEBHOOK_NOTE,
    access: 'webhook',
    body: { schema: WEBHOOK_BODY },
    ok: { description: 'Stored (or unchanged): `status` and `leadId`.' },
    also: BUSY,
  },
  {
    method: 'post',
    path: '/webhooks/marketo/assign-agent',
    tag: 'Marketo webhooks',
    summary: 'Route the lead to a sales agent; flat JSON for response mappings',
    description: WEBHOOK_NOTE,
    access: 'webhook',
    body: { schema: WEBHOOK_BODY },
    ok: { description: 'agentEmail, agentName, bookingUrl, routingRule, assignedAt.' },
    also: BUSY,
  },
  {
    method: 'get',
    path: '/flow-steps/openapi.json',
    tag: 'Flow steps',
    summary: "The flow-step service's definition for Marketo (Adobe SPI), read at install",
    access: 'public',
    ok: { description: 'The service document.' },
  },
  {
    method: 'post',
    path: '/flow-steps/submitAsyncAction',
    tag: 'Flow steps',
    summary: 'A flow-step invocation: stored durably, answered 201, the callback goes out later',
    access: 'ssfs',
    body: { schema: named('FlowStepInvocation', envelopeSchema) },
    ok: { status: 201, description: 'Accepted; the callback follows from the outbox.' },
  },
  {
    method: 'get',
    path: '/flow-steps/getServiceDefinition',
    tag: 'Flow steps',
    summary: "The service's definition (Adobe SPI)",
    access: 'ssfs',
    ok: { description: 'The definition.' },
  },
  {
    method: 'get',
    path: '/flow-steps/status',
    tag: 'Flow steps',
    summary: "The service's status for Marketo",
    access: 'ssfs',
    ok: { description: 'The status.' },
  },
  {
    method: 'post',
    path: '/flow-steps/getPicklist',
    tag: 'Flow steps',
    summary: 'Choices for a picklist parameter (the routing pool)',
    access: 'ssfs',
    body: { schema: named('PicklistRequest', picklistRequestSchema) },
    ok: { description: '`choices`, at most 1,000.' },
  },
  {
    method: 'get',
    path: '/flow-steps/providerInstructions',
    tag: 'Flow steps',
    summary: 'Setup instructions shown in Marketo',
    access: 'ssfs',
    ok: { description: 'The instructions.', media: 'html' },
  },
  {
    method: 'get',
    path: '/flow-steps/brandIcon',
    tag: 'Flow steps',
    summary: 'The brand icon',
    access: 'ssfs',
    ok: { description: 'The icon.', media: 'svg' },
  },
  {
    method: 'get',
    path: '/flow-steps/serviceIcon',
    tag: 'Flow steps',
    summary: 'The service icon',
    access: 'ssfs',
    ok: { description: 'The icon.', media: 'svg' },
  },
];
