/** The built-in CIPP question config, read and validated once. */
import { readFileSync } from 'node:fs';
import { parseQuestionConfig } from './parse-question-config.js';
import type { QuestionConfig } from './types.js';

const DEFAULT_CONFIG_URL = new URL('./cipp_questions_default.json', import.meta.url);

let cached: QuestionConfig | null = null;

/** The default config, deep-frozen: callers share one instance and cannot change it by accident. */
export function loadDefaultConfig(): QuestionConfig {
  cached ??= deepFreeze(parseQuestionConfig(readFileSync(DEFAULT_CONFIG_URL)));
  return cached;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
