/**
 * Messages between the analysis pool (main thread) and an analysis worker thread. Everything crossing is
 * structured-cloned: plain data only (no functions, no class instances — errors travel as SerializedError).
 */
import type { Config } from '../config.js';
import { AppError, ERROR_CATALOGUE, type ErrorCode } from '../errors.js';
import type { CandidateAnswer, WorkUnit } from '../analysis/engine.js';
import type { IngestedPage } from '../ingest/types.js';
import type { RunInput } from '../questions/types.js';
import type {
  Checkpoint,
  EngineName,
  Estimate,
  ProgressEventInput,
  QuestionAnswer,
  RunAnalysisOutcome,
  Usage,
} from '../analysis/types.js';

/** What the worker needs to build engines (the llm engine plans and estimates there; it answers on the main thread). */
export type EngineSettings = Pick<Config, 'analysis'>;

/** RunAnalysisOptions without the parts that cannot cross a thread boundary (signal, callbacks, Set/Map inputs). */
export interface RunJobOptions {
  documentName: string;
  pages: IngestedPage[];
  input: RunInput;
  engine: EngineName;
  thorough?: boolean;
  completedUnits: string[];
  priorAnswers: Array<[string, QuestionAnswer]>;
  priorUsage?: Usage;
  maxCostUsd?: number | null;
  startedAt?: Date;
  unitConcurrency?: number;
}

export interface EstimateJobArgs {
  pages: IngestedPage[];
  input: RunInput;
  engine: EngineName;
  thorough?: boolean;
}

export type ToWorker =
  | { type: 'run'; jobId: number; settings: EngineSettings; options: RunJobOptions }
  | { type: 'estimate'; jobId: number; settings: EngineSettings; args: EstimateJobArgs }
  | { type: 'abort'; jobId: number }
  | { type: 'reply'; jobId: number; callId: number; value?: unknown; error?: SerializedError };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'event'; jobId: number; callId: number; event: ProgressEventInput }
  | { type: 'checkpoint'; jobId: number; callId: number; checkpoint: Checkpoint }
  | { type: 'answer-unit'; jobId: number; callId: number; engine: EngineName; unit: WorkUnit; guardrails: string }
  | { type: 'done'; jobId: number; outcome: RunAnalysisOutcome | Estimate }
  | { type: 'failed'; jobId: number; error: SerializedError };

export type AnswerUnitResult = { answers: CandidateAnswer[]; usage: Usage };

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  details?: unknown;
  stack?: string;
  /**
   * Set when the error was thrown on the main thread by a callback the worker called (a checkpoint that lost its
   * lease...): the pool rethrows that very object, so `instanceof` checks keep working for the caller.
   */
  originCallId?: number;
}

/** The main-thread call an error came from, if it came from one. */
const ORIGIN = Symbol('originCallId');

export function serializeError(err: unknown, originCallId?: number): SerializedError {
  const origin = originCallId ?? ((err as { [ORIGIN]?: number } | null)?.[ORIGIN] as number | undefined);
  const base = origin === undefined ? {} : { originCallId: origin };
  if (err instanceof AppError)
    return {
      ...base,
      name: err.name,
      message: err.message,
      code: err.code,
      details: safeClone(err.details),
      stack: err.stack,
    };
  if (err instanceof Error) return { ...base, name: err.name, message: err.message, stack: err.stack };
  return { ...base, name: 'Error', message: String(err) };
}

/** Rebuilds an AppError with its code and details (so retry policy and billing of failed units work across threads). */
export function deserializeError(e: SerializedError): Error {
  let err: Error;
  if (e.code !== undefined && e.code in ERROR_CATALOGUE) {
    err = new AppError(e.code as ErrorCode, e.message, { details: e.details });
  } else {
    err = new Error(e.message);
    err.name = e.name;
  }
  if (e.stack) err.stack = e.stack;
  if (e.originCallId !== undefined) (err as Error & { [ORIGIN]?: number })[ORIGIN] = e.originCallId;
  return err;
}

function safeClone(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return undefined;
  }
}
