/**
 * Question-config validation, as a zod schema. Every problem is collected with its JSON path (e.g.
 * `sections[2].questions[4].expected_type`) so a user fixes their file in one go, and the result is a clean
 * QuestionConfig with only the known fields. The messages are part of the contract (the analyzer page and
 * users' scripts show them): each field's schema carries its own message so they read the same as before zod.
 *
 * Decisions (documented in docs/ingest.md): `required` defaults to false when missing; `description`,
 * `config_name` and `version` get defaults when missing (older files lack them); unknown keys are ignored;
 * strings are trimmed.
 */
import { z } from 'zod';
import { AppError } from '../errors.js';
import { EXPECTED_TYPES, type ExpectedType, type QuestionConfig } from './types.js';

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
const ALLOWED_TYPES = EXPECTED_TYPES.join(', ');

/** How a wrong value is named in a message: `"abc"`, `null`, `an array`, `number`. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"` : typeof v;
}

const isMissing = (v: unknown): boolean => v === undefined || v === null;
const tooLong = (max: number) => (iss: { input?: unknown }) =>
  `is ${String(iss.input).length} characters; the maximum is ${max}`;
// zod runs length checks on anything with a `length`, even after the type check failed (an array given for a
// string would also be reported "must not be empty"): these guards keep it to one problem per field.
const whenString = { when: (payload: { value: unknown }) => typeof payload.value === 'string' };
const whenArray = { when: (payload: { value: unknown }) => Array.isArray(payload.value) };

/** A string that must be present and non-blank once trimmed (null counts as missing). */
function requiredString(maxChars: number | null) {
  const base = z
    .string({ error: (iss) => (isMissing(iss.input) ? 'is missing' : `must be a string; got ${describe(iss.input)}`) })
    .trim()
    .min(1, { error: 'must not be empty', ...whenString });
  return maxChars === null ? base : base.max(maxChars, { error: tooLong(maxChars), ...whenString });
}

/** An optional string (null or blank → the fallback). */
function optionalString(fallback: string) {
  return z
    .string({ error: (iss) => `must be a string; got ${describe(iss.input)}` })
    .trim()
    .nullish()
    .transform((v) => v || fallback);
}

const idSchema = requiredString(MAX_ID_CHARS);

const expectedTypeSchema = z
  .string({
    error: (iss) =>
      isMissing(iss.input)
        ? `is missing; expected one of ${ALLOWED_TYPES}`
        : `must be a string; got ${describe(iss.input)}; expected one of ${ALLOWED_TYPES}`,
  })
  .refine((v) => (EXPECTED_TYPES as readonly string[]).includes(v.trim()), {
    error: (iss) => `unknown type "${String(iss.input)}"; expected one of ${ALLOWED_TYPES}`,
  })
  .transform((v) => v.trim() as ExpectedType);

const objectError = (iss: { input?: unknown }) => `must be an object; got ${describe(iss.input)}`;

const questionSchema = z.object(
  {
    id: idSchema,
    // The text's limit is reported with the trimmed length, like the id's.
    text: requiredString(MAX_QUESTION_TEXT_CHARS),
    // Missing `required` means optional.
    required: z
      .boolean({ error: (iss) => `must be true or false; got ${describe(iss.input)}` })
      .nullish()
      .transform((v) => v ?? false),
    expected_type: expectedTypeSchema,
  },
  { error: objectError },
);

const sectionSchema = z.object(
  {
    section_id: idSchema,
    section_name: requiredString(null),
    description: z
      .string({ error: (iss) => `must be a string; got ${describe(iss.input)}` })
      .trim()
      .nullish()
      .transform((v) => v ?? ''),
    questions: z
      .array(questionSchema, {
        error: (iss) =>
          iss.input === undefined
            ? 'is missing; a section needs at least one question'
            : `must be an array; got ${describe(iss.input)}`,
      })
      .min(1, { error: 'is empty; a section needs at least one question', ...whenArray }),
  },
  { error: objectError },
);

const rootShape = {
  config_name: optionalString(DEFAULT_CONFIG_NAME),
  // Some files write `"version": 2`; keep it as the string "2".
  version: z.preprocess((v) => (typeof v === 'number' ? String(v) : v), optionalString(DEFAULT_VERSION)),
  description: optionalString(''),
  sections: z
    .array(sectionSchema, {
      error: (iss) =>
        iss.input === undefined
          ? 'is missing; a config needs at least one section'
          : `must be an array of sections; got ${describe(iss.input)}`,
    })
    .min(1, { error: 'must contain at least one section', ...whenArray }),
};

/**
 * The whole file. Rules across elements (ids unique across the file, the question count) run even when some
 * elements are invalid, so that every problem is reported in one go; they read the partly parsed value, where
 * each id is either its trimmed string or the raw input it was refused for.
 */
export const questionConfigSchema = z
  .object(rootShape, { error: (iss) => `must be a JSON object with a "sections" array; got ${describe(iss.input)}` })
  .superRefine(
    (value, ctx) => {
      const sections: unknown = value?.sections;
      if (!Array.isArray(sections) || sections.length === 0) return;
      const sectionIdAt = new Map<string, string>();
      const questionIdAt = new Map<string, string>();
      let questionCount = 0;
      const firstUse = (
        seen: Map<string, string>,
        raw: unknown,
        path: (string | number)[],
        what: string,
        suffix: string,
      ) => {
        const parsed = idSchema.safeParse(raw);
        if (!parsed.success) return;
        const first = seen.get(parsed.data);
        if (first)
          ctx.addIssue({
            code: 'custom',
            path,
            message: `duplicate ${what} id "${parsed.data}" (first used at ${first})${suffix}`,
          });
        else seen.set(parsed.data, formatPath(path));
      };
      sections.forEach((section: unknown, si) => {
        if (!isPlainObject(section)) return;
        firstUse(sectionIdAt, section.section_id, ['sections', si, 'section_id'], 'section', '');
        if (!Array.isArray(section.questions)) return;
        section.questions.forEach((question: unknown, qi) => {
          questionCount++;
          if (!isPlainObject(question)) return;
          const path = ['sections', si, 'questions', qi, 'id'];
          firstUse(questionIdAt, question.id, path, 'question', '; question ids must be unique across the file');
        });
      });
      if (questionCount > MAX_QUESTIONS) {
        ctx.addIssue({
          code: 'custom',
          path: ['sections'],
          message: `has ${questionCount} questions; the maximum is ${MAX_QUESTIONS}`,
        });
      }
    },
    { when: (payload) => isPlainObject(payload.value) },
  );

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `['sections', 2, 'questions', 4, 'id']` → `sections[2].questions[4].id`; the root is `(root)`. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

// Field order per nesting depth (0 = root, 2 = a section, 4 = a question), for sorting problems into file order.
const FIELD_ORDER_BY_DEPTH = [
  Object.keys(rootShape),
  [],
  Object.keys(sectionSchema.shape),
  [],
  Object.keys(questionSchema.shape),
];

/**
 * Problems in the order a reader meets them in the file: zod reports per-field problems in that order already,
 * but the cross-element rules above come last. A problem about a whole array (the question count) follows the
 * problems inside it. The sort is stable.
 */
function compareInFileOrder(a: readonly PropertyKey[], b: readonly PropertyKey[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    const order = FIELD_ORDER_BY_DEPTH[i] ?? [];
    return order.indexOf(String(x)) - order.indexOf(String(y));
  }
  return b.length - a.length;
}

/** Validate a parsed JSON value. Never throws: returns the clean config (when valid) and all problems. */
export function validateQuestionConfig(value: unknown): { config: QuestionConfig | null; problems: ConfigProblem[] } {
  const result = questionConfigSchema.safeParse(value);
  if (result.success) return { config: result.data, problems: [] };
  const problems = [...result.error.issues]
    .sort((a, b) => compareInFileOrder(a.path, b.path))
    .map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  return { config: null, problems };
}

/** Turn problems into the CONFIG_INVALID error users see (message lists the first few; details has all). */
export function configInvalidError(problems: ConfigProblem[]): AppError {
  const shown = problems.slice(0, PROBLEMS_IN_MESSAGE).map((p) => `${p.path}: ${p.message}`);
  const more = problems.length > PROBLEMS_IN_MESSAGE ? `; and ${problems.length - PROBLEMS_IN_MESSAGE} more` : '';
  return new AppError('CONFIG_INVALID', `The question config is not valid: ${shown.join('; ')}${more}.`, {
    details: { problems },
  });
}

/**
 * Parse a question config from an uploaded file's bytes, a JSON string or an already-parsed value.
 * Throws AppError('CONFIG_INVALID') with details.problems = [{path, message}, ...].
 */
export function parseQuestionConfig(input: Uint8Array | string | unknown): QuestionConfig {
  let value: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text =
      typeof input === 'string'
        ? input
        : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
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
