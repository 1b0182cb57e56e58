import { describe, expect, it } from 'vitest';
import { createGroupCommit, MAX_APPENDS_IN_FLIGHT } from '../../src/store/group-commit.js';

/** Lets every settled promise and pending setImmediate run (no time passes). */
const drain = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** A write whose completion the test controls, recording the document version it started with. */
function createControlledWriter(version: () => number) {
  const started: number[] = [];
  /** Per write: the journal lines it appends, or `whole`. */
  const kinds: Array<readonly string[] | 'whole'> = [];
  const finish: Array<(error?: Error) => void> = [];
  const write = (lines: readonly string[] | undefined) =>
    new Promise<void>((resolve, reject) => {
      started.push(version());
      kinds.push(lines ?? 'whole');
      finish.push((error) => (error ? reject(error) : resolve()));
    });
  const waitForWrite = async (count: number) => {
    while (started.length < count) await new Promise((resolve) => setImmediate(resolve));
  };
  return { write, started, kinds, finish, waitForWrite };
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
    expect(results[0]).toMatchObject({ reason: new Error('disk full') });

    const flushed = commits.settled();
    await writer.waitForWrite(2);
    writer.finish[1]!();
    await expect(flushed).resolves.toBeUndefined();
    await expect(commits.settled()).resolves.toBeUndefined();
    expect(writer.started).toHaveLength(2);
  });

  it('when every caller of a batch brings a journal line, then one append carries them all', async () => {
    const writer = createControlledWriter(() => 0);
    const commits = createGroupCommit(writer.write);

    const acks = ['a', 'b', 'c'].map((line) => commits.request(line));
    await writer.waitForWrite(1);
    writer.finish[0]!();
    await Promise.all(acks);

    expect(writer.kinds).toEqual([['a', 'b', 'c']]);
  });

  it('when an append is in flight, then the next appends start at once, up to the limit', async () => {
    const writer = createControlledWriter(() => 0);
    const commits = createGroupCommit(writer.write);

    const acks: Array<Promise<void>> = [];
    for (let i = 0; i <= MAX_APPENDS_IN_FLIGHT; i++) {
      acks.push(commits.request(`line ${i}`));
      await drain();
    }

    expect(writer.kinds).toHaveLength(MAX_APPENDS_IN_FLIGHT);
    writer.finish[1]!();
    await acks[1];
    await writer.waitForWrite(MAX_APPENDS_IN_FLIGHT + 1);
    for (const finish of writer.finish) finish();
    await Promise.all(acks);
    expect(writer.kinds).toEqual(
      Array.from({ length: MAX_APPENDS_IN_FLIGHT + 1 }, (_, i) => [`line ${i}`]),
    );
  });

  it('when appends are in flight, then a whole write waits for all of them and starts alone', async () => {
    const writer = createControlledWriter(() => 0);
    const commits = createGroupCommit(writer.write);
    const first = commits.request('a');
    await writer.waitForWrite(1);
    const second = commits.request('b');
    await writer.waitForWrite(2);

    const whole = commits.request();
    const third = commits.request('c');
    await drain();
    expect(writer.kinds).toEqual([['a'], ['b']]);
    writer.finish[0]!();
    await first;
    await drain();
    expect(writer.kinds).toHaveLength(2);
    writer.finish[1]!();
    await second;
    await writer.waitForWrite(3);
    await drain();
    expect(writer.kinds).toEqual([['a'], ['b'], 'whole']);
    writer.finish[2]!();
    await Promise.all([whole, third]);
  });

  it('when one caller of a batch brings no line, then the batch is written whole', async () => {
    const writer = createControlledWriter(() => 0);
    const commits = createGroupCommit(writer.write);

    const acks = [commits.request('a'), commits.request(), commits.request('c')];
    await writer.waitForWrite(1);
    writer.finish[0]!();
    await Promise.all(acks);

    expect(writer.kinds).toEqual(['whole']);
  });

  it('when an append fails, then its callers get the error and the next write is whole until one succeeds', async () => {
    const writer = createControlledWriter(() => 0);
    const commits = createGroupCommit(writer.write);

    const failed = commits.request('a');
    await writer.waitForWrite(1);
    writer.finish[0]!(new Error('no space left on device'));
    await expect(failed).rejects.toThrow('no space left on device');
    const second = commits.request('b');
    await writer.waitForWrite(2);
    writer.finish[1]!();
    await second;
    const third = commits.request('c');
    await writer.waitForWrite(3);
    writer.finish[2]!();
    await third;

    expect(writer.kinds).toEqual([['a'], 'whole', ['c']]);
  });

  it('when a whole write failed, then settled writes the document whole again', async () => {
    const writer = createControlledWriter(() => 0);
    const commits = createGroupCommit(writer.write);
    const whole = commits.request();
    await writer.waitForWrite(1);
    writer.finish[0]!(new Error('EIO'));
    await expect(whole).rejects.toThrow('EIO');

    const flushed = commits.settled();
    await writer.waitForWrite(2);
    writer.finish[1]!();
    await flushed;

    expect(writer.kinds).toEqual(['whole', 'whole']);
  });
});
