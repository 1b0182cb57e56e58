import { describe, expect, it } from 'vitest';
import { createKeyedQueue } from '../../src/keyed-queue.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('createKeyedQueue', () => {
  it('when two tasks share a key, then the second starts only after the first settles', async () => {
    const queue = createKeyedQueue<number>();
    const first = gate();
    const started: string[] = [];
    const a = queue.run(1, async () => {
      started.push('a');
      await first.opened;
      return 'a';
    });
    const b = queue.run(1, async () => {
      started.push('b');
      return 'b';
    });
    await Promise.resolve();
    expect(started).toEqual(['a']);
    first.open();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(started).toEqual(['a', 'b']);
  });

  it('when tasks have different keys, then they run side by side', async () => {
    const queue = createKeyedQueue<number>();
    const first = gate();
    const started: number[] = [];
    const a = queue.run(1, async () => {
      started.push(1);
      await first.opened;
    });
    const b = queue.run(2, async () => {
      started.push(2);
    });
    await b;
    expect(started).toEqual([1, 2]);
    first.open();
    await a;
  });

  it('when a task fails, then its caller gets the error and the next task of the key still runs', async () => {
    const queue = createKeyedQueue<string>();
    const failing = queue.run('k', () => Promise.reject(new Error('boom')));
    const next = queue.run('k', () => Promise.resolve('ran'));
    await expect(failing).rejects.toThrow('boom');
    expect(await next).toBe('ran');
  });
});
