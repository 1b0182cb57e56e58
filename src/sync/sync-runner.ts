import { ConflictError } from '../errors.js';
import { type SyncReport, runLeadSync } from './lead-sync.js';
import type { SyncRunSummary } from '../store/types.js';
import type { SyncProgress } from './progress.js';
import type { SyncDeps, SyncOptions } from './sync-context.js';

export type SyncTrigger = 'schedule' | 'api' | 'cli' | 'startup';

export interface SyncStatus {
  state: 'idle' | 'running';
  trigger: SyncTrigger | undefined;
  progress: SyncProgress | undefined;
  /**
   * The last run this process finished, kept in memory too: a run that failed because the store
   * cannot write (a full disk) cannot persist its outcome, and must still show.
   */
  lastRun: SyncRunSummary | undefined;
}

/**
 * Owns the one lead sync a process may run at a time: the schedule, the admin API and the CLI
 * all start runs here, and a second start while one runs is refused (409). With several
 * replicas a shared lock (PostgreSQL advisory lock or Redis) replaces the in-process flag.
 */
export class SyncRunner {
  private current:
    { trigger: SyncTrigger; controller: AbortController; done: Promise<SyncReport> } | undefined;
  private progress: SyncProgress | undefined;
  private lastRun: SyncRunSummary | undefined;

  constructor(
    private readonly deps: SyncDeps,
    private readonly options: Omit<SyncOptions, 'signal' | 'onProgress'>,
    private readonly onProgress?: (progress: SyncProgress) => void,
  ) {}

  get running(): boolean {
    return this.current !== undefined;
  }

  /**
   * Starts a run; throws SYNC_RUNNING (409) when one is under way. `full`: copy every lead
   * again even when the copy is current (a full re-sync).
   */
  start(
    trigger: SyncTrigger,
    run: { full?: boolean } = {},
  ): { runId: string; done: Promise<SyncReport> } {
    if (this.current) throw new ConflictError('SYNC_RUNNING', 'A lead sync is already running');
    const controller = new AbortController();
    let runId = '';
    const done = runLeadSync(this.deps, {
      ...this.options,
      ...(run.full === true ? { full: true } : {}),
      signal: controller.signal,
      onProgress: (p) => {
        runId = p.runId;
        this.progress = p;
        this.onProgress?.(p);
      },
    })
      .then((report) => {
        const { progress: _progress, ...summary } = report;
        this.lastRun = summary;
        return report;
      })
      .finally(() => {
        this.current = undefined;
      });
    this.current = { trigger, controller, done };
    return { runId: runId || (this.progress?.runId ?? ''), done };
  }

  status(): SyncStatus {
    return {
      state: this.current ? 'running' : 'idle',
      trigger: this.current?.trigger,
      progress: this.current ? this.progress : undefined,
      lastRun: this.lastRun,
    };
  }

  /** Resolves when the run in hand (if any) has ended, however it ended. */
  async settled(): Promise<void> {
    await this.current?.done.catch(() => undefined);
  }

  /** Asks the run in hand to stop after checkpointing its page, and waits for it. */
  async stop(): Promise<void> {
    const current = this.current;
    if (!current) return;
    current.controller.abort();
    await current.done.catch(() => undefined);
  }
}
