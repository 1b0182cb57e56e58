import { describe, expect, it } from 'vitest';
import { SharedRead } from '../../src/store/postgres/pg-shared-read.js';

/** A read the test settles by hand, counting how many were started. */
function manualRead() {
  const pending: Array<(value: number) => void> = [];
  const read = () => new Promise<number>((resolve) => pending.push(resolve));
  return { read, pending };
}

describe('SharedRead', () => {
  it('when callers ask while a read runs, then they share it', async () => {
    const { read, pending } = manualRead();
    const shared = new SharedRead(read);
    const [a, b] = [shared.get(), shared.get()];
    expect(pending).toHaveLength(1);
    pending[0]!(7);
    expect(await Promise.all([a, b])).toEqual([7, 7]);
  });

  it('when the read has settled, then the next caller starts a new one', async () => {
    const { read, pending } = manualRead();
    const shared = new SharedRead(read);
    const first = shared.get();
    pending[0]!(1);
    await first;
    const second = shared.get();
    expect(pending).toHaveLength(2);
    pending[1]!(2);
    expect(await second).toBe(2);
  });

  it('when a write was made during a read, then later callers do not join that read', async () => {
    const { read, pending } = manualRead();
    const shared = new SharedRead(read);
    const before = shared.get();
    shared.invalidate();
    const after = shared.get();
    expect(pending).toHaveLength(2);
    pending[0]!(1);
    expect(await before).toBe(1);
    // The older read's end does not drop the newer one: it is still shared.
    const joined = shared.get();
    expect(pending).toHaveLength(2);
    pending[1]!(2);
    expect([await after, await joined]).toEqual([2, 2]);
  });

  it('when the read fails, then its callers get the error and the next caller reads again', async () => {
    let calls = 0;
    const shared = new SharedRead(() => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('gone')) : Promise.resolve(5);
    });
    await expect(Promise.all([shared.get(), shared.get()])).rejects.toThrow('gone');
    expect(await shared.get()).toBe(5);
    expect(calls).toBe(2);
  });
});
