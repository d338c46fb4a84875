/** Public API of src/questions: other modules import from here. */
export { parseQuestionConfig, validateQuestionConfig, MAX_QUESTIONS } from './parse-question-config.js';
export type { ConfigProblem } from './parse-question-config.js';
export { selectSections } from './select-sections.js';
export { buildRunInput, countQuestions } from './build-run-input.js';
export { MAX_GUARDRAILS_CHARS } from './types.js';
export { loadDefaultConfig } from './load-default-config.js';
export type { QuestionConfig, RunInput, Section, Question, ExpectedType } from './types.js';
