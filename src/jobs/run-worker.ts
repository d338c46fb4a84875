/**
 * The run worker of one process: claims runnable sessions from the database (FOR UPDATE SKIP LOCKED), runs
 * up to RUN_CONCURRENCY of them, keeps their leases alive with a heartbeat that also picks up stop requests,
 * and on shutdown aborts them and releases their leases so another process resumes them at once.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../app-context.js';
import { claimNextRun, heartbeatRun, releaseRun, type ClaimedRun } from '../db/queries/runs.js';
import { withDbRetry } from '../db/retry.js';
import type { Session } from '../db/queries/sessions.js';
import type { CreateEngine } from '../analysis/create-engine.js';
import { executeRun, type AbortReason } from './execute-run.js';
import { runMetrics } from '../metrics.js';

// How often an idle worker looks for work. New work in this process wakes it at once (wake()); work queued by
// another process or freed by a dead one is found within this interval.
const POLL_INTERVAL_MS = 1_000;
// Heartbeat: extends the lease and picks up stop requests made through any process. Once a second keeps a
// stop under 2 s end to end; the lease (LEASE_MS, default 20 s) is many heartbeats long, so a slow database
// round trip never loses it.
const HEARTBEAT_INTERVAL_MS = 1_000;

interface RunningRun {
  sessionId: string;
  attempt: number;
  controller: AbortController;
  reason: AbortReason | null;
  done: Promise<void>;
}

export interface RunWorkerOptions {
  ctx: AppContext;
  createEngine: CreateEngine;
  log: FastifyBaseLogger;
  onFinished?: (session: Session) => void;
  /** The claim query (tests wrap it to hold a claim in flight at a chosen moment). */
  claimRun?: typeof claimNextRun;
}

export class RunWorker {
  private readonly running = new Map<string, RunningRun>();
  private stopped = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** The claim loop in progress, if any: stop() waits for it so no claim escapes the stop. */
  private filling: Promise<void> | null = null;
  private wakeRequested = false;

  constructor(private readonly options: RunWorkerOptions) {}

  start(): void {
    const schedule = () => {
      if (this.stopped) return;
      this.pollTimer = setTimeout(() => {
        void this.fill().finally(schedule);
      }, POLL_INTERVAL_MS);
    };
    schedule();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), HEARTBEAT_INTERVAL_MS);
    void this.fill();
  }

  /** New work was queued in this process: look now instead of at the next poll. */
  wake(): void {
    void this.fill();
  }

  /** Abort a run this process is executing (user stop). Returns false if it is not running here. */
  abortLocal(sessionId: string, reason: AbortReason): boolean {
    const r = this.running.get(sessionId);
    if (!r) return false;
    if (!r.reason) r.reason = reason;
    r.controller.abort(new Error(`run ${reason}`));
    return true;
  }

  get activeCount(): number {
    return this.running.size;
  }

  private fill(): Promise<void> {
    if (this.filling) {
      this.wakeRequested = true;
      return this.filling;
    }
    this.filling = this.claimWhileRoom().finally(() => {
      this.filling = null;
    });
    return this.filling;
  }

  private async claimWhileRoom(): Promise<void> {
    const claim = this.options.claimRun ?? claimNextRun;
    try {
      do {
        this.wakeRequested = false;
        while (!this.stopped && this.running.size < this.options.ctx.config.runs.concurrency) {
          // Never our own runs: after a database outage longer than the lease they look expired, but they are alive
          // here.
          const claimed = await claim(
            this.options.ctx.db,
            this.options.ctx.instanceId,
            this.options.ctx.config.runs.leaseMs,
            [...this.running.keys()],
          );
          if (!claimed) break;
          if (this.stopped) {
            // Claimed while stop() was under way: hand it straight back rather than start it after the stop.
            await this.releaseUnstarted(claimed);
            break;
          }
          if (claimed.attempt > 1) runMetrics.leaseTakeovers.inc();
          this.launch(claimed);
        }
      } while (this.wakeRequested && !this.stopped);
    } catch (err) {
      this.options.log.warn({ err }, 'could not claim runs (database unavailable?)');
    }
  }

  /** Release a run claimed but never started: not a failed attempt, and another process may claim it at once. */
  private async releaseUnstarted(claimed: ClaimedRun): Promise<void> {
    try {
      await withDbRetry(() => releaseRun(this.options.ctx.db, claimed.id, claimed.attempt));
      this.options.log.info(
        { sessionId: claimed.id, attempt: claimed.attempt },
        'released a run claimed during shutdown',
      );
    } catch (err) {
      // Its lease expires after LEASE_MS and another process takes it over then.
      this.options.log.warn({ err, sessionId: claimed.id }, 'could not release a run claimed during shutdown');
    }
  }

  private launch(claimed: ClaimedRun): void {
    const controller = new AbortController();
    const entry: RunningRun = {
      sessionId: claimed.id,
      attempt: claimed.attempt,
      controller,
      reason: null,
      done: Promise.resolve(),
    };
    this.running.set(claimed.id, entry);
    const log = this.options.log.child({ sessionId: claimed.id, attempt: claimed.attempt });
    log.info({ engine: claimed.engine }, 'run claimed');
    const endTimer = runMetrics.runDuration.startTimer({ engine: claimed.engine });
    entry.done = executeRun(
      {
        ctx: this.options.ctx,
        createEngine: this.options.createEngine,
        log,
        signal: controller.signal,
        abortReason: () => entry.reason,
        onFinished: (s) => {
          runMetrics.runsFinished.inc({ status: s.status, engine: s.engine });
          this.options.onFinished?.(s);
        },
      },
      claimed,
    )
      .catch((err: unknown) => log.error({ err }, 'run crashed'))
      .finally(() => {
        endTimer();
        // Only our own entry: a newer attempt of the same session may have been launched here meanwhile.
        if (this.running.get(claimed.id) === entry) this.running.delete(claimed.id);
        if (!this.stopped) void this.fill();
      });
  }

  private async heartbeat(): Promise<void> {
    for (const r of [...this.running.values()]) {
      if (r.reason) continue;
      try {
        const hb = await heartbeatRun(
          this.options.ctx.db,
          r.sessionId,
          r.attempt,
          this.options.ctx.config.runs.leaseMs,
        );
        if (!hb) this.abortLocal(r.sessionId, 'lease-lost');
        else if (hb.stopRequested) this.abortLocal(r.sessionId, 'user');
      } catch (err) {
        // Database down: keep working; checkpoints wait for it, and the lease is renewed once it is back.
        this.options.log.warn({ err, sessionId: r.sessionId }, 'heartbeat failed');
      }
    }
  }

  /**
   * Stop claiming (a claim in flight is released, not started); abort running attempts and release their
   * leases — a shutdown is never counted as a failed attempt; resolve when they have wound down.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    // A claim in flight completes first; whatever it claimed is released, not started (claimWhileRoom).
    await this.filling;
    const runs = [...this.running.values()];
    for (const r of runs) this.abortLocal(r.sessionId, 'shutdown');
    await Promise.all(runs.map((r) => r.done));
  }
}
