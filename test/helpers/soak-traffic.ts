import type { MarketoSandbox } from '../../src/sandbox/index.js';
import { createRandom } from '../../src/sandbox/sandbox-seed.js';
import type { CallbackReceiver } from './soak-callbacks.js';
import { SOAK_SECRETS } from './soak-service.js';

/**
 * The soak's traffic, as Marketo and visitors send it: Call Webhook lead changes, flow-step
 * invocations, chat conversations (an event before and after the visitor gives an email, which
 * creates their lead and writes two activities), bookings (a lead and a meeting activity) and
 * manual sync runs. Workers pick operations with a seeded PRNG and send each until it is
 * acknowledged (2xx), as Marketo and the widget retry, or the run ends. The ledger records
 * every acknowledged write by the id that finds it in Marketo afterwards.
 */

export interface SoakLedger {
  /** Answers of any status (requests the service handled). */
  answered: number;
  /** Requests that got no answer (the process was killed or restarting). */
  unanswered: number;
  webhooks: number;
  /** Flow-step invocations answered 201, by token. */
  invocations: Set<string>;
  /** Chat and meeting activities, by the key of activityKeyOf (soak-checks.ts). */
  activities: Set<string>;
  /** Emails whose lead the service must have created in Marketo (chat, bookings). */
  emails: Set<string>;
  syncRuns: number;
  /** Slowest answer by path, ms (a stalled route shows here). */
  slowestMs: Record<string, number>;
}

/** Where requests go: the nodes up now; `whenUp` resolves once at least one is. */
export interface SoakTargets {
  urls(): string[];
  whenUp(): Promise<void>;
}

export interface SoakTrafficOptions {
  seed: number;
  workers: number;
  targets: SoakTargets;
  sandbox: MarketoSandbox;
  receiver: CallbackReceiver;
  /** Agent ids and the free slot starts to book, consumed in order. */
  slots: Array<{ agentId: string; start: string }>;
  dialogueId: string;
  /** Lead ids that exist in Marketo and in the copy (webhooks and invocations name them). */
  leadIds: number[];
  /** Called after every acknowledged write (the soak counts them to place its kills). */
  onAck?: (acked: number) => void;
}

export interface SoakTraffic {
  ledger: SoakLedger;
  /** Ends the workers after their current operation (which gives up if not yet acknowledged). */
  stop(): Promise<void>;
}

const PAGE = 'https://www.example.com/pricing';

export function startSoakTraffic(options: SoakTrafficOptions): SoakTraffic {
  const random = createRandom(options.seed);
  const ledger: SoakLedger = {
    answered: 0,
    unanswered: 0,
    webhooks: 0,
    invocations: new Set(),
    activities: new Set(),
    emails: new Set(),
    syncRuns: 0,
    slowestMs: {},
  };
  let running = true;
  let acked = 0;
  let n = 0;
  const ack = () => {
    acked += 1;
    options.onAck?.(acked);
  };

  /** Sends until answered (any status), or undefined once the run ends unanswered. */
  const send = async (
    path: string,
    init: { method?: string; json: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: unknown } | undefined> => {
    for (;;) {
      const urls = options.targets.urls();
      if (urls.length === 0) {
        if (!running) return undefined;
        await options.targets.whenUp();
        continue;
      }
      const url = urls[Math.floor(random() * urls.length)]!;
      const began = Date.now();
      try {
        const res = await fetch(`${url}${path}`, {
          method: init.method ?? 'POST',
          headers: { 'Content-Type': 'application/json', ...init.headers },
          body: JSON.stringify(init.json),
        });
        const text = await res.text();
        ledger.answered += 1;
        ledger.slowestMs[path] = Math.max(ledger.slowestMs[path] ?? 0, Date.now() - began);
        return {
          status: res.status,
          body: text === '' ? undefined : (JSON.parse(text) as unknown),
        };
      } catch {
        // Killed under us: the request may or may not have been acted on. Sent again (each
        // operation is idempotent by its id) to whichever node is up, unless the run is over.
        ledger.unanswered += 1;
        if (!running) return undefined;
      }
    }
  };
  /** Sends until acknowledged (2xx); the final answer, or undefined. */
  const sendUntilAcked: typeof send = async (path, init) => {
    for (;;) {
      const answer = await send(path, init);
      if (answer === undefined || answer.status < 300 || !running) return answer;
      // A 5xx or 429 means "not taken": a caller retries; 4xx other than 429 will not change.
      if (answer.status < 500 && answer.status !== 429) return answer;
    }
  };

  const webhook = async () => {
    const id = options.leadIds[Math.floor(random() * options.leadIds.length)]!;
    const k = (n += 1);
    const firstName = `Soak${k}`;
    // Marketo changes the lead, then its trigger campaign calls the webhook with one of the
    // changed fields: the title reaches the copy only through the sync.
    options.sandbox.upsertLead({ id, firstName, title: `Title ${k}` });
    const answer = await sendUntilAcked('/webhooks/marketo/lead', {
      json: { id, firstName },
      headers: { 'X-Webhook-Secret': SOAK_SECRETS.WEBHOOK_SECRET },
    });
    if (answer !== undefined && answer.status < 300) {
      ledger.webhooks += 1;
      ack();
    }
  };

  const invocation = async () => {
    const token = `soak-invocation-${options.seed}-${(n += 1)}`;
    const leads = [0, 1].map(() => options.leadIds[Math.floor(random() * options.leadIds.length)]!);
    const answer = await sendUntilAcked('/flow-steps/submitAsyncAction', {
      json: {
        token,
        apiCallBackKey: 'soak-callback-key',
        campaignId: 1001,
        callbackUrl: options.receiver.urlFor(token),
        context: { subscription: { munchkinId: 'AAA-999-ZZZ' } },
        objectData: leads.map((id) => ({
          objectType: 'lead',
          objectContext: { id, email: `lead${id}@soak.example` },
          flowStepContext: { routingPool: 'all' },
        })),
      },
      headers: { 'x-api-key': SOAK_SECRETS.SSFS_API_KEY },
    });
    if (answer?.status === 201) {
      ledger.invocations.add(token);
      ack();
    }
  };

  const conversation = async () => {
    const k = (n += 1);
    const conversationId = `soak-conv-${options.seed}-${k}`;
    const email = `chat${k}-${options.seed}@soak.example`;
    const from = `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
    const events = [
      { type: 'triggered', eventId: `soak-event-${k}-1` },
      { type: 'email-given', eventId: `soak-event-${k}-2`, value: email },
    ];
    for (const event of events) {
      const answer = await sendUntilAcked('/chat/events', {
        json: {
          ...event,
          dialogueId: options.dialogueId,
          dialogueVersion: 1,
          conversationId,
          pageUrl: PAGE,
          visitor: { anonymousId: `soak-visitor-${k}` },
        },
        headers: { 'X-Forwarded-For': from },
      });
      if (answer?.status !== 202) return;
      ack();
    }
    // Both recorded: the email's lead and both activities must reach Marketo.
    ledger.emails.add(email);
    for (const event of events) ledger.activities.add(`chat:${conversationId}:${event.eventId}`);
  };

  const booking = async () => {
    const slot = options.slots.shift();
    if (slot === undefined) return;
    const k = (n += 1);
    const email = `book${k}-${options.seed}@soak.example`;
    const answer = await sendUntilAcked('/chat/meetings', {
      json: { start: slot.start, email, timeZone: 'UTC', agentId: slot.agentId },
      headers: { 'X-Forwarded-For': `10.200.${(k >> 8) & 255}.${k & 255}` },
    });
    const meetingId = (answer?.body as { meeting?: { id?: string } } | undefined)?.meeting?.id;
    if (answer?.status === 201 && meetingId !== undefined) {
      ledger.emails.add(email);
      ledger.activities.add(`meeting:${meetingId}#1`);
      ack();
    }
  };

  const syncRun = async () => {
    const answer = await send('/api/sync/run', {
      json: {},
      headers: { Authorization: `Bearer ${SOAK_SECRETS.ADMIN_TOKEN}` },
    });
    if (answer?.status === 202) ledger.syncRuns += 1;
  };

  const pick = (): (() => Promise<void>) => {
    const draw = random();
    if (draw < 0.3) return webhook;
    if (draw < 0.55) return conversation;
    if (draw < 0.75) return booking;
    if (draw < 0.97) return invocation;
    return syncRun;
  };

  const workers = Array.from({ length: options.workers }, async () => {
    while (running) await pick()();
  });
  return {
    ledger,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}
