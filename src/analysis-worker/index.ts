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

export async function runAnalysisOffThread(options: RunAnalysisOptions, deps: OffThreadDeps): Promise<RunAnalysisOutcome> {
  if (deps.threads === 0) return runAnalysis(options, { createEngine: deps.createEngine, unitConcurrency: deps.unitConcurrency });
  let mainEngine: AnalysisEngine | null = null;
  return analysisWorkerPool.runJob(
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
      onCheckpoint: options.onCheckpoint,
      answerUnit: (unit, guardrails) => {
        mainEngine ??= deps.createEngine(options.engine);
        return mainEngine.answerUnit(unit, { guardrails, signal: options.signal });
      },
    },
    options.signal,
  );
}

export async function estimateRunOffThread(args: EstimateRunArgs, deps: Omit<OffThreadDeps, 'unitConcurrency'>): Promise<Estimate> {
  if (deps.threads === 0) return estimateRun(args, { createEngine: deps.createEngine });
  return analysisWorkerPool.runJob('estimate', { type: 'estimate', settings: { analysis: deps.settings.analysis }, args }, {});
}
