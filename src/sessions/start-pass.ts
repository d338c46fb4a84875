/**
 * Re-run what is weak: queue a new pass of a finished session over some of its questions (another engine,
 * thorough mode). The session row goes back to `queued` and the ordinary run worker claims it; a pass is a
 * run (claimed, leased, checkpointed, stoppable, resumable). What a pass asks and how its answers merge is
 * src/jobs/passes.ts. Questions whose current review is `accept` or `edit` are left out (reported as skipped).
 */
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors.js';
import { insertEvent } from '../db/queries/events.js';
import {
  queuePass,
  selectDocumentReadable,
  selectReviewedQuestions,
  type SkippedQuestion,
} from '../db/queries/passes.js';
import { selectQuestionConfig, TERMINAL_STATUSES, updateQuestionConfig, type Session } from '../db/queries/sessions.js';
import type { QuestionConfig } from '../questions/types.js';
import { selectEnabledSections } from '../analysis/build-result.js';
import { parseEngine } from './start-analysis.js';

export interface PassRequest {
  questionIds: string[];
  engine?: string | undefined;
  thorough?: boolean | undefined;
  /** New wording for some of the re-run questions (a config edit): the session's config keeps it from then on. */
  questionEdits?: Array<{ id: string; text: string }> | undefined;
}

export interface QuestionEdit {
  question_id: string;
  before: string;
  after: string;
}

export interface QueuedPass {
  sessionId: string;
  pass: number;
  questionIds: string[];
  skipped: SkippedQuestion[];
  engine: 'extractive' | 'llm';
  thorough: boolean;
  edited: QuestionEdit[];
}

const REVIEW_REASONS = { accept: 'accepted', edit: 'edited' } as const;

export async function startPass(
  ctx: AppContext,
  session: Session,
  request: PassRequest,
  requestedBy: string | null,
): Promise<QueuedPass> {
  if (!TERMINAL_STATUSES.includes(session.status)) {
    throw new AppError('SESSION_RUNNING', `The analysis is ${session.status}; re-run questions once it has finished.`);
  }
  const questionIds = [...new Set(request.questionIds)];
  const config = await selectQuestionConfig(ctx.db, session.id);
  if (!config) throw new AppError('INTERNAL', 'The session has no stored question config.');
  const known = new Set(
    selectEnabledSections({ config, enabledSections: session.enabledSections, guardrails: '' }).flatMap((s) =>
      s.questions.map((q) => q.id),
    ),
  );
  const unknown = questionIds.filter((q) => !known.has(q));
  if (unknown.length > 0) {
    throw new AppError(
      'QUESTION_UNKNOWN',
      `Not analysed questions of this session: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', …' : ''}.`,
      {
        details: { unknown },
      },
    );
  }
  // Unset: the engine and mode the session last ran with (still checked: the llm key may be gone since).
  const engine = parseEngine(ctx, request.engine ?? session.engine);
  const thorough = request.thorough ?? session.thorough;

  const reviewed = await selectReviewedQuestions(ctx.db, session.id, questionIds);
  const skipped: SkippedQuestion[] = questionIds
    .filter((q) => reviewed.has(q))
    .map((q) => ({ question_id: q, reason: REVIEW_REASONS[reviewed.get(q)!] }));
  const toRun = questionIds.filter((q) => !reviewed.has(q));
  if (toRun.length === 0) throw new AppError('NOTHING_TO_RERUN', undefined, { details: { skipped } });
  const { config: editedConfig, edited } = applyQuestionEdits(config, request.questionEdits ?? [], new Set(toRun));
  if (!(await selectDocumentReadable(ctx.db, session.id))) {
    throw new AppError(
      'PDF_NOT_AVAILABLE',
      'The stored PDF and its page text are no longer available, so its questions cannot be re-run.',
    );
  }

  const pass = await ctx.db.transaction(async (tx) => {
    const n = await queuePass(tx, {
      sessionId: session.id,
      questionIds: toRun,
      skipped,
      engine,
      model: engine === 'llm' ? ctx.config.analysis.llm.model : null,
      thorough,
      requestedBy,
    });
    // Queued by another request a moment ago (or not finished after all): one pass at a time.
    if (n === null)
      throw new AppError(
        'SESSION_RUNNING',
        'The analysis is already running a pass; re-run questions once it has finished.',
      );
    // Reworded questions: the pass asks the new wording and results show it; the event keeps the old one.
    if (edited.length > 0) await updateQuestionConfig(tx, session.id, editedConfig);
    // The same event log goes on: pollers and SSE clients see the new pass from here.
    await insertEvent(tx, session.id, 'pass_queued', {
      pass: n,
      question_ids: toRun,
      skipped,
      engine,
      thorough,
      ...(edited.length > 0 ? { edited } : {}),
    });
    return n;
  });
  ctx.sessionVersions.forget(session.id);
  ctx.worker?.wake();
  return { sessionId: session.id, pass, questionIds: toRun, skipped, engine, thorough, edited };
}

/**
 * The config with some questions reworded. Only questions this pass re-runs may be reworded (an answer always
 * belongs to the wording it was asked with); a wording that does not change anything is ignored.
 */
function applyQuestionEdits(
  config: QuestionConfig,
  edits: ReadonlyArray<{ id: string; text: string }>,
  rerun: ReadonlySet<string>,
): { config: QuestionConfig; edited: QuestionEdit[] } {
  const wanted = new Map(edits.map((e) => [e.id, e.text.trim()]));
  const notRerun = [...wanted.keys()].filter((id) => !rerun.has(id));
  if (notRerun.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Only questions this pass re-runs can be reworded: ${notRerun.slice(0, 10).join(', ')}.`,
      {
        details: { not_rerun: notRerun },
      },
    );
  }
  const edited: QuestionEdit[] = [];
  const sections = config.sections.map((section) => ({
    ...section,
    questions: section.questions.map((q) => {
      const text = wanted.get(q.id);
      if (text === undefined || text === q.text) return q;
      edited.push({ question_id: q.id, before: q.text, after: text });
      return { ...q, text };
    }),
  }));
  return { config: { ...config, sections }, edited };
}
