import type { RoutingAgentsSource } from '../../src/routing/assign-agent.js';
import type { OutboxStore } from '../../src/store/types.js';
import {
  SSFS_CALLBACK_KIND,
  SSFS_FAILURE_CALLBACK_KIND,
  SSFS_INVOCATION_KIND,
} from './outbox-payloads.js';

/** CFA-Swagger.yaml `serviceStatus`; Marketo logs each entry at its level in the service log. */
export interface ServiceStatus {
  info: string[];
  warnings: string[];
  errors: string[];
}

/** How many dead letters we count; the status says "at least" past it. */
const COUNT_LIMIT = 1_000;

/**
 * GET /status, polled nightly and when the credentials are saved (marketo-facts §6): reports
 * what an admin must fix on our side, so Marketo shows it where they look.
 */
export async function serviceStatus(deps: {
  store: OutboxStore;
  agents: RoutingAgentsSource;
}): Promise<ServiceStatus> {
  const status: ServiceStatus = { info: [], warnings: [], errors: [] };
  const active = (await deps.agents()).filter((a) => a.active);
  if (active.length === 0) {
    status.errors.push(
      'No active sales agent is configured (ROUTING_AGENTS): every person will come back ' +
        'with success=false and errorCode NO_AGENT_AVAILABLE.',
    );
  } else {
    status.info.push(`${active.length} active sales agent(s) in the rotation.`);
  }
  const [deadCallbacks, deadFailures, pending] = await Promise.all([
    deps.store.listOutbox({ status: 'dead', kind: SSFS_CALLBACK_KIND, limit: COUNT_LIMIT }),
    deps.store.listOutbox({ status: 'dead', kind: SSFS_FAILURE_CALLBACK_KIND, limit: COUNT_LIMIT }),
    deps.store.listOutbox({ status: 'pending', kind: SSFS_INVOCATION_KIND, limit: COUNT_LIMIT }),
  ]);
  const dead = [...deadCallbacks, ...deadFailures];
  if (dead.length > 0) {
    const count = dead.length >= COUNT_LIMIT ? `At least ${COUNT_LIMIT}` : String(dead.length);
    status.warnings.push(
      `${count} callback(s) to Marketo could not be delivered and wait in the dead letters.`,
    );
  }
  const waiting = pending.length;
  if (waiting > 0) status.info.push(`${waiting} invocation(s) waiting to be processed.`);
  return status;
}
