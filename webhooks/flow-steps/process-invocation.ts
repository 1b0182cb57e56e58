import type { SsfsCallbackRecord } from '../../src/clients/ssfs-callback/ssfs-callback-client.js';
import type { Clock } from '../../src/deps.js';
import { AppError } from '../../src/errors.js';
import {
  planAssignment,
  takeAssignment,
  type AssignAgentDeps,
  type RoutingAgentsSource,
} from '../../src/routing/assign-agent.js';
import type { NewOutboxItem, RoutingStore } from '../../src/store/types.js';
import {
  SSFS_CALLBACK_KIND,
  callbackDedupeKey,
  type CallbackPayload,
  type InvocationPayload,
} from './outbox-payloads.js';
import { ALL_AGENTS_POOL, DIRECT_AGENT_PREFIX } from './picklists.js';

/**
 * Leads routed at once. Each assignment is a durable write, and the JSON store folds concurrent
 * writes into one group commit: 1,000 leads on a store of 20,000 leads (8.8 MB) took 8.3 s at
 * 16, 1.3 s at 64 and 0.5 s at 256. The store applies turns in call order, and each lead
 * calls for its turn (takeAssignment) only after the lead before it did, while their reads
 * (planAssignment) run side by side, so the rotation still follows the batch order.
 */
const ROUTING_CONCURRENCY = 256;

export interface ProcessInvocationDeps {
  store: RoutingStore;
  clock: Clock;
  agents: RoutingAgentsSource;
  /** ASSIGN_REPEAT_WINDOW_MS, handed to the router for its other callers' semantics. */
  repeatWindowMs: number;
  /** The meetings' routing (owner, rules by priority), for the "all agents" pool. */
  routing?: AssignAgentDeps['routing'];
  /** The lead's synced fields, which rules and the owner read. */
  leadFields?: (leadId: number) => Promise<Readonly<Record<string, unknown>> | undefined>;
}

/**
 * The "Assign sales agent" flow action: routes every lead of the batch and returns the
 * callback that carries the results, as an outbox item to enqueue with this item's completion.
 * Each lead is routed under `ssfs:<token>:<leadId>`, and an assignment already stored under that
 * key is reused whatever its age: processing again after a crash (or a failed completion)
 * gives every lead the agent it got the first time, and the rotation does not move.
 */
export async function processInvocation(
  deps: ProcessInvocationDeps,
  payload: InvocationPayload,
): Promise<NewOutboxItem[]> {
  const records = new Array<SsfsCallbackRecord>(payload.leads.length);
  const turns = payload.leads.map(() => {
    let resolve!: () => void;
    const promise = new Promise<void>((done) => (resolve = done));
    return { promise, resolve };
  });
  let next = 0;
  const lanes = Array.from(
    { length: Math.min(ROUTING_CONCURRENCY, payload.leads.length) },
    async () => {
      while (next < payload.leads.length) {
        const index = next++;
        const turn = turns[index]!;
        const inTurn = { before: turns[index - 1]?.promise, called: turn.resolve };
        try {
          records[index] = await routeLead(deps, payload.token, payload.leads[index]!, inTurn);
        } finally {
          turn.resolve(); // a lead that took no turn (repeat, failure) lets the next one go
        }
      }
    },
  );
  await Promise.all(lanes);

  // One callback for the whole invocation: the SPI's `token` is a "One-time use access token
  // for submitting callback data to Marketo" (CFA-Swagger.yaml `async.token`), and no Adobe
  // document allows a second callback with it. At the 1,000 leads we accept, the body is
  // about 250 kB.
  const callback: CallbackPayload = {
    token: payload.token,
    ...(payload.apiCallBackKey ? { apiCallBackKey: payload.apiCallBackKey } : {}),
    callbackUrl: payload.callbackUrl,
    munchkinId: payload.munchkinId,
    objectData: records,
  };
  return [
    { kind: SSFS_CALLBACK_KIND, dedupeKey: callbackDedupeKey(payload.token), payload: callback },
  ];
}

/** When a lead may call for its turn (`before`), and how it says it has (`called`). */
interface TurnOrder {
  before: Promise<void> | undefined;
  called: () => void;
}

async function routeLead(
  deps: ProcessInvocationDeps,
  token: string,
  lead: InvocationPayload['leads'][number],
  order: TurnOrder,
): Promise<SsfsCallbackRecord> {
  if (lead.invalid !== undefined) {
    return failure(
      lead.id,
      `Invalid lead data: ${lead.invalid}`.slice(0, 255),
      'INVALID_LEAD_DATA',
    );
  }
  const pool = lead.routingPool ?? ALL_AGENTS_POOL;
  const direct = pool.startsWith(DIRECT_AGENT_PREFIX);
  if (!direct && pool !== ALL_AGENTS_POOL) {
    return failure(lead.id, `Unknown routing pool "${pool}"`, 'UNKNOWN_ROUTING_POOL');
  }
  const key = `ssfs:${token}:${lead.id}`;
  const existing = await deps.store.getAssignment(key);
  if (existing) {
    return success(
      lead.id,
      existing.agentName,
      existing.agentEmail,
      direct ? 'direct' : existing.rule,
    );
  }
  // A direct pool is a rotation of one: the agent's turn counts, so the round robin goes on
  // after them, as it would after any assignment they took.
  const agentId = pool.slice(DIRECT_AGENT_PREFIX.length).toLowerCase();
  const agents = direct
    ? async () => (await deps.agents()).filter((a) => a.id === agentId)
    : deps.agents;
  try {
    const routed = !direct && deps.routing !== undefined;
    const assignDeps = {
      store: deps.store,
      clock: deps.clock,
      agents,
      repeatWindowMs: deps.repeatWindowMs,
      ...(routed ? { routing: deps.routing } : {}),
    };
    const plan = await planAssignment(assignDeps, {
      key,
      source: 'ssfs',
      ...(routed ? { lead: (await deps.leadFields?.(lead.id)) ?? {} } : {}),
    });
    // The reads above run side by side with the other leads'; the turn waits for the lead
    // before it, so the rotation follows the batch.
    await order.before;
    const taking = takeAssignment(assignDeps, plan);
    order.called();
    const assigned = await taking;
    return success(
      lead.id,
      assigned.agentName,
      assigned.agentEmail,
      direct ? 'direct' : assigned.rule,
    );
  } catch (error) {
    // Reported in-band for this lead (SPI: activityData success/reason/errorCode); any other
    // error fails the whole invocation, which the outbox retries.
    if (error instanceof AppError && error.code === 'NO_AGENTS') {
      return failure(
        lead.id,
        `No active sales agent in routing pool "${pool}"`,
        'NO_AGENT_AVAILABLE',
      );
    }
    throw error;
  }
}

function success(
  id: number,
  agentName: string,
  agentEmail: string,
  rule: string,
): SsfsCallbackRecord {
  return {
    leadData: { id, agentEmail, agentName },
    activityData: { success: true, agentEmail, agentName, routingRule: rule },
  };
}

function failure(id: number, reason: string, errorCode: string): SsfsCallbackRecord {
  return { leadData: { id }, activityData: { success: false, reason, errorCode } };
}
