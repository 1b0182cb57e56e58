import { readFileSync } from 'node:fs';
import os from 'node:os';
import { z } from 'zod';

/**
 * Who holds a lock, precisely enough to tell a live holder from a dead one whose pid was
 * reused. A bare pid is not enough: after a reboot, or in a container where the service is
 * always pid 1, the pid written by a dead process often belongs to a live one.
 */
export const lockHolderSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  /** ISO time the lock was taken (for the operator's message). */
  startedAt: z.string(),
  /** Linux boot id: a different one means the holder died in a reboot. */
  bootId: z.string().optional(),
  /** Linux start time of the holder pid, in clock ticks since boot: detects pid reuse. */
  procStart: z.string().optional(),
  /** Random per lock, so a process removes only a lock it took itself. */
  token: z.string(),
});
export type LockHolder = z.infer<typeof lockHolderSchema>;

export function describeCurrentProcess(now: number, token: string): LockHolder {
  return {
    pid: process.pid,
    hostname: os.hostname(),
    startedAt: new Date(now).toISOString(),
    bootId: readBootId(),
    procStart: readProcStart(process.pid),
    token,
  };
}

export type Liveness = 'alive' | 'dead' | 'other-host';

/**
 * Whether the holder of a lock still runs. The caller has already ruled out this process
 * itself, so a holder with our own pid is a previous incarnation (pid 1 in a container).
 */
export function holderLiveness(holder: LockHolder): Liveness {
  if (holder.hostname !== os.hostname()) return 'other-host';
  const bootId = readBootId();
  if (holder.bootId !== undefined && bootId !== undefined && holder.bootId !== bootId)
    return 'dead';
  if (holder.pid === process.pid) return 'dead';
  if (!isProcessAlive(holder.pid)) return 'dead';
  if (holder.procStart !== undefined) {
    const procStart = readProcStart(holder.pid);
    if (procStart !== undefined && procStart !== holder.procStart) return 'dead';
  }
  return 'alive';
}

function isProcessAlive(pid: number): boolean {
  try {
    // Signal 0 checks existence and permission without sending anything.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function readProcStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command) may contain spaces and parentheses, so count from the last ')':
    // the rest starts at field 3, and starttime is field 22 (proc(5)).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}
