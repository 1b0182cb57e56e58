import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createJsonFileStore } from '../../src/store/index.js';
import { createTempDir, spawnHelper } from '../helpers/store-fixtures.js';

/** Resolves once `ready()` holds, checking on every chunk of the writer's output. */
function whenOutput(writer: ReturnType<typeof spawnHelper>, ready: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (ready()) {
        writer.child.stdout.off('data', check);
        resolve();
      }
    };
    writer.child.stdout.on('data', check);
    writer.child.once('exit', () => reject(new Error(`writer exited: ${writer.stdout()}`)));
    check();
  });
}

describe('POST /webhooks/marketo/lead under SIGKILL', () => {
  it('when the service is killed under load three times, then every acknowledged lead is in the store', async () => {
    const temp = await createTempDir();
    const file = path.join(temp.dir, 'store.json');
    const acknowledged: number[] = [];
    try {
      for (const [run, killAfter] of [150, 400, 250].entries()) {
        const writer = spawnHelper('webhook-writer.ts', [file, String(1_000_000 * (run + 1))]);
        const acks = () =>
          writer
            .stdout()
            .split('\n')
            .filter((line) => /^\d+$/.test(line));
        // Killed after a number of answers, not after a time: the kill lands wherever the
        // writes are then, and the test takes as long as the load needs, no longer.
        await whenOutput(writer, () => acks().length >= killAfter);
        writer.child.kill('SIGKILL');
        const result = await writer.done;
        expect(result.signal).toBe('SIGKILL');
        acknowledged.push(...acks().map(Number));
      }

      const store = await createJsonFileStore({ file });
      const stored = await Promise.all(acknowledged.map((id) => store.getLead(id)));
      const missing = acknowledged.filter(
        (id, i) => stored[i]?.fields['email'] !== `lead${id}@example.com`,
      );
      await store.close();
      expect({ acknowledged: acknowledged.length >= 800, missing }).toEqual({
        acknowledged: true,
        missing: [],
      });
    } finally {
      await temp.remove();
    }
  }, 60_000);
});
