import { z } from 'zod';

export const routingAgentSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  active: z.boolean(),
  /** Rotation weight (0..100; absent is 1): routing/weighted-rotation.ts. */
  weight: z.number().int().min(0).max(100).optional(),
});
export type RoutingAgent = z.infer<typeof routingAgentSchema>;

export const assignmentSchema = z.object({
  /** What was routed: `lead:<id>`, `email:<lowercased>`, or `ssfs:<token>:<leadId>`. */
  key: z.string(),
  agentId: z.string(),
  agentName: z.string(),
  agentEmail: z.string(),
  /** Why this agent: e.g. `round-robin`, `repeat` (same lead within the window). */
  rule: z.string(),
  assignedAt: z.number(),
  source: z.enum(['webhook', 'ssfs', 'chat', 'admin']),
});
export type Assignment = z.infer<typeof assignmentSchema>;
