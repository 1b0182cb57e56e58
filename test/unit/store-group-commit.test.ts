import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../src/store/group-commit.js';

/** A write whose completion the test controls, recording the document version it started with. */
function createControlledWriter(version: () => number) {
  const started: number[] = [];
  const finish: Array<(error?: Error) => void> = [];
  const write = () =>
    new Promise<void>((resolve, reject) => {
      started.push(version());
      finish.push((error) => (error ? reject(error) : resolve()));
    });
  const waitForWrite = async (count: number) => {
    while (started.length < count) await new Promise((resolve) => setImmediate(resolve));
  };
  return { write, started, finish, waitForWrite };
}

describe('group commit', () => {
  it('when callers arrive in the same tick, then one write acknowledges them all', async () => {
    let version = 0;
    const writer = createControlledWriter(() => version);
    const commits = createGroupCommit(writer.write);

    const acks = Array.from({ length: 50 }, () => {
      version++;
      return commits.request();
    });
    await writer.waitForWrite(1);
    writer.finish[0]!();
    await Promise.all(acks);

    expect(writer.started).toEqual([50]);
  });

  it('when a caller arrives during a write, then it waits for a write that starts after its change', async () => {
    let version = 1;
    const writer = createControlledWriter(() => version);
    const commits = createGroupCommit(writer.write);
    const first = commits.request();
    await writer.waitForWrite(1);

    version = 2;
    let secondAcked = false;
    const second = commits.request().then(() => (secondAcked = true));
    version = 3;
    const third = commits.request();
    writer.finish[0]!();
    await first;
    await new Promise((resolve) => setImmediate(resolve));

    expect(secondAcked).toBe(false);
    await writer.waitForWrite(2);
    writer.finish[1]!();
    await Promise.all([second, third]);
    expect(writer.started).toEqual([1, 3]);
  });

  it('when a write fails, then every caller waiting for it gets the error and a flush writes again', async () => {
    const writer = createControlledWriter(() => 0);
    const commits = createGroupCommit(writer.write);
    const waiting = [commits.request(), commits.request(), commits.request()];
    await writer.waitForWrite(1);
    writer.finish[0]!(new Error('disk full'));

    const results = await Promise.allSettled(waiting);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await expect(results[0]).toMatchObject({ reason: new Error('disk full') });

    const flushed = commits.settled();
    await writer.waitForWrite(2);
    writer.finish[1]!();
    await expect(flushed).resolves.toBeUndefined();
    await expect(commits.settled()).resolves.toBeUndefined();
    expect(writer.started).toHaveLength(2);
  });
});
