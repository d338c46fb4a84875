/**
 * A session's result for every state, read only from the database: the stored result once the run has
 * finished, otherwise one rebuilt from the answers checkpointed so far (every question of the enabled
 * sections present; unanswered ones null). An unknown id is SESSION_NOT_FOUND; an existing session never is.
 * Reviewers' verdicts are laid over it here (src/sessions/review-overlay.ts), so every reader — results, admin
 * detail, exports — shows the reviewed answers while the machine's stored ones stay untouched.
 */
import { AppError } from '../errors.js';
import type { Queryable } from '../db/database.js';
import { selectQuestionConfig, selectSession, TERMINAL_STATUSES, type Session } from '../db/queries/sessions.js';
import { selectResult } from '../db/queries/results.js';
import { selectAnswers } from '../db/queries/answers.js';
import { buildFullResult, toLegacyResult, toStatistics } from '../analysis/build-result.js';
import type { FullResult, LegacyResult, Statistics } from '../analysis/types.js';
import { selectLatestReviews } from '../db/queries/reviews.js';
import { applyReviews } from './review-overlay.js';

export interface SessionResult {
  session: Session;
  full: FullResult;
  legacy: LegacyResult;
  statistics: Statistics;
  /** True unless the run completed: queued/active (answers so far), partial, failed. */
  partial: boolean;
  /** The results as the machine left them, before the reviews were laid over (`full` and `legacy` have them). */
  machine: { full: FullResult; legacy: LegacyResult };
}

export async function loadSessionResult(db: Queryable, sessionId: string, known?: Session): Promise<SessionResult> {
  const session = known ?? (await selectSession(db, sessionId));
  if (!session) throw new AppError('SESSION_NOT_FOUND');
  const partial = session.status !== 'completed';
  const reviews = selectLatestReviews(db, session.id);
  reviews.catch(() => undefined); // awaited below; don't let it reject unobserved while the result loads

  if (TERMINAL_STATUSES.includes(session.status)) {
    const stored = await selectResult(db, session.id);
    if (stored) {
      const machine = { full: stored.resultData, legacy: stored.legacyResultData ?? toLegacyResult(stored.resultData) };
      const r = applyReviews(machine.full, machine.legacy, await reviews);
      return { session, full: r.full, legacy: r.legacy, statistics: toStatistics(r.full), partial, machine };
    }
  }
  const built = await buildResultFromAnswers(db, session);
  const machine = { full: built, legacy: toLegacyResult(built) };
  const r = applyReviews(machine.full, machine.legacy, await reviews);
  return { session, full: r.full, legacy: r.legacy, statistics: toStatistics(r.full), partial, machine };
}

/** Rebuild a FullResult from the session's config and checkpointed answers. */
export async function buildResultFromAnswers(
  db: Queryable,
  session: Session,
  extra: { ocrPages?: number[] } = {},
): Promise<FullResult> {
  const [config, answers] = await Promise.all([selectQuestionConfig(db, session.id), selectAnswers(db, session.id)]);
  if (!config) throw new AppError('INTERNAL', 'The session has no stored question config.');
  return buildFullResult({
    documentName: session.pdfFilename,
    totalPages: session.totalPages ?? 0,
    engine: session.engine,
    model: session.model,
    input: { config, enabledSections: session.enabledSections, guardrails: session.guardrails },
    answers,
    ocrPages: extra.ocrPages ?? [],
    usage: {
      prompt_tokens: session.promptTokens,
      completion_tokens: session.completionTokens,
      total_tokens: session.totalTokens,
      cost_usd: session.estimatedCost,
      llm_calls: session.llmCalls,
    },
    startedAt: session.startedAt ?? session.createdAt,
    completedAt: session.completedAt,
    stoppedReason: session.status === 'partial' ? ((session.stopReason as 'user' | 'budget' | null) ?? 'user') : null,
    thorough: session.thorough,
    complete: session.status === 'completed',
    processingTime: session.processingTime ?? undefined,
  });
}
