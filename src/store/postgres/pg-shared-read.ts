/**
 * One read shared by the callers that ask while it runs (single flight), for a read every
 * request makes: the chat revision on each widget call, so twenty concurrent calls pay for one
 * query, not twenty (bench:chat on PostgreSQL). A caller never joins a read that began before
 * this process's last write of that data (`invalidate()` after the write commits), so a replica
 * reads its own writes; another replica's write shows at most one round trip later, as it would
 * had the caller's own read been that much earlier. Nothing is kept once the read settles.
 */
export class SharedRead<T> {
  private inFlight: { promise: Promise<T>; generation: number } | undefined;
  private generation = 0;

  constructor(private readonly read: () => Promise<T>) {}

  get(): Promise<T> {
    const current = this.inFlight;
    if (current !== undefined && current.generation === this.generation) return current.promise;
    const promise: Promise<T> = this.read().finally(() => {
      if (this.inFlight?.promise === promise) this.inFlight = undefined;
    });
    this.inFlight = { promise, generation: this.generation };
    return promise;
  }

  /** After a write of this data committed: later callers start a read of their own. */
  invalidate(): void {
    this.generation += 1;
  }
}
