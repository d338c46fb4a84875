/**
 * Question-config validation. Every problem is collected with its JSON path (e.g.
 * `sections[2].questions[4].expected_type`) so a user fixes their file in one go, and the result is a clean
 * QuestionConfig with only the known fields.
 *
 * Decisions (documented in docs/ingest.md): `required` defaults to false when missing; `description`,
 * `config_name` and `version` get defaults when missing (older files lack them); unknown keys are ignored;
 * strings are trimmed.
 */
import { AppError } from '../errors.js';
import { EXPECTED_TYPES, type ExpectedType, type Question, type QuestionConfig, type Section } from './types.js';

export interface ConfigProblem {
  path: string;
  message: string;
}

export const MAX_QUESTIONS = 1_000;
// Long enough for any real question; short enough that a pasted document is not mistaken for one.
export const MAX_QUESTION_TEXT_CHARS = 2_000;
export const MAX_ID_CHARS = 100;
// How many problems the error message itself lists; all of them are in details.problems.
const PROBLEMS_IN_MESSAGE = 5;

const DEFAULT_CONFIG_NAME = 'Custom question configuration';
const DEFAULT_VERSION = '1.0';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"` : typeof v;
}

/** Validate a parsed JSON value. Never throws: returns the clean config (when valid) and all problems. */
export function validateQuestionConfig(value: unknown): { config: QuestionConfig | null; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });

  if (!isObject(value)) {
    add('(root)', `must be a JSON object with a "sections" array; got ${describe(value)}`);
    return { config: null, problems };
  }

  const optionalString = (key: string, fallback: string): string => {
    const v = value[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string') {
      add(key, `must be a string; got ${describe(v)}`);
      return fallback;
    }
    return v.trim() || fallback;
  };
  const config_name = optionalString('config_name', DEFAULT_CONFIG_NAME);
  const version = typeof value.version === 'number' ? String(value.version) : optionalString('version', DEFAULT_VERSION);
  const description = optionalString('description', '');

  const sections: Section[] = [];
  const rawSections = value.sections;
  if (!Array.isArray(rawSections)) {
    add('sections', rawSections === undefined ? 'is missing; a config needs at least one section' : `must be an array of sections; got ${describe(rawSections)}`);
  } else if (rawSections.length === 0) {
    add('sections', 'must contain at least one section');
  } else {
    const sectionIdAt = new Map<string, string>();
    const questionIdAt = new Map<string, string>();
    let questionCount = 0;
    rawSections.forEach((rawSection, si) => {
      const sp = `sections[${si}]`;
      if (!isObject(rawSection)) {
        add(sp, `must be an object; got ${describe(rawSection)}`);
        return;
      }
      const sectionId = requiredString(rawSection, 'section_id', sp, add);
      if (sectionId !== null) {
        const first = sectionIdAt.get(sectionId);
        if (first) add(`${sp}.section_id`, `duplicate section id "${sectionId}" (first used at ${first})`);
        else sectionIdAt.set(sectionId, `${sp}.section_id`);
      }
      const sectionName = requiredString(rawSection, 'section_name', sp, add);
      const sectionDescription = typeof rawSection.description === 'string' ? rawSection.description.trim() : '';
      if (rawSection.description !== undefined && rawSection.description !== null && typeof rawSection.description !== 'string') {
        add(`${sp}.description`, `must be a string; got ${describe(rawSection.description)}`);
      }

      const questions: Question[] = [];
      const rawQuestions = rawSection.questions;
      if (!Array.isArray(rawQuestions)) {
        add(`${sp}.questions`, rawQuestions === undefined ? 'is missing; a section needs at least one question' : `must be an array; got ${describe(rawQuestions)}`);
      } else if (rawQuestions.length === 0) {
        add(`${sp}.questions`, 'is empty; a section needs at least one question');
      } else {
        rawQuestions.forEach((rawQuestion, qi) => {
          questionCount++;
          const q = parseQuestion(rawQuestion, `${sp}.questions[${qi}]`, add, questionIdAt);
          if (q) questions.push(q);
        });
      }
      if (sectionId !== null && sectionName !== null) {
        sections.push({ section_id: sectionId, section_name: sectionName, description: sectionDescription, questions });
      }
    });
    if (questionCount > MAX_QUESTIONS) add('sections', `has ${questionCount} questions; the maximum is ${MAX_QUESTIONS}`);
  }

  if (problems.length > 0) return { config: null, problems };
  return { config: { config_name, version, description, sections }, problems };
}

function requiredString(obj: Json, key: string, parentPath: string, add: (p: string, m: string) => void): string | null {
  const v = obj[key];
  const path = `${parentPath}.${key}`;
  if (v === undefined || v === null) {
    add(path, 'is missing');
    return null;
  }
  if (typeof v !== 'string') {
    add(path, `must be a string; got ${describe(v)}`);
    return null;
  }
  const trimmed = v.trim();
  if (trimmed.length === 0) {
    add(path, 'must not be empty');
    return null;
  }
  if (key.endsWith('id') && trimmed.length > MAX_ID_CHARS) {
    add(path, `is ${trimmed.length} characters; the maximum is ${MAX_ID_CHARS}`);
    return null;
  }
  return trimmed;
}

function parseQuestion(
  raw: unknown,
  qp: string,
  add: (p: string, m: string) => void,
  questionIdAt: Map<string, string>,
): Question | null {
  if (!isObject(raw)) {
    add(qp, `must be an object; got ${describe(raw)}`);
    return null;
  }
  const id = requiredString(raw, 'id', qp, add);
  if (id !== null) {
    const first = questionIdAt.get(id);
    if (first) add(`${qp}.id`, `duplicate question id "${id}" (first used at ${first}); question ids must be unique across the file`);
    else questionIdAt.set(id, `${qp}.id`);
  }
  const text = requiredString(raw, 'text', qp, add);
  if (text !== null && text.length > MAX_QUESTION_TEXT_CHARS) {
    add(`${qp}.text`, `is ${text.length} characters; the maximum is ${MAX_QUESTION_TEXT_CHARS}`);
  }

  let required = false; // missing `required` means optional
  if (raw.required !== undefined && raw.required !== null) {
    if (typeof raw.required === 'boolean') required = raw.required;
    else add(`${qp}.required`, `must be true or false; got ${describe(raw.required)}`);
  }

  let expectedType: ExpectedType | null = null;
  const rawType = raw.expected_type;
  const allowed = EXPECTED_TYPES.join(', ');
  if (rawType === undefined || rawType === null) add(`${qp}.expected_type`, `is missing; expected one of ${allowed}`);
  else if (typeof rawType !== 'string') add(`${qp}.expected_type`, `must be a string; got ${describe(rawType)}; expected one of ${allowed}`);
  else if (!(EXPECTED_TYPES as readonly string[]).includes(rawType.trim())) {
    add(`${qp}.expected_type`, `unknown type "${rawType}"; expected one of ${allowed}`);
  } else expectedType = rawType.trim() as ExpectedType;

  if (id === null || text === null || expectedType === null) return null;
  return { id, text, required, expected_type: expectedType };
}

/** Turn problems into the CONFIG_INVALID error users see (message lists the first few; details has all). */
export function configInvalidError(problems: ConfigProblem[]): AppError {
  const shown = problems.slice(0, PROBLEMS_IN_MESSAGE).map((p) => `${p.path}: ${p.message}`);
  const more = problems.length > PROBLEMS_IN_MESSAGE ? `; and ${problems.length - PROBLEMS_IN_MESSAGE} more` : '';
  return new AppError('CONFIG_INVALID', `The question config is not valid: ${shown.join('; ')}${more}.`, { details: { problems } });
}

/**
 * Parse a question config from an uploaded file's bytes, a JSON string or an already-parsed value.
 * Throws AppError('CONFIG_INVALID') with details.problems = [{path, message}, ...].
 */
export function parseQuestionConfig(input: Uint8Array | string | unknown): QuestionConfig {
  let value: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
    try {
      value = JSON.parse(text.replace(/^\uFEFF/, '')); // editors on Windows save a BOM
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw configInvalidError([{ path: '(root)', message: `is not valid JSON (${reason})` }]);
    }
  }
  const { config, problems } = validateQuestionConfig(value);
  if (!config) throw configInvalidError(problems);
  return config;
}
