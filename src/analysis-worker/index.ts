/**
 * `runAnalysis` and `estimateRun` with the same contracts as src/analysis, computed in the analysis pool's
 * threads: callbacks are awaited on the calling thread (checkpoints stay durable before the run goes on), the
 * abort signal is forwarded (a stopped run comes back partial, with its answers), and the llm engine's calls
 * are made here through `deps.createEngine` (the process-wide LLM concurrency limit). With `threads: 0` they
 * run on the calling thread, exactly as before (CLI, debugging).
 */
import { estimateRun, runAnalysis, type EstimateRunArgs } from '../analysis/index.js';
import type { AnalysisEngine } from '../analysis/engine.js';
import type { EngineName, Estimate, RunAnalysisOptions, RunAnalysisOutcome } from '../analysis/types.js';
import { AppError } from '../errors.js';
import { analysisWorkerPool } from './analysis-pool.js';
import type { EngineSettings } from './protocol.js';

export { analysisWorkerPool, AnalysisWorkerPool, ABORT_GRACE_MS, type AnalysisPoolStats } from './analysis-pool.js';
export type { EngineSettings } from './protocol.js';

export interface OffThreadDeps {
  /** Engine configuration for the thread (it builds its own engines from it). */
  settings: EngineSettings;
  /** Builds the engine whose network calls run on this thread (llm), and the in-thread engines when threads = 0. */
  createEngine: (name: EngineName) => AnalysisEngine;
  /** 0 = run on the calling thread. */
  threads: number;
  unitConcurrency?: number;
}

/**
 * Paid llm answers not yet checkpointed, per run, at most LLM_CONCURRENCY: a unit's call starts only once earlier
 * answers are stored. In-thread, a finished unit's checkpoint starts at once while the next call starts; through a
 * thread it is two messages later, so without this gate a crash could lose (and pay twice for) more finished
 * units than calls in flight. With it, a crash re-asks at most the calls that were in flight.
 */
// A call waits at most this long for earlier answers to be stored (normally milliseconds); then it goes ahead, so a
// checkpoint that never comes (a bug in the pipeline) can delay a run but never hang it.
const GATE_MAX_WAIT_MS = 30_000;

class UncommittedAnswerGate {
  #held = 0;
  #waiters: Array<{ grant: () => void; refuse: (err: Error) => void }> = [];
  #closed: Error | null = null;

  constructor(private readonly limit: number) {}

  acquire(signal: AbortSignal | undefined): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (signal?.aborted) return Promise.reject(new AppError('RUN_ABORTED', 'The analysis was stopped.'));
    if (this.#held < this.limit) {
      this.#held++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
      };
      const waiter = {
        grant: () => {
          settle();
          resolve();
        },
        refuse: (err: Error) => {
          settle();
          reject(err);
        },
      };
      const onAbort = () => waiter.refuse(new AppError('RUN_ABORTED', 'The analysis was stopped.'));
      // Going ahead without a slot: held may exceed the limit until the late checkpoints arrive.
      const timer = setTimeout(() => {
        this.#held++;
        waiter.grant();
      }, GATE_MAX_WAIT_MS);
      timer.unref();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next.grant();
    else this.#held = Math.max(0, this.#held - 1);
  }

  /** The run is over: nobody waits any longer. */
  close(): void {
    this.#closed = new AppError('RUN_ABORTED', 'The analysis ended.');
    for (const w of this.#waiters.splice(0)) w.refuse(this.#closed);
  }
}

export async function runAnalysisOffThread(
  options: RunAnalysisOptions,
  deps: OffThreadDeps,
): Promise<RunAnalysisOutcome> {
  if (deps.threads === 0)
    return runAnalysis(options, { createEngine: deps.createEngine, unitConcurrency: deps.unitConcurrency });
  let mainEngine: AnalysisEngine | null = null;
  const gate = new UncommittedAnswerGate(Math.max(1, deps.settings.analysis.llm.concurrency));
  const awaitingCheckpoint = new Set<string>();
  try {
    return await analysisWorkerPool.runJob(
      'run',
      {
        type: 'run',
        settings: { analysis: deps.settings.analysis },
        options: {
          documentName: options.documentName,
          pages: options.pages,
          input: options.input,
          engine: options.engine,
          thorough: options.thorough,
          completedUnits: [...(options.completedUnits ?? [])],
          priorAnswers: [...(options.priorAnswers ?? [])],
          priorUsage: options.priorUsage,
          maxCostUsd: options.maxCostUsd,
          startedAt: options.startedAt,
          unitConcurrency: deps.unitConcurrency,
        },
      },
      {
        onEvent: options.onEvent,
        onCheckpoint: async (checkpoint) => {
          try {
            await options.onCheckpoint?.(checkpoint);
          } finally {
            if (awaitingCheckpoint.delete(checkpoint.unitKey)) gate.release();
          }
        },
        answerUnit: async (unit, guardrails) => {
          mainEngine ??= deps.createEngine(options.engine);
          await gate.acquire(options.signal);
          let answered = false;
          try {
            const out = await mainEngine.answerUnit(unit, { guardrails, signal: options.signal });
            answered = true;
            awaitingCheckpoint.add(unit.key);
            return out;
          } finally {
            if (!answered) gate.release();
          }
        },
      },
      options.signal,
    );
  } finally {
    gate.close();
  }
}

export async function estimateRunOffThread(
  args: EstimateRunArgs,
  deps: Omit<OffThreadDeps, 'unitConcurrency'>,
): Promise<Estimate> {
  if (deps.threads === 0) return estimateRun(args, { createEngine: deps.createEngine });
  return analysisWorkerPool.runJob(
    'estimate',
    { type: 'estimate', settings: { analysis: deps.settings.analysis }, args },
    {},
  );
}
