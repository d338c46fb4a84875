/**
 * Results from answers: the full result (result_data), the legacy shape (legacy_result_data, served by
 * /api/results) and the legacy `statistics`. Pure functions, so the job runner can rebuild a result from
 * stored answers at any time (a running session's partial result, a resumed run's final one).
 */
import type { Question, RunInput, Section } from '../questions/types.js';
import type {
  AnswerStatus,
  EngineName,
  FullResult,
  LegacyResult,
  QuestionAnswer,
  Statistics,
  StopReason,
  Usage,
} from './types.js';

/** The sections a run analyses, in config order. An empty selection means every section. */
export function selectEnabledSections(input: RunInput): Section[] {
  if (input.enabledSections.length === 0) return input.config.sections;
  const enabled = new Set(input.enabledSections);
  return input.config.sections.filter((s) => enabled.has(s.section_id));
}

/** The answer of a question nothing was found for. */
export function createEmptyAnswer(question: Question, section: Section): QuestionAnswer {
  return {
    question_id: question.id,
    section_id: section.section_id,
    question: question.text,
    expected_type: question.expected_type,
    answer: null,
    value: null,
    pages: [],
    confidence: 0,
    footnote: null,
    quotes: [],
    variants: [],
    ocr: false,
  };
}

export interface BuildFullResultArgs {
  documentName: string;
  totalPages: number;
  engine: EngineName;
  model: string | null;
  input: RunInput;
  /**
   * Answers by question id (or a list); questions without one appear unanswered. Answers to questions outside the
   * enabled sections are ignored.
   */
  answers: ReadonlyMap<string, QuestionAnswer> | readonly QuestionAnswer[];
  ocrPages: number[];
  usage: Usage;
  startedAt: Date | string;
  completedAt: Date | string | null;
  stoppedReason: StopReason | null;
  thorough: boolean;
  /**
   * True when the run went through every unit of work (it completed): a question without a stored answer was
   * then looked for and not found. Otherwise (running, stopped, failed) only questions with a stored answer row
   * (a null one is an abstention) were examined; the rest are not_examined.
   */
  complete: boolean;
  /** Seconds; defaults to completedAt − startedAt (or now − startedAt while running). */
  processingTime?: number;
}

function toIso(d: Date | string): string {
  return typeof d === 'string' ? new Date(d).toISOString() : d.toISOString();
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Build the full result: every question of the enabled sections, in config order. */
export function buildFullResult(args: BuildFullResultArgs): FullResult {
  const byId =
    args.answers instanceof Map
      ? (args.answers as ReadonlyMap<string, QuestionAnswer>)
      : new Map((args.answers as readonly QuestionAnswer[]).map((a) => [a.question_id, a]));
  const sections = selectEnabledSections(args.input).map((section) => ({
    section_id: section.section_id,
    section_name: section.section_name,
    description: section.description,
    answers: section.questions.map((q) => {
      const found = byId.get(q.id);
      if (found === undefined)
        return {
          ...createEmptyAnswer(q, section),
          answer_status: (args.complete ? 'not_found' : 'not_examined') as AnswerStatus,
        };
      const answer_status: AnswerStatus = found.answer !== null ? 'answered' : 'not_found';
      return {
        ...found,
        section_id: section.section_id,
        question: q.text,
        expected_type: q.expected_type,
        answer_status,
      };
    }),
  }));
  const all = sections.flatMap((s) => s.answers);
  const answered = all.filter((a) => a.answer !== null);
  const averageConfidence =
    answered.length === 0 ? 0 : answered.reduce((sum, a) => sum + a.confidence, 0) / answered.length;
  const startedMs = new Date(args.startedAt).getTime();
  const endMs = args.completedAt === null ? Date.now() : new Date(args.completedAt).getTime();
  return {
    document_name: args.documentName,
    total_pages: args.totalPages,
    engine: args.engine,
    model: args.model,
    config_name: args.input.config.config_name,
    enabled_sections: sections.map((s) => s.section_id),
    guardrails: args.input.guardrails,
    ocr_pages: [...args.ocrPages].sort((a, b) => a - b),
    sections,
    stats: {
      processing_time: round(args.processingTime ?? Math.max(0, (endMs - startedMs) / 1000), 2),
      total_tokens: args.usage.total_tokens,
      prompt_tokens: args.usage.prompt_tokens,
      completion_tokens: args.usage.completion_tokens,
      estimated_cost: round(args.usage.cost_usd, 6),
      questions_answered: answered.length,
      total_questions: all.length,
      average_confidence: round(averageConfidence, 4),
      llm_calls: args.usage.llm_calls,
    },
    metadata: {
      started_at: toIso(args.startedAt),
      completed_at: args.completedAt === null ? null : toIso(args.completedAt),
      stopped_reason: args.stoppedReason,
      thorough: args.thorough,
    },
  };
}

/** A question's status; results stored before answer_status existed had every unanswered question not_found. */
export function answerStatusOf(a: QuestionAnswer): AnswerStatus {
  if (a.answer !== null) return 'answered';
  return a.answer_status ?? 'not_found';
}

/** PRODUCT.md "Legacy result format". */
export function toLegacyResult(full: FullResult): LegacyResult {
  return {
    sections: full.sections.map((s) => ({
      section_id: s.section_id,
      section_name: s.section_name,
      description: s.description,
      questions: s.answers.map((a) => ({
        question_id: a.question_id,
        question: a.question,
        answer: a.answer,
        page_citations: a.answer === null ? [] : [...a.pages],
        confidence: a.confidence,
        footnote: a.answer === null ? null : a.footnote,
        answer_status: answerStatusOf(a),
      })),
    })),
    document_name: full.document_name,
    total_pages: full.total_pages,
    questions_answered: full.stats.questions_answered,
    total_questions: full.stats.total_questions,
    metadata: {
      started_at: full.metadata.started_at,
      completed_at: full.metadata.completed_at,
      total_tokens: full.stats.total_tokens,
      estimated_cost: full.stats.estimated_cost,
    },
  };
}

/** PRODUCT.md `statistics`: cost as "$0.0000", average confidence as "NN%". */
export function toStatistics(full: FullResult): Statistics {
  return {
    processing_time: full.stats.processing_time,
    total_tokens: full.stats.total_tokens,
    estimated_cost: `$${full.stats.estimated_cost.toFixed(4)}`,
    questions_answered: full.stats.questions_answered,
    total_questions: full.stats.total_questions,
    average_confidence: `${Math.round(full.stats.average_confidence * 100)}%`,
  };
}

/** Add two usages. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
    cost_usd: a.cost_usd + b.cost_usd,
    llm_calls: a.llm_calls + b.llm_calls,
  };
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
        return v.length
          ? {
              ...q,
              variants: v.map((x) => ({
                answer: x.answer,
                pages: x.pages,
                confidence: x.confidence,
                footnote: x.footnote,
              })),
            }
          : q;
      }),
    })),
  };
}
