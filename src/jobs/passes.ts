/**
 * What one attempt of a run covers: the whole config (the original run, pass 1) or a pass, a re-run of a
 * finished session over some questions (pass ≥ 2, queued by src/sessions/start-pass.ts). A pass is a run: the
 * job runner claims, leases, checkpoints, stops and resumes it exactly as any run; this module only narrows
 * what it asks and how its results merge:
 * - the engine runs on the config filtered to the pass's questions (less any a reviewer accepted or edited
 *   since it was asked for);
 * - its checkpoints live under the unit-key prefix `pass<N>:`, so a resumed pass skips only its own finished
 *   units, and the budget cap (per run) counts only its own spending;
 * - its answers replace those questions' answers (the replaced ones go to answer_history with their pass);
 *   questions it never reaches, and every other question, keep theirs;
 * - its final result is rebuilt from all the session's answers, and its events carry `pass`.
 */
import type { AppContext } from '../app-context.js';
import type { Queryable } from '../db/database.js';
import { assertFence, type Fence } from '../db/fence.js';
import { selectAnswers, upsertAnswers } from '../db/queries/answers.js';
import { selectCheckpoints } from '../db/queries/checkpoints.js';
import { insertEvent } from '../db/queries/events.js';
import { selectLatestReviews } from '../db/queries/reviews.js';
import { applyReviews } from '../sessions/review-overlay.js';
import {
  archiveSupersededAnswers,
  markPassStarted,
  selectCurrentPass,
  selectPassAnswers,
  resetRejectedReviews,
  selectReviewedQuestions,
} from '../db/queries/passes.js';
import { selectSession, type Session } from '../db/queries/sessions.js';
import { selectEnabledSections, toLegacyResult, toStatistics } from '../analysis/build-result.js';
import type {
  FullResult,
  LegacyResult,
  ProgressEventInput,
  QuestionAnswer,
  RunAnalysisOutcome,
  Usage,
} from '../analysis/types.js';
import type { IngestedPage } from '../ingest/types.js';
import type { QuestionConfig, RunInput } from '../questions/types.js';
import { buildResultFromAnswers } from '../sessions/load-session-result.js';
import { AppError } from '../errors.js';

export interface RunScopeFinish {
  full: FullResult;
  legacy: LegacyResult;
  status: 'completed' | 'partial';
  /** Added to the terminal event's data. */
  eventExtra: Record<string, unknown>;
}

export interface RunScope {
  /** 1 = the original run. */
  pass: number;
  input: RunInput;
  completedUnits: Set<string>;
  priorAnswers: Map<string, QuestionAnswer>;
  priorUsage: Usage;
  startedAt: Date;
  /** The checkpoint key of a pipeline unit. */
  unitKey(key: string): string;
  /** The data stored with a progress event, or null to leave the event out. */
  eventData(e: ProgressEventInput): Record<string, unknown> | null;
  /** Store a checkpoint's answers (inside its fenced transaction); returns the answers stored. */
  storeAnswers(tx: Queryable, answers: readonly QuestionAnswer[]): Promise<QuestionAnswer[]>;
  /** The result, status and terminal-event extras of a run that ended without an error. */
  finish(outcome: RunAnalysisOutcome, pages: readonly IngestedPage[], fence: Fence): Promise<RunScopeFinish>;
}

/** The prefix of a pass's checkpoint keys. */
export const passUnitPrefix = (pass: number): string => `pass${pass}:`;

/** The config narrowed to some questions of the enabled sections (sections without one left out). */
export function filterConfig(
  config: QuestionConfig,
  enabledSections: string[],
  questionIds: ReadonlySet<string>,
): QuestionConfig {
  const sections = selectEnabledSections({ config, enabledSections, guardrails: '' })
    .map((s) => ({ ...s, questions: s.questions.filter((q) => questionIds.has(q.id)) }))
    .filter((s) => s.questions.length > 0);
  return { ...config, sections };
}

export async function loadRunScope(ctx: AppContext, claimed: Session, config: QuestionConfig): Promise<RunScope> {
  const db = ctx.db;
  const id = claimed.id;
  if (claimed.currentPass <= 1) {
    const { unitKeys, usage } = await selectCheckpoints(db, id);
    const prior = await selectAnswers(db, id);
    return {
      pass: 1,
      input: { config, enabledSections: claimed.enabledSections, guardrails: claimed.guardrails },
      completedUnits: unitKeys,
      priorAnswers: new Map(prior.map((a) => [a.question_id, a] as const)),
      priorUsage: usage,
      startedAt: claimed.startedAt ?? claimed.createdAt,
      unitKey: (key) => key,
      eventData: (e) => e.data,
      storeAnswers: async (tx, answers) => {
        await upsertAnswers(tx, id, answers);
        return [...answers];
      },
      finish: async (outcome) => ({
        full: outcome.result,
        legacy: outcome.legacy,
        status: outcome.stoppedReason === null ? 'completed' : 'partial',
        eventExtra: {},
      }),
    };
  }

  const pass = await selectCurrentPass(db, id);
  if (!pass) throw new AppError('INTERNAL', `The session's pass ${claimed.currentPass} is not recorded.`);
  const asked = pass.questionIds ?? [];
  // A reviewer may have accepted or edited some of them since the pass was asked for: leave those alone.
  const reviewed = await selectReviewedQuestions(db, id, asked);
  const questionIds = asked.filter((q) => !reviewed.has(q));
  const prefix = passUnitPrefix(pass.pass);
  const [{ unitKeys, usage }, prior] = await Promise.all([
    selectCheckpoints(db, id, prefix),
    selectPassAnswers(db, id, pass.pass),
  ]);
  await markPassStarted(db, id, pass.pass);
  const startedAt = pass.startedAt ?? new Date();
  const info = { pass: pass.pass };
  return {
    pass: pass.pass,
    input: {
      config: filterConfig(config, claimed.enabledSections, new Set(questionIds)),
      enabledSections: [],
      guardrails: claimed.guardrails,
    },
    completedUnits: unitKeys,
    priorAnswers: new Map(prior.map((a) => [a.question_id, a] as const)),
    priorUsage: usage,
    startedAt,
    unitKey: (key) => `${prefix}${key}`,
    eventData: (e) => {
      // The pipeline's results_ready holds only this pass's questions: the merged one is written by finish().
      if (e.event === 'results_ready') return null;
      if (e.event === 'analysis_started')
        return { ...e.data, ...info, question_ids: questionIds, skipped: [...reviewed.keys()] };
      return { ...e.data, ...info };
    },
    storeAnswers: async (tx, answers) => {
      // Checked in the checkpoint's own transaction: a review made while the pass runs is never overwritten.
      const nowReviewed = await selectReviewedQuestions(
        tx,
        id,
        answers.map((a) => a.question_id),
      );
      const kept = answers.filter((a) => !nowReviewed.has(a.question_id));
      await archiveSupersededAnswers(
        tx,
        id,
        pass.pass,
        kept.map((a) => a.question_id),
      );
      await upsertAnswers(tx, id, kept, pass.pass);
      await resetRejectedReviews(
        tx,
        id,
        kept.map((a) => a.question_id),
        pass.pass,
      );
      return kept;
    },
    finish: async (outcome, pages, fence) => {
      const session = (await selectSession(ctx.db, id)) ?? claimed;
      const passSeconds = Math.max(0, (Date.now() - startedAt.getTime()) / 1000);
      const stopped = outcome.stoppedReason !== null;
      // Completed only when every question of the session has been examined (by some pass): a pass over a
      // run that was stopped early leaves the questions nobody reached not examined, so the session stays partial.
      const answers = await selectAnswers(ctx.db, id);
      const examined = new Set(answers.map((a) => a.question_id));
      const allExamined = selectEnabledSections({
        config,
        enabledSections: claimed.enabledSections,
        guardrails: '',
      }).every((s) => s.questions.every((q) => examined.has(q.id)));
      const status = !stopped && allExamined ? 'completed' : 'partial';
      const full = await buildResultFromAnswers(
        ctx.db,
        {
          ...session,
          status,
          completedAt: new Date(),
          stopReason: stopped ? outcome.stoppedReason : null,
          processingTime: Math.round(((session.processingTime ?? 0) + passSeconds) * 100) / 100,
        },
        { ocrPages: pages.filter((p) => p.ocr).map((p) => p.pageNumber) },
      );
      if (stopped) full.metadata.stopped_reason = outcome.stoppedReason;
      const legacy = toLegacyResult(full);
      const statistics = toStatistics(full);
      // The original front end takes the result from results_ready: the merged one, before the terminal event.
      await ctx.db.transaction(async (tx) => {
        await assertFence(tx, id, fence);
        // Laid over with the reviews, as /api/results shows it: a client reading this event never sees a
        // rejected or edited answer come back (the stored result stays the machine's).
        const reviewed = applyReviews(full, legacy, await selectLatestReviews(tx, id)).legacy;
        await insertEvent(tx, id, 'results_ready', { result: reviewed, ...info, attempt: fence.attempt });
      });
      return { full, legacy, status, eventExtra: { ...info, statistics, pass_questions: questionIds.length } };
    },
  };
}
