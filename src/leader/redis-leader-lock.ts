import type { Redis } from 'ioredis';

/**
 * The lease behind the job leader, as three atomic operations on one key. The only code that
 * knows how the lease looks in Redis.
 */
export interface LeaderLock {
  /** Takes the key when nobody holds it; true when this holder now has it for `ttlMs`. */
  acquire(holder: string, ttlMs: number): Promise<boolean>;
  /** Extends the key by `ttlMs` only while `holder` still holds it; false when it is gone or taken. */
  renew(holder: string, ttlMs: number): Promise<boolean>;
  /** Deletes the key only while `holder` still holds it, so a late release never frees another's. */
  release(holder: string): Promise<boolean>;
}

// Compare-then-act in one script, so no other client's write lands between the GET and the
// PEXPIRE or DEL (Redis runs a script atomically). This is the single-instance lock pattern of
// the Redis documentation ("Distributed Locks with Redis", and the SET command's "Patterns").
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0`;

export function createRedisLeaderLock(redis: Redis, key: string): LeaderLock {
  return {
    async acquire(holder, ttlMs) {
      // SET NX PX: set only when absent, with an expiry, in one command, so a holder that dies
      // leaves a key that expires by itself.
      return (await redis.set(key, holder, 'PX', ttlMs, 'NX')) === 'OK';
    },
    async renew(holder, ttlMs) {
      return Number(await redis.eval(RENEW, 1, key, holder, String(ttlMs))) === 1;
    },
    async release(holder) {
      return Number(await redis.eval(RELEASE, 1, key, holder)) === 1;
    },
  };
}
