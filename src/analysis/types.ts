/**
 * Contracts between the analysis pipeline and the rest of the system (job runner, storage, exports, UI).
 * The shapes of LegacyResult and Statistics are fixed by PRODUCT.md — existing front ends and scripts use them.
 */
import type { ExpectedType, RunInput } from '../questions/types.js';
import type { IngestedPage } from '../ingest/types.js';

export type EngineName = 'extractive' | 'llm';

/** A verbatim quote and the 1-based physical page it was verified on. */
export interface Quote {
  page: number;
  text: string;
}

/** A genuinely different answer found elsewhere in the document (e.g. 15 July on p. 3, 25 July on p. 40). */
export interface AnswerVariant {
  answer: string;
  pages: number[];
  confidence: number;
  footnote: string | null;
  quotes: Quote[];
}

/** One question's answer after citation verification and accumulation. `answer: null` = not found / abstained. */
export interface QuestionAnswer {
  question_id: string;
  section_id: string;
  question: string;
  expected_type: ExpectedType;
  answer: string | null;
  /** Typed value pulled out of the answer where the expected type asks for one (number+unit, ISO date, list...). */
  value: string | number | boolean | string[] | null;
  pages: number[];
  confidence: number;
  /** Human-readable quote(s) with pages, e.g. `"...shall be 6.0 mm thick..." (p. 12)`; null when no answer. */
  footnote: string | null;
  quotes: Quote[];
  variants: AnswerVariant[];
  /** True when any cited page was OCR'd. */
  ocr: boolean;
  /**
   * answered; not_found (its unit of work ran and found nothing); not_examined (the run stopped or failed, or is
   * still running, before reaching it). Set by buildFullResult; absent in results stored before it existed.
   */
  answer_status?: AnswerStatus;
  /**
   * A reviewer's current verdict (null = not reviewed). Overlaid at read time from answer_reviews
   * (src/sessions/review-overlay.ts); never stored in result_data.
   */
  review?: ReviewInfo | null;
  /** What the engine said, present when a reviewer changed the answer (edit or reject). */
  machine_answer?: MachineAnswer;
}

export type ReviewStatus = 'accepted' | 'edited' | 'rejected';

/** A question's current review as results show it. `by` is the reviewer's email; `at` ISO UTC. */
export interface ReviewInfo {
  status: ReviewStatus;
  by: string | null;
  at: string;
  note: string | null;
  review_id: number;
  /** Edits (and accepts of an edit): whether the edited text was found on its pages (false = unverified); else null. */
  verified: boolean | null;
}

/** The engine's answer, kept beside a reviewed one. */
export interface MachineAnswer {
  answer: string | null;
  page_citations: number[];
  confidence: number;
  footnote: string | null;
}

/** "37 of 100 reviewed". */
export interface ReviewSummary {
  reviewed: number;
  total: number;
}

export type AnswerStatus = 'answered' | 'not_found' | 'not_examined';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
  llm_calls: number;
}

export const ZERO_USAGE: Usage = Object.freeze({
  prompt_tokens: 0,
  completion_tokens: 0,
  total_tokens: 0,
  cost_usd: 0,
  llm_calls: 0,
});

export type StopReason = 'user' | 'budget';

export interface SectionResult {
  section_id: string;
  section_name: string;
  description: string;
  answers: QuestionAnswer[];
}

/** Raw numbers; the legacy `statistics` strings are formatted from these. */
export interface RunStats {
  processing_time: number; // seconds
  total_tokens: number;
  prompt_tokens: number;
  completion_tokens: number;
  estimated_cost: number; // USD
  questions_answered: number;
  total_questions: number;
  average_confidence: number; // 0..1 over answered questions
  llm_calls: number;
}

/** The full result (stored as analysis_results.result_data). */
export interface FullResult {
  document_name: string;
  total_pages: number;
  engine: EngineName;
  model: string | null;
  config_name: string;
  enabled_sections: string[];
  guardrails: string;
  ocr_pages: number[];
  sections: SectionResult[];
  stats: RunStats;
  metadata: {
    started_at: string; // ISO UTC
    completed_at: string | null;
    stopped_reason: StopReason | null;
    thorough: boolean;
  };
  /** Overlaid at read time with the reviews (absent in stored result_data). */
  review_summary?: ReviewSummary;
}

/** PRODUCT.md "Legacy result format" (stored as analysis_results.legacy_result_data, served as `result`). */
export interface LegacyResult {
  sections: Array<{
    section_id: string;
    section_name: string;
    description: string;
    questions: Array<{
      question_id: string;
      question: string;
      answer: string | null;
      page_citations: number[];
      confidence: number;
      footnote: string | null;
      answer_status: AnswerStatus;
      /** Overlaid at read time (src/sessions/review-overlay.ts); absent in stored legacy_result_data. */
      review?: ReviewInfo | null;
      machine_answer?: MachineAnswer;
    }>;
  }>;
  document_name: string;
  total_pages: number;
  questions_answered: number;
  total_questions: number;
  metadata: { started_at: string; completed_at: string | null; total_tokens: number; estimated_cost: number };
  review_summary?: ReviewSummary;
}

/** PRODUCT.md `statistics`. */
export interface Statistics {
  processing_time: number;
  total_tokens: number;
  estimated_cost: string; // "$0.0000"
  questions_answered: number;
  total_questions: number;
  average_confidence: string; // "NN%"
}

/** A progress event before storage assigns `index` and `timestamp`. Names and payload keys per PRODUCT.md. */
export interface ProgressEventInput {
  event:
    | 'analysis_started'
    | 'document_ingested'
    | 'config_loaded'
    | 'window_processing'
    | 'window_complete'
    | 'question_answered'
    | 'results_ready'
    | 'analysis_complete'
    | 'analysis_stopped'
    | 'analysis_failed';
  data: Record<string, unknown>;
}

/**
 * A finished unit of work (one section batch, one sweep window, ...) handed to the job runner to persist atomically.
 */
export interface Checkpoint {
  /** Deterministic key of the unit (same plan → same keys), so a resumed run can skip it. */
  unitKey: string;
  /** The merged (accumulated) answers of every question this unit touched — replace what is stored for them. */
  answers: QuestionAnswer[];
  /** What this unit cost. Counted once: it is persisted with the answers in one transaction. */
  usage: Usage;
}

export interface Estimate {
  engine: EngineName;
  model: string | null;
  total_pages: number;
  total_questions: number;
  llm_calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  estimated_cost_usd: number;
}

export interface RunAnalysisOptions {
  documentName: string;
  pages: IngestedPage[];
  input: RunInput;
  engine: EngineName;
  thorough?: boolean;
  signal?: AbortSignal;
  /** Units already persisted by an earlier attempt: skipped. */
  completedUnits?: ReadonlySet<string>;
  /** Answers persisted by an earlier attempt, merged with new findings. */
  priorAnswers?: ReadonlyMap<string, QuestionAnswer>;
  /** What earlier attempts already spent (counts toward the budget cap and the totals). */
  priorUsage?: Usage;
  /** Per-run budget cap in USD; the run ends early (stopped_reason 'budget') once reached. */
  maxCostUsd?: number | null;
  startedAt?: Date;
  onEvent?: (event: ProgressEventInput) => Promise<void> | void;
  /** Awaited before the pipeline goes on: the job runner persists the checkpoint durably here. */
  onCheckpoint?: (checkpoint: Checkpoint) => Promise<void> | void;
}

export interface RunAnalysisOutcome {
  result: FullResult;
  legacy: LegacyResult;
  statistics: Statistics;
  /** null = ran to the end; 'user' = aborted through the signal; 'budget' = MAX_COST_USD reached. */
  stoppedReason: StopReason | null;
}
