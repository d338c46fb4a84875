/** The config narrowed to the enabled sections plus the user's guardrails: what one run analyses. */
import { AppError } from '../errors.js';
import { selectSections } from './select-sections.js';
import { MAX_GUARDRAILS_CHARS, type QuestionConfig, type RunInput } from './types.js';

export function buildRunInput(
  config: QuestionConfig,
  sections: readonly string[] | string | null | undefined,
  guardrails: string | null | undefined,
): RunInput {
  const enabledSections = selectSections(config, sections);
  const context = (guardrails ?? '').trim();
  if (context.length > MAX_GUARDRAILS_CHARS) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The guardrails text is ${context.length.toLocaleString('en-US')} characters; the maximum is ${MAX_GUARDRAILS_CHARS.toLocaleString('en-US')}.`,
    );
  }
  const enabled = new Set(enabledSections);
  return {
    config: { ...config, sections: config.sections.filter((s) => enabled.has(s.section_id)) },
    enabledSections,
    guardrails: context,
  };
}

/** Total questions over the enabled sections. */
export function countQuestions(runInput: RunInput): number {
  const enabled = new Set(runInput.enabledSections);
  return runInput.config.sections.filter((s) => enabled.has(s.section_id)).reduce((n, s) => n + s.questions.length, 0);
}
