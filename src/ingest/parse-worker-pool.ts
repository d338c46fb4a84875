/**
 * Warm parse workers. Starting a worker thread and loading pdf.js into it costs ~0.3–0.5 s of CPU, which
 * used to be paid by every upload before its first page was read (and again by each extra worker of a long
 * document). The pool keeps a few threads with pdf.js already loaded, waiting for a job.
 *
 * Each thread still parses exactly one document and is terminated afterwards (see parse-worker.mjs): a
 * hostile PDF can never leave state behind for the next one. The pool is refilled after a document is
 * done, not while it is being read, so refilling does not slow that document down (it may still overlap
 * another upload's parse).
 */
import { Worker } from 'node:worker_threads';

const WORKER_URL = new URL('./parse-worker.mjs', import.meta.url);

// pdf.js also allocates outside the V8 heap (decoded streams live in ArrayBuffers, which resourceLimits does
// not count); the young generation is kept small so the old-generation bound is the one that matters.
// Measured on a 1,500-page document with two workers: peak RSS 407 MB at 32 MB, 371 MB at 16 MB,
// 342 MB at 8 MB, with no measurable change in speed.
const YOUNG_GENERATION_MB = 16;

/**
 * Start a parse worker thread with the memory bound `maxMemoryMb`; it loads pdf.js (and, as a spare, reads
 * a small built-in document to warm pdf.js up) and waits for a job.
 */
function spawnParseWorker(maxMemoryMb: number, spare: boolean): Worker {
  const worker = new Worker(WORKER_URL, {
    workerData: { warmUp: spare },
    // The worker is plain JavaScript: inheriting the parent's `--import tsx` would load a TypeScript
    // loader into every parse thread for nothing.
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    stdout: true, // swallow pdf.js console noise rather than interleave it with the server's logs
    stderr: true,
  });
  // A spare's output is drained only once it is handed out: a flowing stdio stream would keep the process
  // alive (and a spare writes nothing while it waits).
  if (!spare) drainOutput(worker);
  return worker;
}

function drainOutput(worker: Worker): void {
  worker.stdout.resume();
  worker.stderr.resume();
}

interface Spare {
  worker: Worker;
  maxMemoryMb: number;
  /** Settles when the thread has loaded pdf.js and read the warm-up document (or died trying). */
  ready: Promise<void>;
  isReady: boolean;
  /** Removes the listeners that drop the spare from the pool if it dies while idle. */
  detach: () => void;
}

export interface ParseWorkerPoolStats {
  /** Threads kept for the next documents, and how many of them have finished warming up. */
  spares: number;
  readySpares: number;
  /** Workers handed out warm / started cold since the process started. */
  warmStarts: number;
  coldStarts: number;
}

export class ParseWorkerPool {
  #spares: Spare[] = [];
  #target = 0;
  #maxMemoryMb = 0;
  #warmStarts = 0;
  #coldStarts = 0;

  /** Keep `count` threads warm for documents parsed with the heap bound `maxMemoryMb` (0 = none). */
  keepWarm(count: number, maxMemoryMb: number): void {
    this.#target = Math.max(0, count);
    if (maxMemoryMb !== this.#maxMemoryMb) {
      // Spares built for another bound cannot be handed out any more.
      for (const spare of this.#spares.splice(0)) this.#retire(spare);
      this.#maxMemoryMb = maxMemoryMb;
    }
    this.refill();
  }

  /**
   * A worker for one job: a warm spare built for this memory bound (one that has finished warming up first;
   * one still warming up is further along than a new thread), else a new thread.
   */
  acquire(maxMemoryMb: number): Worker {
    const fits = (spare: Spare) => spare.maxMemoryMb === maxMemoryMb;
    let index = this.#spares.findIndex((spare) => fits(spare) && spare.isReady);
    if (index < 0) index = this.#spares.findIndex(fits);
    if (index >= 0) {
      const [spare] = this.#spares.splice(index, 1);
      spare!.detach();
      spare!.worker.ref();
      drainOutput(spare!.worker);
      this.#warmStarts++;
      return spare!.worker;
    }
    this.#coldStarts++;
    return spawnParseWorker(maxMemoryMb, false);
  }

  /**
   * Top the pool back up to its target (called when a document is done). One thread warms up at a time (the
   * next starts when it is ready), so refilling takes at most one core away from whatever else is running.
   */
  refill(): void {
    if (this.#spares.length < this.#target && this.#spares.every((spare) => spare.isReady))
      this.#spares.push(this.#spawnSpare());
  }

  stats(): ParseWorkerPoolStats {
    return {
      spares: this.#spares.length,
      readySpares: this.#spares.filter((spare) => spare.isReady).length,
      warmStarts: this.#warmStarts,
      coldStarts: this.#coldStarts,
    };
  }

  /** Resolves once the pool is full and warm, or cannot fill further (benchmarks and tests wait for it). */
  async whenWarm(): Promise<void> {
    for (;;) {
      const warming = this.#spares.filter((spare) => !spare.isReady);
      if (warming.length === 0) return;
      await Promise.all(warming.map((spare) => spare.ready));
    }
  }

  /**
   * Terminate the spares and stop refilling (server shutdown; keepWarm() starts again). Workers in use finish their
   * job.
   */
  async close(): Promise<void> {
    this.#target = 0;
    await Promise.all(this.#spares.splice(0).map((spare) => this.#retire(spare)));
  }

  #spawnSpare(): Spare {
    const worker = spawnParseWorker(this.#maxMemoryMb, true);
    const drop = () => {
      const index = this.#spares.indexOf(spare);
      if (index >= 0) this.#spares.splice(index, 1);
    };
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    // A spare that fails to load pdf.js reports it as a message; it is dropped (and the job that would have
    // got it starts a cold worker, which reports the same failure to its caller).
    const onMessage = (msg: { type?: string }) => {
      if (msg?.type === 'ready') {
        spare.isReady = true;
        this.refill();
      } else if (msg?.type === 'error') {
        drop();
        void worker.terminate();
      }
      markReady();
    };
    const onGone = () => {
      drop();
      markReady();
    };
    worker.on('message', onMessage);
    worker.on('error', onGone);
    worker.on('exit', onGone);
    // An idle spare must never keep the process alive (after the listeners: adding one refs the worker again).
    worker.unref();
    const spare: Spare = {
      worker,
      maxMemoryMb: this.#maxMemoryMb,
      ready,
      isReady: false,
      detach: () => {
        worker.off('message', onMessage);
        worker.off('error', onGone);
        worker.off('exit', onGone);
        markReady();
      },
    };
    return spare;
  }

  #retire(spare: Spare): Promise<number> {
    spare.detach();
    return spare.worker.terminate();
  }
}

/** The process's pool (worker threads are a per-process resource). Empty until keepWarm() is called. */
export const parseWorkerPool = new ParseWorkerPool();
