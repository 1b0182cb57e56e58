/** The local Marketo stand-in: see marketo-sandbox.ts. */
export { createMarketoSandbox } from './marketo-sandbox.js';
export { isSandboxPagingToken } from './sandbox-activity-log.js';
export { DEFAULT_LIMITS } from './sandbox-limits.js';
export { maxCallsInWindow, type CallLogEntry } from './sandbox-call-log.js';
export {
  FAULT_KINDS,
  faultProfileSchema,
  type FaultCounts,
  type FaultKind,
  type FaultProfileInput,
  type OutageInput,
} from './sandbox-fault-profile.js';
export type {
  LimitRefusal,
  ActivityAttribute,
  CustomActivityAttributeView,
  CustomActivityTypeView,
  FaultSpec,
  LeadChangeField,
  LeadValue,
  MarketoSandbox,
  SandboxActivity,
  SandboxLead,
  SandboxLimits,
  SandboxOptions,
  SandboxServer,
  SandboxStats,
} from './sandbox-types.js';
