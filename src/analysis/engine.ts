/**
 * The seam between the pipeline and its engines. The pipeline (run-analysis.ts) owns passages, retrieval,
 * citation verification, accumulation, budget, checkpoints and events; an engine only plans units of work
 * and answers them. Both engines implement this, so tests and the offline default need no model.
 */
import type { Question, Section } from '../questions/types.js';
import type { IngestedPage } from '../ingest/types.js';
import type { PageRole } from '../ingest/page-structure.js';
import type { EngineName, Usage } from './types.js';

/** A span of document text with provenance. A passage may cross a page break: `pages` lists every page it touches. */
export interface Passage {
  id: string; // stable: derived from position, e.g. "p12-3"
  pages: number[]; // ascending, 1-based physical
  text: string;
  ocr: boolean;
  /** Headings in force where the passage starts: "00 73 16 Insurance › 1.03 Limits › A." ('' when none). */
  headingPath?: string;
  /** Role of the passage's first page: cover, toc, form, blank, bid_schedule or body. */
  role?: PageRole;
  /**
   * Position of the passage's sentences in the run's sentence table (PlanArgs.sentences): plain data that survives a
   * structured clone.
   */
  firstSentence?: number;
  sentenceCount?: number;
}

export interface RetrievedPassage {
  passage: Passage;
  score: number;
}

export interface WorkUnit {
  /** Deterministic across attempts for the same document, config and options (used to skip finished work on resume). */
  key: string;
  section: Section;
  questions: Question[];
  /** The evidence shown to the engine for this unit (retrieved passages, or a page window in thorough mode). */
  passages: Passage[];
  /** Ranked retrieval per question id (best first). */
  retrieved: Record<string, RetrievedPassage[]>;
  /** Thorough mode: the pages of the sweep window, for events. */
  windowPages?: number[];
}

/** Raw engine output for one question, before the pipeline verifies citations and accumulates. */
export interface CandidateAnswer {
  question_id: string;
  answer: string | null;
  value?: string | number | boolean | string[] | null;
  /** Quotes the engine claims are verbatim, with the pages it claims hold them. */
  quotes: Array<{ text: string; pages: number[] }>;
  confidence: number;
}

export interface PlanArgs {
  sections: Section[];
  pages: IngestedPage[];
  passages: Passage[];
  retrieved: ReadonlyMap<string, RetrievedPassage[]>;
  thorough: boolean;
  /** Every sentence of the document with its spans, heading path and page role (passages point into it). */
  sentences?: Array<{
    text: string;
    pages: number[];
    spans: Array<{ page: number; start: number; end: number }>;
    headingPath: string;
    heading: boolean;
    role: PageRole;
    tableRow: boolean;
  }>;
}

export interface AnalysisEngine {
  readonly name: EngineName;
  readonly model: string | null;
  planUnits(args: PlanArgs): WorkUnit[];
  /** Expected cost of a unit before running it (zeros for offline engines). Used for preflight and the budget cap. */
  estimateUnit(unit: WorkUnit): { prompt_tokens: number; completion_tokens: number; cost_usd: number };
  answerUnit(
    unit: WorkUnit,
    ctx: { guardrails: string; signal?: AbortSignal },
  ): Promise<{ answers: CandidateAnswer[]; usage: Usage }>;
}
