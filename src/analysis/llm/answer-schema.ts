/**
 * The JSON the model must return, and how we read what it actually returns. Models wrap JSON in ```json
 * fences, add a sentence after it, send numbers as strings or "85%", give pages as "12-13": all of that is
 * repaired here so only genuinely unusable output costs a corrective retry.
 *
 *   {"answers":[{"question_id":"Q1","answer":string|null,"quote":string|null,"pages":[int],"confidence":0..1}]}
 */
import { z } from 'zod';

export interface ParsedAnswer {
  question_id: string;
  answer: string | null;
  quote: string | null;
  pages: number[];
  confidence: number;
}

export type ParseAnswersResult =
  { ok: true; answers: ParsedAnswer[]; repaired: boolean } | { ok: false; error: string };

/** Confidence given to an answer the model forgot to rate: middling, so accumulation prefers rated answers. */
const DEFAULT_CONFIDENCE_WHEN_MISSING = 0.5;
/** Pages above this are not page numbers (a model echoing a year or a footage): dropped. */
const MAX_PLAUSIBLE_PAGE = 100_000;

const NOT_FOUND_WORDS = new Set([
  '',
  'null',
  'none',
  'n/a',
  'na',
  'not found',
  'not specified',
  'not stated',
  'unknown',
]);

function toNullableText(v: unknown, treatNotFoundAsNull: boolean): string | null {
  if (v === null || v === undefined) return null;
  let text: string;
  if (Array.isArray(v)) text = v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('; ');
  else if (typeof v === 'object') text = JSON.stringify(v);
  else text = String(v);
  text = text.trim();
  if (text === '') return null;
  if (treatNotFoundAsNull && NOT_FOUND_WORDS.has(text.toLowerCase().replace(/[.!]+$/, ''))) return null;
  return text;
}

function toPages(v: unknown): number[] {
  const out: number[] = [];
  const add = (n: number) => {
    if (Number.isInteger(n) && n >= 1 && n <= MAX_PLAUSIBLE_PAGE) out.push(n);
  };
  const fromText = (s: string) => {
    // "12", "12-13", "12–14", "p. 12, 13", "pages 4 and 7"
    for (const m of s.matchAll(/(\d+)\s*(?:[-–—]|to)\s*(\d+)|(\d+)/g)) {
      if (m[1] !== undefined && m[2] !== undefined) {
        const a = Number(m[1]);
        const b = Number(m[2]);
        if (b >= a && b - a <= 20) for (let p = a; p <= b; p++) add(p);
        else add(a);
      } else if (m[3] !== undefined) add(Number(m[3]));
    }
  };
  const visit = (x: unknown) => {
    if (typeof x === 'number') add(Math.round(x));
    else if (typeof x === 'string') fromText(x);
    else if (Array.isArray(x)) x.forEach(visit);
  };
  visit(v);
  return [...new Set(out)].sort((a, b) => a - b);
}

function toConfidence(v: unknown): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*%?\s*$/.test(v)) {
    n = Number(v.replace('%', '').trim());
    if (v.includes('%')) n /= 100;
  } else if (typeof v === 'string') {
    const word = v.trim().toLowerCase();
    n = word === 'high' ? 0.9 : word === 'medium' ? 0.6 : word === 'low' ? 0.3 : NaN;
  } else n = NaN;
  if (!Number.isFinite(n)) return DEFAULT_CONFIDENCE_WHEN_MISSING;
  if (n > 1 && n <= 100) n /= 100; // "confidence": 85 meant 85 %
  return Math.min(1, Math.max(0, n));
}

/** One answer item, coerced into shape; items without a usable question id are rejected. */
const AnswerItemSchema = z
  .object({
    question_id: z.union([z.string(), z.number()]).optional(),
    id: z.union([z.string(), z.number()]).optional(),
    questionId: z.union([z.string(), z.number()]).optional(),
    answer: z.unknown().optional(),
    quote: z.unknown().optional(),
    pages: z.unknown().optional(),
    page: z.unknown().optional(),
    confidence: z.unknown().optional(),
  })
  .transform((item, ctx): ParsedAnswer => {
    const rawId = item.question_id ?? item.id ?? item.questionId;
    const questionId = rawId === undefined ? '' : String(rawId).trim();
    if (questionId === '') {
      ctx.addIssue({ code: 'custom', message: 'question_id is missing' });
      return z.NEVER;
    }
    const answer = toNullableText(item.answer, true);
    const quote = answer === null ? null : toNullableText(item.quote, true);
    return {
      question_id: questionId,
      answer,
      quote,
      pages: answer === null ? [] : toPages(item.pages ?? item.page),
      confidence: answer === null ? 0 : toConfidence(item.confidence),
    };
  });

export const AnswersResponseSchema = z.object({ answers: z.array(z.unknown()) });

/**
 * Every balanced top-level {...} or [...] in the text, in order (string-aware, so braces inside quotes do not count).
 */
function findJsonCandidates(text: string): string[] {
  const candidates: string[] = [];
  for (let start = 0; start < text.length; start++) {
    const open = text[start];
    if (open !== '{' && open !== '[') continue;
    const close = open === '{' ? '}' : ']';
    let depth = 0;
    let inString = false;
    let escaped = false;
    for (let i = start; i < text.length; i++) {
      const ch = text[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === open) depth += 1;
      else if (ch === close) {
        depth -= 1;
        if (depth === 0) {
          candidates.push(text.slice(start, i + 1));
          start = i;
          break;
        }
      }
    }
    if (candidates.length >= 5) break; // the answer is one of the first few objects, never deep in prose
  }
  return candidates;
}

function parseLoose(content: string): { value: unknown; repaired: boolean } | null {
  const trimmed = content.trim();
  try {
    return { value: JSON.parse(trimmed), repaired: false };
  } catch {
    // fall through to repairs
  }
  const fence = /```(?:json|JSON)?\s*([\s\S]*?)```/.exec(trimmed);
  const sources = fence?.[1] ? [fence[1], trimmed] : [trimmed];
  for (const source of sources) {
    for (const candidate of findJsonCandidates(source)) {
      for (const attempt of [candidate, candidate.replace(/,\s*([}\]])/g, '$1')]) {
        try {
          return { value: JSON.parse(attempt), repaired: true };
        } catch {
          // try the next candidate / repair
        }
      }
    }
  }
  return null;
}

/**
 * Finds the answers array in the shapes models produce: {answers:[...]}, a bare [...], {results:[...]}, {"Q1":{...}}.
 */
function locateAnswerItems(value: unknown): { items: unknown[]; repaired: boolean } | null {
  if (Array.isArray(value)) return { items: value, repaired: true };
  if (!value || typeof value !== 'object') return null;
  const direct = AnswersResponseSchema.safeParse(value);
  if (direct.success) return { items: direct.data.answers, repaired: false };
  const obj = value as Record<string, unknown>;
  for (const key of ['results', 'items', 'data', 'responses']) {
    if (Array.isArray(obj[key])) return { items: obj[key] as unknown[], repaired: true };
  }
  const keyed = Object.entries(obj).filter(([, v]) => v && typeof v === 'object' && !Array.isArray(v));
  if (keyed.length > 0 && keyed.length === Object.keys(obj).length) {
    return { items: keyed.map(([k, v]) => ({ question_id: k, ...(v as object) })), repaired: true };
  }
  return null;
}

/** Reads a model response into answers, repairing what can be repaired. `ok: false` means ask the model again. */
export function parseAnswerContent(content: string): ParseAnswersResult {
  if (content.trim() === '') return { ok: false, error: 'the response was empty' };
  const loose = parseLoose(content);
  if (!loose) return { ok: false, error: 'the response was not valid JSON' };
  const located = locateAnswerItems(loose.value);
  if (!located) return { ok: false, error: 'the JSON has no "answers" array' };
  const answers: ParsedAnswer[] = [];
  let rejected = 0;
  for (const item of located.items) {
    const parsed = AnswerItemSchema.safeParse(item);
    if (parsed.success) answers.push(parsed.data);
    else rejected += 1;
  }
  if (answers.length === 0 && rejected > 0) return { ok: false, error: 'no answer item had a "question_id"' };
  return { ok: true, answers, repaired: loose.repaired || located.repaired || rejected > 0 };
}
