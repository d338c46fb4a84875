/**
 * Accumulation: one question answered in several places (units, windows, earlier attempts) becomes one
 * answer. The same answer found twice unites its pages and quotes; genuinely different answers are kept as
 * variants (a spec saying "July 15, 2024" on p. 3 and "July 25, 2024" on p. 40 shows both). Values are
 * normalised before comparing, so "15 July 2024" and "July 15, 2024" are the same answer.
 */
import type { ExpectedType } from '../questions/types.js';
import type { AnswerVariant, QuestionAnswer, Quote } from './types.js';
import { findDates, findPolarity, findQuantities } from './extract-value.js';
import { normalizeForMatch } from './normalize-text.js';
import { tokenize } from './tokenize.js';
import { formatFootnote } from './verify-citations.js';

/** Variants weaker than this are noise from a loose match, not a second reading of the document. */
export const MIN_VARIANT_CONFIDENCE = 0.3;
/** More alternatives than this help nobody read a checklist. */
export const MAX_VARIANTS = 4;
/** Two free-text answers sharing this share of their terms say the same thing. */
const SAME_TEXT_JACCARD = 0.8;

const UNIT_ALIASES: Record<string, string> = {
  'linear feet': 'ft',
  'lineal feet': 'ft',
  'linear foot': 'ft',
  'lineal foot': 'ft',
  lf: 'ft',
  'l.f.': 'ft',
  feet: 'ft',
  foot: 'ft',
  'ft.': 'ft',
  millimeters: 'mm',
  millimetres: 'mm',
  inches: 'in',
  inch: 'in',
  'in.': 'in',
  '"': 'in',
  meters: 'm',
  metres: 'm',
  percent: '%',
  days: 'day',
  'calendar days': 'day',
  years: 'year',
  yrs: 'year',
  months: 'month',
  weeks: 'week',
  hours: 'hour',
  hrs: 'hour',
  dollars: '$',
};

type AnswerKey = { kind: 'exact'; key: string } | { kind: 'text'; terms: Set<string> };

/** The normalised identity of an answer: ISO date, number+unit, yes/no, or its term set for free text. */
export function computeAnswerKey(answer: string, expectedType: ExpectedType): AnswerKey {
  if (expectedType === 'date') {
    const d = findDates(answer)[0];
    if (d !== undefined) return { kind: 'exact', key: `date:${d.iso}` };
  }
  if (expectedType === 'number') {
    const q = findQuantities(answer)[0];
    if (q !== undefined)
      return { kind: 'exact', key: `num:${q.number}:${q.unit === null ? '' : (UNIT_ALIASES[q.unit] ?? q.unit)}` };
  }
  if (expectedType === 'boolean') {
    const p = /^\s*yes\b/i.test(answer) ? true : /^\s*no\b/i.test(answer) ? false : findPolarity(answer);
    if (p !== null) return { kind: 'exact', key: `bool:${p}` };
  }
  return { kind: 'text', terms: new Set(tokenize(answer)) };
}

function sameKey(a: AnswerKey, b: AnswerKey): boolean {
  if (a.kind === 'exact' && b.kind === 'exact') return a.key === b.key;
  if (a.kind === 'text' && b.kind === 'text') {
    if (a.terms.size === 0 && b.terms.size === 0) return true;
    let shared = 0;
    for (const t of a.terms) if (b.terms.has(t)) shared++;
    return shared / (a.terms.size + b.terms.size - shared) >= SAME_TEXT_JACCARD;
  }
  return false;
}

interface Option {
  answer: string;
  value: QuestionAnswer['value'];
  pages: number[];
  confidence: number;
  quotes: Quote[];
  ocr: boolean;
  key: AnswerKey;
}

function optionsOf(a: QuestionAnswer): Option[] {
  if (a.answer === null) return [];
  const main: Option = {
    answer: a.answer,
    value: a.value,
    pages: a.pages,
    confidence: a.confidence,
    quotes: a.quotes,
    ocr: a.ocr,
    key: computeAnswerKey(a.answer, a.expected_type),
  };
  const variants = a.variants.map((v) => ({
    answer: v.answer,
    value: null,
    pages: v.pages,
    confidence: v.confidence,
    quotes: v.quotes,
    ocr: a.ocr,
    key: computeAnswerKey(v.answer, a.expected_type),
  }));
  return [main, ...variants];
}

function unionQuotes(a: Quote[], b: Quote[]): Quote[] {
  const out = [...a];
  for (const q of b) {
    const norm = normalizeForMatch(q.text);
    if (!out.some((x) => x.page === q.page && normalizeForMatch(x.text) === norm)) out.push(q);
  }
  return out.sort((x, y) => x.page - y.page);
}

function mergeOptions(a: Option, b: Option): Option {
  const [strong, weak] = a.confidence >= b.confidence ? [a, b] : [b, a];
  return {
    ...strong,
    value: strong.value ?? weak.value,
    pages: [...new Set([...a.pages, ...b.pages])].sort((x, y) => x - y),
    quotes: unionQuotes(strong.quotes, weak.quotes),
    ocr: a.ocr || b.ocr,
  };
}

/** Group options with the same normalised answer. */
function groupOptions(options: Option[]): Option[] {
  const groups: Option[] = [];
  for (const o of options) {
    const i = groups.findIndex((g) => sameKey(g.key, o.key));
    if (i < 0) groups.push(o);
    else groups[i] = mergeOptions(groups[i] as Option, o);
  }
  return groups;
}

/** Merge a new finding for a question into what is already known about it. */
export function mergeAnswers(existing: QuestionAnswer | undefined, incoming: QuestionAnswer): QuestionAnswer {
  if (existing === undefined) return incoming;
  if (incoming.answer === null)
    return existing.answer === null && incoming.confidence > existing.confidence ? incoming : existing;
  if (existing.answer === null) return incoming;
  const groups = groupOptions([...optionsOf(existing), ...optionsOf(incoming)]);
  // Best-supported first: confidence, then more pages citing it, then the earliest page.
  groups.sort(
    (x, y) => y.confidence - x.confidence || y.pages.length - x.pages.length || (x.pages[0] ?? 0) - (y.pages[0] ?? 0),
  );
  const primary = groups[0] as Option;
  const variants: AnswerVariant[] = groups
    .slice(1)
    .filter((g) => g.confidence >= MIN_VARIANT_CONFIDENCE)
    .slice(0, MAX_VARIANTS)
    .map((g) => ({
      answer: g.answer,
      pages: g.pages,
      confidence: g.confidence,
      footnote: formatFootnote(g.quotes),
      quotes: g.quotes,
    }));
  return {
    ...existing,
    answer: primary.answer,
    value: primary.value,
    pages: primary.pages,
    confidence: primary.confidence,
    quotes: primary.quotes,
    footnote: formatFootnote(primary.quotes),
    variants,
    ocr: primary.ocr,
  };
}

/**
 * Fold a batch of answers into an accumulator map (question id → answer); returns the merged answers of the batch's
 * questions.
 */
export function accumulateAnswers(into: Map<string, QuestionAnswer>, batch: QuestionAnswer[]): QuestionAnswer[] {
  const touched = new Set<string>();
  for (const a of batch) {
    into.set(a.question_id, mergeAnswers(into.get(a.question_id), a));
    touched.add(a.question_id);
  }
  return [...touched].map((id) => into.get(id) as QuestionAnswer);
}
