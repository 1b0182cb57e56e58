import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSsfsCallbackClient } from '../../src/clients/ssfs-callback/ssfs-callback-client.js';
import { createManualClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import {
  CALLBACK_HOSTS,
  CALLBACK_ORIGIN,
  CALLBACK_PATH,
  publicResolver,
} from '../fixtures/ssfs/flow-steps-harness.js';

// Issue 9, item 22: a callback whose receiver is slow held a stop for its 10 s time-out.

afterEach(() => {
  nock.cleanAll();
});

describe('SSFS callback client: stop', () => {
  it('when the signal aborts while the callback waits for its answer, then it ends at once with a retryable SSFS_CALLBACK_STOPPED', async () => {
    const scope = nock(CALLBACK_ORIGIN).post(CALLBACK_PATH).delay(30_000).reply(200, 'ok');
    const sent = new Promise<void>((resolve) => scope.on('request', () => resolve()));
    const client = createSsfsCallbackClient({
      callbackHosts: CALLBACK_HOSTS,
      clock: createManualClock(),
      logger: silentLogger,
      resolve: publicResolver,
      timeoutMs: 60_000,
    });
    const stopping = new AbortController();
    const sending = client
      .send(
        {
          callbackUrl: `${CALLBACK_ORIGIN}${CALLBACK_PATH}`,
          apiCallBackKey: 'callback-key',
          token: 'one-time-token',
          munchkinId: 'AAA-999-ZZZ',
          objectData: [{ leadData: { id: 1 }, activityData: { success: true } }],
        },
        { signal: stopping.signal },
      )
      .catch((error: unknown) => error);
    await sent;

    stopping.abort();
    expect(await sending).toMatchObject({ code: 'SSFS_CALLBACK_STOPPED', retryable: true });
  });
});
