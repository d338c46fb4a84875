/**
 * A session's result for every state, read only from the database: the stored result once the run has
 * finished, otherwise one rebuilt from the answers checkpointed so far (every question of the enabled
 * sections present; unanswered ones null). An unknown id is SESSION_NOT_FOUND; an existing session never is.
 * Reviewers' verdicts are laid over it here (src/sessions/review-overlay.ts), so every reader — results, admin
 * detail, exports — shows the reviewed answers while the machine's stored ones stay untouched.
 */
import { AppError } from '../errors.js';
import type { SessionStore, Session } from '../db/session-store.js';
import { buildFullResult, toLegacyResult, toStatistics } from '../analysis/build-result.js';
import type { FullResult, LegacyResult, Statistics } from '../analysis/types.js';
import { TERMINAL_STATUSES } from '../db/queries/sessions.js';
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

export async function loadSessionResult(store: SessionStore, sessionId: string, known?: Session): Promise<SessionResult> {
  const session = known ?? (await store.getSession(sessionId));
  if (!session) throw new AppError('SESSION_NOT_FOUND');
  const partial = session.status !== 'completed';
  const reviews = selectLatestReviews(store.db, session.id);
  reviews.catch(() => undefined); // awaited below; don't let it reject unobserved while the result loads

  if (TERMINAL_STATUSES.includes(session.status)) {
    const stored = await store.getResult(session.id);
    if (stored) {
      const machine = { full: stored.resultData, legacy: stored.legacyResultData ?? toLegacyResult(stored.resultData) };
      const r = applyReviews(machine.full, machine.legacy, await reviews);
      return { session, full: r.full, legacy: r.legacy, statistics: toStatistics(r.full), partial, machine };
    }
  }
  const built = await buildResultFromAnswers(store, session);
  const machine = { full: built, legacy: toLegacyResult(built) };
  const r = applyReviews(machine.full, machine.legacy, await reviews);
  return { session, full: r.full, legacy: r.legacy, statistics: toStatistics(r.full), partial, machine };
}

/** Rebuild a FullResult from the session's config and checkpointed answers. */
export async function buildResultFromAnswers(store: SessionStore, session: Session, extra: { ocrPages?: number[] } = {}): Promise<FullResult> {
  const [config, answers] = await Promise.all([store.getQuestionConfig(session.id), store.getAnswers(session.id)]);
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

/** The legacy result plus each question's variants (an additive field the web app shows). */
export function legacyWithVariants(full: FullResult, legacy: LegacyResult): LegacyResult {
  const variants = new Map(full.sections.flatMap((s) => s.answers.map((a) => [a.question_id, a.variants] as const)));
  return {
    ...legacy,
    sections: legacy.sections.map((s) => ({
      ...s,
      questions: s.questions.map((q) => {
        const v = variants.get(q.question_id) ?? [];
        return v.length ? { ...q, variants: v.map((x) => ({ answer: x.answer, pages: x.pages, confidence: x.confidence, footnote: x.footnote })) } : q;
      }),
    })),
  };
}
