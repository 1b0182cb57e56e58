/** Self-Service Flow Steps: the routes the composition root mounts, and their outbox handlers. */
export { createFlowStepRoutes, type FlowStepRouteDeps } from './flow-step-routes.js';
export { createSsfsHandlers, type SsfsHandlerDeps } from './ssfs-handlers.js';
export {
  SSFS_CALLBACK_KIND,
  SSFS_FAILURE_CALLBACK_KIND,
  SSFS_INVOCATION_KIND,
} from './outbox-payloads.js';
