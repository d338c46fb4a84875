/**
 * The run worker of one process: claims runnable sessions from the database (FOR UPDATE SKIP LOCKED), runs
 * up to RUN_CONCURRENCY of them, keeps their leases alive with a heartbeat that also picks up stop requests,
 * and on shutdown aborts them and releases their leases so another process resumes them at once.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../app-context.js';
import { claimNextRun, heartbeatRun } from '../db/queries/runs.js';
import type { Session } from '../db/queries/sessions.js';
import type { AnalysisEngine } from '../analysis/engine.js';
import type { EngineName } from '../analysis/types.js';
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
  createEngine: (name: EngineName) => AnalysisEngine;
  log: FastifyBaseLogger;
  onFinished?: (session: Session) => void;
}

export class RunWorker {
  private readonly running = new Map<string, RunningRun>();
  private stopped = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private claiming = false;
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

  private async fill(): Promise<void> {
    if (this.claiming) {
      this.wakeRequested = true;
      return;
    }
    this.claiming = true;
    try {
      do {
        this.wakeRequested = false;
        while (!this.stopped && this.running.size < this.options.ctx.config.runs.concurrency) {
          // Never our own runs: after a database outage longer than the lease they look expired, but they are alive here.
          const claimed = await claimNextRun(this.options.ctx.db, this.options.ctx.instanceId, this.options.ctx.config.runs.leaseMs, [...this.running.keys()]);
          if (!claimed) break;
          if (claimed.attempt > 1) runMetrics.leaseTakeovers.inc();
          this.launch(claimed);
        }
      } while (this.wakeRequested && !this.stopped);
    } catch (err) {
      this.options.log.warn({ err }, 'could not claim runs (database unavailable?)');
    } finally {
      this.claiming = false;
    }
  }

  private launch(claimed: Awaited<ReturnType<typeof claimNextRun>> & object): void {
    const controller = new AbortController();
    const entry: RunningRun = { sessionId: claimed.id, attempt: claimed.attempt, controller, reason: null, done: Promise.resolve() };
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
        const hb = await heartbeatRun(this.options.ctx.db, r.sessionId, r.attempt, this.options.ctx.config.runs.leaseMs);
        if (!hb) this.abortLocal(r.sessionId, 'lease-lost');
        else if (hb.stopRequested) this.abortLocal(r.sessionId, 'user');
      } catch (err) {
        // Database down: keep working; checkpoints wait for it, and the lease is renewed once it is back.
        this.options.log.warn({ err, sessionId: r.sessionId }, 'heartbeat failed');
      }
    }
  }

  /** Stop claiming; abort running attempts and release their leases; resolve when they have wound down. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    const runs = [...this.running.values()];
    for (const r of runs) this.abortLocal(r.sessionId, 'shutdown');
    await Promise.all(runs.map((r) => r.done));
  }
}
