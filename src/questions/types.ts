/**
 * The question-config format users already have (snake_case keys kept as in their JSON files).
 * See src/questions/cipp_questions_default.json for the built-in default.
 */
/**
 * The user's context (guardrails) goes into every LLM prompt: a few paragraphs of guidance, not a document.
 * Longer text is refused when an analysis starts (build-run-input.ts) and cut in the prompt (analysis/llm/prompt.ts).
 */
export const MAX_GUARDRAILS_CHARS = 4_000;

export const EXPECTED_TYPES = ['string', 'number', 'date', 'technical_spec', 'boolean', 'list'] as const;
export type ExpectedType = (typeof EXPECTED_TYPES)[number];

export interface Question {
  id: string;
  text: string;
  required: boolean;
  expected_type: ExpectedType;
}

export interface Section {
  section_id: string;
  section_name: string;
  description: string;
  questions: Question[];
}

export interface QuestionConfig {
  config_name: string;
  version: string;
  description: string;
  sections: Section[];
}

/** What one run analyses: the config narrowed to the enabled sections, plus the user's context. */
export interface RunInput {
  config: QuestionConfig;
  /** Enabled section ids, in config order. */
  enabledSections: string[];
  /** Free-text context from the user (e.g. "we only bid on 8–24 inch mains"). Empty string when none. */
  guardrails: string;
}
