/**
 * The process-wide pool of analysis threads (see analysis-worker.ts). Bounded: at most `size` threads at once;
 * further jobs wait in a queue. Runs may take all threads but one, so a preflight estimate never waits behind
 * long analyses. Threads are started on demand (and one is kept warm after start()), reused job after job,
 * and ended after a while idle. A thread that dies fails only its own job, with an error the run worker
 * retries like any failed attempt.
 *
 * start()/stop() are the lifecycle hooks (services.ts); stop() ends idle threads at once and busy ones as
 * soon as their job is done — jobs of another app instance in the same process (tests) are not cut short.
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../worker-entry.js';
import { AppError } from '../errors.js';
import type { Checkpoint, Estimate, ProgressEventInput, RunAnalysisOutcome } from '../analysis/types.js';
import type { AnalysisEngine, WorkUnit } from '../analysis/engine.js';
import { deserializeError, serializeError, type FromWorker, type ToWorker } from './protocol.js';

// A thread unused this long is ended (each holds ~60 MB with the TypeScript loader and the analysis code).
const IDLE_THREAD_TTL_MS = 60_000;
// After a stop request the job gets this long to come back with its partial result (the worker notices the
// abort between units); then its thread is ended and the attempt ends as stopped, within the 2 s promise.
export const ABORT_GRACE_MS = 1_500;

/** What a job does on the main thread when its worker asks (the run's callbacks and llm calls). */
interface JobHooks {
  onEvent?: (event: ProgressEventInput) => Promise<void> | void;
  onCheckpoint?: (checkpoint: Checkpoint) => Promise<void> | void;
  answerUnit?: (unit: WorkUnit, guardrails: string) => ReturnType<AnalysisEngine['answerUnit']>;
}

interface Job {
  id: number;
  kind: 'run' | 'estimate';
  message: ToWorker;
  hooks: JobHooks;
  signal?: AbortSignal;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  /**
   * Durable main-thread work started for the worker (an event or checkpoint being stored): settled before a failed
   * job is rejected. (Not llm calls: their answers could no longer be used.)
   */
  inFlight: Set<Promise<unknown>>;
  /** Errors main-thread callbacks threw, by call: a job failing with one rejects with the original object. */
  callbackErrors: Map<number, unknown>;
}

interface Thread {
  worker: Worker;
  job: Job | null;
  idleTimer: NodeJS.Timeout | null;
  /** Ended (or ending): never handed a job again. */
  retired: boolean;
}

export interface AnalysisPoolStats {
  threads: number;
  busy: number;
  queued: number;
  started: number;
  crashed: number;
}

export class AnalysisWorkerPool {
  #size = 2;
  #keepWarm = 0;
  #threads = new Set<Thread>();
  #queue: Job[] = [];
  #nextJobId = 1;
  #started = 0;
  #crashed = 0;

  /** Allow up to `size` threads (≥ 1) and keep one warm for the next job. */
  start(size: number): void {
    this.#size = Math.max(1, size);
    this.#keepWarm = 1;
    if (this.#threads.size === 0) this.#park(this.#spawn());
  }

  /** End idle threads now and busy ones once their job is done; later jobs start threads on demand again. */
  async stop(): Promise<void> {
    this.#keepWarm = 0;
    const idle = [...this.#threads].filter((t) => t.job === null);
    await Promise.all(idle.map((t) => this.#retire(t)));
  }

  stats(): AnalysisPoolStats {
    const threads = [...this.#threads].filter((t) => !t.retired);
    return {
      threads: threads.length,
      busy: threads.filter((t) => t.job).length,
      queued: this.#queue.length,
      started: this.#started,
      crashed: this.#crashed,
    };
  }

  /** The workers running a job of this kind now (tests end one to prove a crash is survived). */
  busyWorkers(kind: 'run' | 'estimate'): Worker[] {
    return [...this.#threads].filter((t) => t.job?.kind === kind).map((t) => t.worker);
  }

  runJob(
    kind: 'run',
    message: Omit<Extract<ToWorker, { type: 'run' }>, 'jobId'>,
    hooks: JobHooks,
    signal?: AbortSignal,
  ): Promise<RunAnalysisOutcome>;
  runJob(
    kind: 'estimate',
    message: Omit<Extract<ToWorker, { type: 'estimate' }>, 'jobId'>,
    hooks: JobHooks,
  ): Promise<Estimate>;
  runJob(kind: Job['kind'], message: Omit<ToWorker, 'jobId'>, hooks: JobHooks, signal?: AbortSignal): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = this.#nextJobId++;
      const job: Job = {
        id,
        kind,
        message: { ...message, jobId: id } as ToWorker,
        hooks,
        signal,
        resolve,
        reject,
        inFlight: new Set(),
        callbackErrors: new Map(),
      };
      this.#queue.push(job);
      this.#dispatch();
    });
  }

  #dispatch(): void {
    for (let i = 0; i < this.#queue.length;) {
      const job = this.#queue[i]!;
      if (job.signal?.aborted) {
        this.#queue.splice(i, 1);
        job.reject(new AppError('RUN_ABORTED', 'The analysis was stopped before it started.'));
        continue;
      }
      const live = [...this.#threads].filter((t) => !t.retired);
      const busyRuns = live.filter((t) => t.job?.kind === 'run').length;
      // Runs leave one thread for estimates (a preflight must not wait minutes behind long analyses).
      if (job.kind === 'run' && this.#size > 1 && busyRuns >= this.#size - 1) {
        i++;
        continue;
      }
      let thread = live.find((t) => t.job === null);
      if (!thread && live.length < this.#size) thread = this.#spawn();
      if (!thread) return;
      this.#queue.splice(i, 1);
      this.#assign(thread, job);
    }
  }

  #spawn(): Thread {
    // execArgv []: nothing of the parent's command line (its loaders, --cpu-prof) applies to the thread.
    // analysis-worker.js beside compiled code, analysis-worker.ts (with tsx in the thread) from the sources.
    const worker = startWorkerThread(import.meta.url, './analysis-worker', { execArgv: [] });
    this.#started++;
    const thread: Thread = { worker, job: null, idleTimer: null, retired: false };
    this.#threads.add(thread);
    worker.on('message', (msg: FromWorker) => this.#onMessage(thread, msg));
    worker.on('error', (err) => this.#onGone(thread, err));
    worker.on('exit', (code) => this.#onGone(thread, new Error(`exit code ${code}`)));
    return thread;
  }

  #assign(thread: Thread, job: Job): void {
    if (thread.idleTimer) clearTimeout(thread.idleTimer);
    thread.idleTimer = null;
    thread.job = job;
    thread.worker.ref();
    thread.worker.postMessage(job.message);
    if (job.signal) {
      const onAbort = () => {
        if (thread.job !== job) return;
        thread.worker.postMessage({ type: 'abort', jobId: job.id } satisfies ToWorker);
        // The worker notices between units; a thread stuck in one long step is ended instead.
        const timer = setTimeout(() => {
          if (thread.job === job) this.#failJob(thread, new AppError('RUN_ABORTED', 'The analysis was stopped.'));
        }, ABORT_GRACE_MS);
        timer.unref();
      };
      if (job.signal.aborted) onAbort();
      else job.signal.addEventListener('abort', onAbort, { once: true });
    }
  }

  /** An idle thread waits for the next job without keeping the process alive, and ends after a while. */
  #park(thread: Thread): void {
    thread.job = null;
    thread.worker.unref();
    thread.idleTimer = setTimeout(() => {
      const idle = [...this.#threads].filter((t) => !t.retired && t.job === null);
      if (thread.job === null && idle.length > this.#keepWarm) void this.#retire(thread);
    }, IDLE_THREAD_TTL_MS);
    thread.idleTimer.unref();
  }

  #onMessage(thread: Thread, msg: FromWorker): void {
    if (msg.type === 'ready') return;
    const job = thread.job;
    if (!job || job.id !== msg.jobId) return; // a late message of a job that already ended
    switch (msg.type) {
      case 'done':
      case 'failed': {
        const settle = () => {
          if (msg.type === 'done') {
            job.resolve(msg.outcome);
          } else {
            const origin = msg.error.originCallId;
            job.reject(
              origin !== undefined && job.callbackErrors.has(origin)
                ? (job.callbackErrors.get(origin) as Error)
                : deserializeError(msg.error),
            );
          }
        };
        this.#finish(thread, job);
        settle();
        break;
      }
      case 'event':
        this.#serve(thread, job, msg.callId, true, async () => job.hooks.onEvent?.(msg.event));
        break;
      case 'checkpoint':
        this.#serve(thread, job, msg.callId, true, async () => job.hooks.onCheckpoint?.(msg.checkpoint));
        break;
      case 'answer-unit':
        this.#serve(thread, job, msg.callId, false, async () => {
          if (!job.hooks.answerUnit) throw new AppError('INTERNAL', 'This job cannot answer units on the main thread.');
          return job.hooks.answerUnit(msg.unit, msg.guardrails);
        });
        break;
    }
  }

  /** Do what the worker asked on this thread and send it the outcome (if the job is still on it). */
  #serve(thread: Thread, job: Job, callId: number, durable: boolean, work: () => Promise<unknown>): void {
    const p = work().then(
      (value) => {
        if (thread.job === job)
          thread.worker.postMessage({ type: 'reply', jobId: job.id, callId, value } satisfies ToWorker);
      },
      (err: unknown) => {
        job.callbackErrors.set(callId, err);
        if (thread.job === job)
          thread.worker.postMessage({
            type: 'reply',
            jobId: job.id,
            callId,
            error: serializeError(err, callId),
          } satisfies ToWorker);
      },
    );
    if (!durable) return;
    job.inFlight.add(p);
    void p.finally(() => job.inFlight.delete(p));
  }

  #finish(thread: Thread, job: Job): void {
    if (thread.job !== job) return;
    if (this.#keepWarm === 0 && this.#queue.length === 0) {
      thread.job = null;
      void this.#retire(thread);
    } else {
      this.#park(thread);
    }
    this.#dispatch();
  }

  /**
   * End the job with an error: its thread is ended (its state is unknown); main-thread work it started is let finish
   * first.
   */
  #failJob(thread: Thread, err: Error): void {
    const job = thread.job;
    if (!job) return;
    thread.job = null;
    void this.#retire(thread);
    void Promise.allSettled([...job.inFlight]).then(() => job.reject(err));
    this.#dispatch();
  }

  #onGone(thread: Thread, cause: Error): void {
    const wasRetired = thread.retired;
    thread.retired = true;
    this.#threads.delete(thread);
    if (thread.idleTimer) clearTimeout(thread.idleTimer);
    if (thread.job) {
      if (!wasRetired) this.#crashed++;
      const job = thread.job;
      thread.job = null;
      void Promise.allSettled([...job.inFlight]).then(() =>
        job.reject(
          new AppError('INTERNAL', 'The analysis thread stopped unexpectedly; the attempt will be retried.', { cause }),
        ),
      );
    }
    this.#dispatch();
  }

  async #retire(thread: Thread): Promise<void> {
    if (thread.retired) return;
    thread.retired = true;
    if (thread.idleTimer) clearTimeout(thread.idleTimer);
    this.#threads.delete(thread);
    await thread.worker.terminate();
  }
}

/** The process's pool (threads are a per-process resource). */
export const analysisWorkerPool = new AnalysisWorkerPool();
