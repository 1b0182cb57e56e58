/**
 * Who runs the scheduled jobs (lead sync, outbox relays and prune, meeting jobs). Several
 * replicas serve requests alike, but those jobs must run in exactly one of them: two syncs would
 * double the Marketo calls and fight over the cursor. An election says whether this process is
 * the one, and tells when that changes; src/leader/run-as-leader.ts starts and stops the jobs.
 */
export interface LeaderElection {
  /** True while this process holds leadership (a lease it has confirmed and not outlived). */
  isLeader(): boolean;
  /** Called with every change, at once: `false` means stop the jobs now. Returns an unsubscribe. */
  onChange(listener: (leader: boolean) => void): () => void;
  /** Begins campaigning (or, for the sole process, leads at once). */
  start(): void;
  /** Steps down (listeners hear `false`) and gives leadership up for another replica to take. */
  stop(): Promise<void>;
}

/**
 * Without REDIS_URL the service is one process on one JSON file (the store's lock refuses a
 * second), so it is always the leader, from the start (an admin's sync run needs no election
 * first): the jobs run as they always did. Only stop() ends it.
 */
export function createSoleLeader(): LeaderElection {
  const leadership = createLeadership(true);
  return {
    isLeader: leadership.isLeader,
    onChange: leadership.onChange,
    start: () => void leadership.set(true),
    stop: async () => void leadership.set(false),
  };
}

/**
 * Whether this process leads, and who hears when that changes: the part every election shares.
 * `set` tells the listeners, at once and in order, only of a change; it answers whether there
 * was one.
 */
export function createLeadership(initial: boolean): Pick<
  LeaderElection,
  'isLeader' | 'onChange'
> & {
  set(next: boolean): boolean;
} {
  const listeners = new Set<(leader: boolean) => void>();
  let leader = initial;
  return {
    isLeader: () => leader,
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    set(next) {
      if (next === leader) return false;
      leader = next;
      for (const listener of [...listeners]) listener(next);
      return true;
    },
  };
}
