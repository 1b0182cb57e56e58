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
  const listeners = new Set<(leader: boolean) => void>();
  let leader = true;
  const set = (next: boolean) => {
    if (next === leader) return;
    leader = next;
    for (const listener of [...listeners]) listener(next);
  };
  return {
    isLeader: () => leader,
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    start: () => set(true),
    stop: async () => set(false),
  };
}
