/**
 * One attempt at one run, in whichever process claimed it. Every write is fenced by the attempt; every
 * finished unit of work is checkpointed (answers + usage + checkpoint row in one transaction) before the
 * pipeline goes on, so a resumed attempt skips it and never pays for it twice.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../app-context.js';
import { AppError, isAppError } from '../errors.js';
import { assertFence, LeaseLostError, type Fence } from '../db/fence.js';
import { withDbRetry } from '../db/retry.js';
import { insertCheckpoint } from '../db/queries/checkpoints.js';
import { selectDocumentBytes, selectDocumentPages, updateDocumentPages } from '../db/queries/documents.js';
import { appendEvent, insertEvent } from '../db/queries/events.js';
import type { ClaimedRun } from '../db/queries/runs.js';
import { releaseRun, retryRunLater } from '../db/queries/runs.js';
import {
  addCheckpointToSession,
  addSessionUsage,
  selectQuestionConfig,
  selectSession,
  updateSessionTotalPages,
  type Session,
} from '../db/queries/sessions.js';
import { storeResult } from '../db/queries/results.js';
import { ingestPdf, ingestOptionsFromConfig, type IngestedPage } from '../ingest/index.js';
import { runAnalysisOffThread } from '../analysis-worker/index.js';
import { toLegacyResult } from '../analysis/build-result.js';
import type { CreateEngine } from '../analysis/create-engine.js';
import type { FullResult, ProgressEventInput, QuestionAnswer, Usage } from '../analysis/types.js';
import { buildResultFromAnswers } from '../sessions/load-session-result.js';
import { runMetrics } from '../metrics.js';
import { TERMINAL_EVENTS } from '../web/public/events.js';
import { loadRunScope, type RunScope } from './passes.js';

/** Why the runner aborted an attempt's signal. */
export type AbortReason = 'user' | 'lease-lost' | 'shutdown';

export interface RunContext {
  ctx: AppContext;
  createEngine: CreateEngine;
  log: FastifyBaseLogger;
  signal: AbortSignal;
  abortReason: () => AbortReason | null;
  onFinished?: (session: Session) => void;
}

// Errors that will happen again on every attempt: fail the run at once instead of retrying.
const PERMANENT_CODES = new Set([
  'PDF_INVALID',
  'PDF_ENCRYPTED',
  'PDF_TOO_MANY_PAGES',
  'PDF_NO_TEXT',
  'PDF_TIMEOUT',
  'CONFIG_INVALID',
  'SECTIONS_INVALID',
  'LLM_NOT_CONFIGURED',
  'PDF_NOT_AVAILABLE',
  'ENGINE_UNAVAILABLE',
]);
// Back-off before a failed attempt is retried: 2 s, 4 s, 8 s … capped.
const RETRY_BASE_DELAY_MS = 2_000;
const RETRY_MAX_DELAY_MS = 60_000;

export async function executeRun(run: RunContext, claimed: ClaimedRun): Promise<void> {
  const { ctx, log } = run;
  const fence: Fence = { attempt: claimed.attempt };
  const id = claimed.id;
  const db = ctx.db;
  const retry = <T>(fn: () => Promise<T>) =>
    withDbRetry(fn, { onRetry: (err) => log.warn({ err, sessionId: id }, 'database unavailable; retrying') });

  if (claimed.failedAttempts >= claimed.maxAttempts) {
    await finalizeFailed(
      run,
      claimed,
      fence,
      `Gave up after ${claimed.failedAttempts} failed attempts. Last error: ${claimed.errorMessage ?? 'the worker process stopped unexpectedly'}`,
      'RETRIES_EXHAUSTED',
    );
    return;
  }
  if (claimed.stopRequestedAt) {
    await finalizeStopped(run, claimed, fence);
    return;
  }

  try {
    const config = await retry(() => selectQuestionConfig(db, id));
    if (!config) throw new AppError('CONFIG_INVALID', 'The session has no stored question config.');
    const pages = await retry(() => loadPages(run, claimed, fence));
    // The whole config (pass 1), or a re-run's questions (src/jobs/passes.ts), with what earlier attempts stored.
    const scope = await retry(() => loadRunScope(ctx, claimed, config));
    if (claimed.attempt > 1)
      log.info(
        { sessionId: id, attempt: claimed.attempt, pass: scope.pass, unitsDone: scope.completedUnits.size },
        'resuming run',
      );

    let terminalEvent: ProgressEventInput | null = null;
    // Computed in the analysis pool's threads; the callbacks below still run here, awaited, in order.
    const outcome = await runAnalysisOffThread(
      {
        documentName: claimed.pdfFilename,
        pages,
        input: scope.input,
        engine: claimed.engine,
        thorough: claimed.thorough,
        signal: run.signal,
        completedUnits: scope.completedUnits,
        priorAnswers: scope.priorAnswers,
        priorUsage: scope.priorUsage,
        maxCostUsd: ctx.config.analysis.maxCostUsd,
        startedAt: scope.startedAt,
        onEvent: async (e) => {
          // The terminal event is written with the result, in one transaction: a client that sees it can read the
          // result.
          if (TERMINAL_EVENTS.has(e.event)) {
            terminalEvent = e;
            return;
          }
          if (run.signal.aborted && run.abortReason() !== 'user') return;
          const data = scope.eventData(e);
          if (data) await retry(() => appendEvent(db, id, e.event, { ...data, attempt: claimed.attempt }, fence));
        },
        onCheckpoint: async (cp) => {
          await retry(() => persistCheckpoint(run, id, fence, scope.unitKey(cp.unitKey), cp.answers, cp.usage, scope));
        },
      },
      // The engine logs its retries and unusable replies through the run's logger (sessionId, attempt).
      {
        createEngine: (name) => run.createEngine(name, { log }),
        settings: ctx.config,
        threads: ctx.config.runs.analysisThreads,
      },
    );

    const reason = run.abortReason();
    if (reason === 'lease-lost') return;
    if (reason === 'shutdown') {
      await releaseForShutdown(run, id, fence);
      return;
    }
    const stopped = outcome.stoppedReason !== null;
    const { full, legacy, status, eventExtra } = await retry(() => scope.finish(outcome, pages, fence));
    const event: ProgressEventInput =
      terminalEvent ?? (stopped ? { event: 'analysis_stopped', data: {} } : { event: 'analysis_complete', data: {} });
    const eventData = stopped
      ? {
          ...event.data,
          reason: outcome.stoppedReason,
          questions_answered: full.stats.questions_answered,
          total_questions: full.stats.total_questions,
        }
      : {
          ...event.data,
          questions_answered: full.stats.questions_answered,
          total_questions: full.stats.total_questions,
          processing_time: full.stats.processing_time,
          total_tokens: full.stats.total_tokens,
          estimated_cost: full.stats.estimated_cost,
        };
    const session = await retry(() =>
      storeResult(
        db,
        id,
        {
          result: full,
          legacy,
          status,
          // The budget stop is recorded in the result's own fenced transaction: never after it, never by a stale
          // attempt.
          stats: outcome.stoppedReason === 'budget' ? { ...statsOf(full), stopReason: 'budget' } : statsOf(full),
          event: { event: stopped ? 'analysis_stopped' : 'analysis_complete', data: { ...eventData, ...eventExtra } },
        },
        fence,
      ),
    );
    log.info(
      {
        sessionId: id,
        status: session.status,
        answered: full.stats.questions_answered,
        seconds: full.stats.processing_time,
      },
      'run finished',
    );
    run.onFinished?.(session);
  } catch (err) {
    await handleRunError(run, claimed, fence, err);
  }
}

async function handleRunError(run: RunContext, claimed: ClaimedRun, fence: Fence, err: unknown): Promise<void> {
  const { log, ctx } = run;
  const reason = run.abortReason();
  if (err instanceof LeaseLostError || reason === 'lease-lost') {
    log.warn({ sessionId: claimed.id }, 'lease lost; another process owns this run now');
    return;
  }
  if (reason === 'shutdown') {
    await releaseForShutdown(run, claimed.id, fence).catch(() => undefined);
    return;
  }
  if (reason === 'user') {
    await finalizeStopped(run, claimed, fence).catch((e: unknown) =>
      log.error({ err: e, sessionId: claimed.id }, 'could not store stopped run'),
    );
    return;
  }
  const appErr = isAppError(err) ? err : null;
  await recordPaidUsageOfFailedUnit(run, claimed.id, fence, appErr).catch((e: unknown) =>
    log.warn({ err: e, sessionId: claimed.id }, 'could not record the usage of a failed unit'),
  );
  const message = appErr ? appErr.message : 'The analysis failed unexpectedly.';
  const errorType = appErr ? appErr.code : 'INTERNAL';
  const failures = claimed.failedAttempts + 1;
  if ((appErr && PERMANENT_CODES.has(appErr.code)) || failures >= claimed.maxAttempts) {
    log.error({ err, sessionId: claimed.id, failures }, 'run failed');
    await finalizeFailed(
      run,
      claimed,
      fence,
      failures > 1 ? `${message} (after ${failures} attempts)` : message,
      errorType,
    ).catch((e: unknown) => log.error({ err: e, sessionId: claimed.id }, 'could not store failed run'));
    return;
  }
  const delay = Math.min(RETRY_BASE_DELAY_MS * 2 ** (failures - 1), RETRY_MAX_DELAY_MS);
  log.warn({ err, sessionId: claimed.id, failures, retryInMs: delay }, 'run attempt failed; will retry');
  await withDbRetry(() => retryRunLater(ctx.db, claimed.id, fence.attempt, message, delay)).catch(() => undefined);
}

/**
 * An LLM unit that failed after paid calls (e.g. unusable output twice) carries its usage in the error: add it
 * to the session's totals so the bill stays honest, even though the unit will be retried.
 */
async function recordPaidUsageOfFailedUnit(
  run: RunContext,
  id: string,
  fence: Fence,
  err: AppError | null,
): Promise<void> {
  const details = err?.details as { usage?: Partial<Usage>; unitKey?: string } | undefined;
  const u = details?.usage;
  if (!u || !(u.prompt_tokens || u.completion_tokens)) return;
  const usage: Usage = {
    prompt_tokens: u.prompt_tokens ?? 0,
    completion_tokens: u.completion_tokens ?? 0,
    total_tokens: (u.prompt_tokens ?? 0) + (u.completion_tokens ?? 0),
    cost_usd: u.cost_usd ?? 0,
    llm_calls: u.llm_calls ?? 0,
  };
  await run.ctx.db.transaction(async (tx) => {
    await assertFence(tx, id, fence);
    // A checkpoint row under a key no unit has: it counts toward the run's totals (priorUsage on resume),
    // but does not mark the unit done, so the unit is still retried.
    await insertCheckpoint(
      tx,
      id,
      `failed:${details?.unitKey ?? 'unit'}:attempt-${fence.attempt}`,
      fence.attempt,
      usage,
    );
    await addSessionUsage(tx, id, usage);
  });
}

/** The pages of the stored document: parsed once (with OCR where needed), then cached in the database. */
async function loadPages(run: RunContext, claimed: ClaimedRun, fence: Fence): Promise<IngestedPage[]> {
  const db = run.ctx.db;
  const cached = await selectDocumentPages(db, claimed.id);
  if (cached) return cached;
  const bytes = await selectDocumentBytes(db, claimed.id);
  if (!bytes)
    throw new AppError('PDF_NOT_AVAILABLE', 'The uploaded PDF is no longer stored, so the analysis cannot run.');
  const doc = await ingestPdf(
    new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    ingestOptionsFromConfig(run.ctx.config, { signal: run.signal }),
  );
  await db.transaction(async (tx) => {
    await assertFence(tx, claimed.id, fence);
    await updateDocumentPages(tx, claimed.id, doc.pages);
    await updateSessionTotalPages(tx, claimed.id, doc.pageCount);
  });
  return doc.pages;
}

async function persistCheckpoint(
  run: RunContext,
  id: string,
  fence: Fence,
  unitKey: string,
  answers: QuestionAnswer[],
  usage: Usage,
  scope: RunScope,
): Promise<void> {
  const counted = await run.ctx.db.transaction(async (tx) => {
    await assertFence(tx, id, fence);
    const fresh = await insertCheckpoint(tx, id, unitKey, fence.attempt, usage);
    if (!fresh) return false; // already persisted (a replay): nothing to add, nothing paid twice
    const stored = await scope.storeAnswers(tx, answers);
    await addCheckpointToSession(tx, id, usage);
    const done = stored.filter((a) => a.answer !== null);
    for (const a of done) {
      await insertEvent(tx, id, 'question_answered', {
        question_id: a.question_id,
        answer: a.answer,
        pages: a.pages,
        confidence: a.confidence,
        footnote: a.footnote,
        ...(scope.pass > 1 ? { pass: scope.pass } : {}),
      });
    }
    return true;
  });
  // Counted once the checkpoint is committed: a rolled-back (fenced-out) unit was not this process's to bill.
  if (counted) {
    runMetrics.llmTokens.inc({ kind: 'prompt' }, usage.prompt_tokens);
    runMetrics.llmTokens.inc({ kind: 'completion' }, usage.completion_tokens);
    runMetrics.llmCost.inc(usage.cost_usd);
  }
}

function statsOf(full: FullResult) {
  return {
    questionsAnswered: full.stats.questions_answered,
    totalQuestions: full.stats.total_questions,
    totalPages: full.total_pages,
    processingTime: full.stats.processing_time,
    totalTokens: full.stats.total_tokens,
    promptTokens: full.stats.prompt_tokens,
    completionTokens: full.stats.completion_tokens,
    llmCalls: full.stats.llm_calls,
    estimatedCost: full.stats.estimated_cost,
    averageConfidence: full.stats.average_confidence,
  };
}

/**
 * End a run from what is checkpointed (stop, or failure): rebuild the result from the stored answers and write
 * it with the terminal status and event in one fenced transaction.
 */
async function finalizeFromAnswers(
  run: Pick<RunContext, 'ctx' | 'onFinished'>,
  session: Session,
  fence: Fence,
  end: {
    status: 'partial' | 'failed';
    errorMessage?: string;
    event: (full: FullResult) => { event: string; data: Record<string, unknown> };
  },
): Promise<void> {
  const db = run.ctx.db;
  const fresh = (await selectSession(db, session.id)) ?? session;
  const full = await buildResultFromAnswers(db, { ...fresh, status: end.status, completedAt: new Date() });
  if (end.status === 'partial') full.metadata.stopped_reason = 'user';
  const event = end.event(full);
  // A re-run's terminal event names its pass (src/jobs/passes.ts).
  if (fresh.currentPass > 1) event.data = { ...event.data, pass: fresh.currentPass };
  const stats = end.errorMessage === undefined ? statsOf(full) : { ...statsOf(full), errorMessage: end.errorMessage };
  const stored = await withDbRetry(() =>
    storeResult(
      db,
      session.id,
      { result: full, legacy: toLegacyResult(full), status: end.status, stats, event },
      fence,
    ),
  );
  run.onFinished?.(stored);
}

/** Stop: keep every answer found, store the partial result and the stopped event. */
export async function finalizeStopped(
  run: Pick<RunContext, 'ctx' | 'onFinished'>,
  session: Session,
  fence: Fence,
): Promise<void> {
  await finalizeFromAnswers(run, session, fence, {
    status: 'partial',
    event: (full) => ({
      event: 'analysis_stopped',
      data: {
        reason: 'user',
        questions_answered: full.stats.questions_answered,
        total_questions: full.stats.total_questions,
      },
    }),
  });
}

export async function finalizeFailed(
  run: Pick<RunContext, 'ctx' | 'onFinished'>,
  session: Session,
  fence: Fence,
  message: string,
  errorType: string,
): Promise<void> {
  await finalizeFromAnswers(run, session, fence, {
    status: 'failed',
    errorMessage: message,
    event: () => ({ event: 'analysis_failed', data: { error: message, error_type: errorType } }),
  });
}

async function releaseForShutdown(run: RunContext, id: string, fence: Fence): Promise<void> {
  await releaseRun(run.ctx.db, id, fence.attempt);
  run.log.info({ sessionId: id }, 'released run for another process to resume');
}
