import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { runOutboxOnce } from '../../src/outbox/run-outbox-once.js';
import { MARKETO_RELAY } from '../../src/service-outbox.js';
import { openConversationService } from '../helpers/conversation-service.js';

/**
 * What the soak found (README, "Proof under faults"): a chat activity whose Add Custom
 * Activities answer was lost after Marketo wrote it used to be written again. Kept as a plain
 * test of that case; the chat write-back now looks in Marketo before a resend
 * (src/marketo-activities/verified-activity-delivery.ts, and chat-activity-once.test.ts).
 */
describe('chat activity after a lost answer', () => {
  it('when the answer to the chat activity write is lost after Marketo wrote it, then the activity is in Marketo once', async () => {
    const { publish, event, sandbox, service, store } = await openConversationService();
    await publish().expect(200);
    sandbox.injectFault({
      path: '/rest/v1/activities/external.json',
      httpStatus: 502,
      after: true,
    });
    await event({ type: 'triggered' }).expect(202);
    await event({ type: 'email-given', value: 'lost-answer@chat.example' }).expect(202);
    // The relay as the service runs it, on a clock that moves past each retry's back-off.
    let now = Date.now();
    const relay = { store, clock: { now: () => now }, logger: silentLogger, random: () => 0 };
    for (let pass = 0; pass < 6; pass += 1) {
      await runOutboxOnce(relay, service.outbox.handlers.marketo, MARKETO_RELAY);
      now += 60_000;
    }

    const written = sandbox
      .customActivities()
      .filter((activity) => activity.attributes.some((a) => a.apiName === 'conversationId'))
      .map((activity) => activity.attributes.find((a) => a.apiName === 'eventId')?.value);
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBe(new Set(written).size);
  });
});
