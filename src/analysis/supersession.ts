/**
 * Addenda and amending sections supersede what they revise. An addendum at the back ("The closing date is
 * extended: Tenders now close ... June 19, 2025"; "the depth of the Sand layer is revised to 350 mm") repeats the
 * original's words less fully than the original does, so lexical scoring prefers the original. A later sentence
 * that says it changes a value, and states a value of the same subject, is the one in force: it is answered
 * first and the original stays a variant.
 */
import { findDates, findQuantities } from './extract-value.js';

/** Wording that changes a value stated elsewhere, wherever it stands ("is revised to", "in lieu of"). */
const REVISION =
  /\b(?:revised|changed|amended|extended|increased|decreased|reduced|modified|corrected|postponed|moved)\s+(?:to|from|until)\b|\bin\s+lieu\s+of\b|\binstead\s+of\b|\b(?:replaces?|supersedes?|substitutes?)\b|\b(?:deleted|struck)\s+and\s+replaced\b|\b(?:is|are)\s+(?:hereby\s+)?(?:revised|changed|amended|extended|postponed|replaced)\b/i;
/** Weaker wording that revises only on an addendum's own page ("Tenders now close", "The date is extended:"). */
const ADDENDUM_REVISION = /\bnow\b|\bextended\b|\bpostponed\b|\brevised\b|\bchanged\b|\bamended\b/i;
/** An addendum's title near the top of its page ("ADDENDUM NO. 2 - ISSUED JUNE 5, 2025"). */
const ADDENDUM_TITLE = /\baddend(?:um|a)\s*(?:no\.?|number|#)\s*\w+|^\s*addend(?:um|a)\b/im;
/** How much of a page's start is read for its title (a running header may come first). */
const TITLE_CHARS = 400;
/** A revision must still be a fair reading of the question: at least this share of the best reading's score. */
const MIN_SCORE_RATIO = 0.5;

export interface RevisableReading {
  text: string;
  pages: number[];
  score: number;
  coverage: number;
  attributeFound: boolean;
  unbound?: string | null;
  valueKey: string;
  context?: string;
}

/** The kinds of value a text states: "date" and the class of each quantity's unit ("length", "money", ...). */
export function valueKinds(text: string): Set<string> {
  const kinds = new Set<string>();
  if (findDates(text).length > 0) kinds.add('date');
  for (const q of findQuantities(text)) if (q.unitClass !== null) kinds.add(q.unitClass);
  return kinds;
}

/** Whether a page (its text) is titled as an addendum. */
export function isAddendumPage(pageText: string): boolean {
  return ADDENDUM_TITLE.test(pageText.slice(0, TITLE_CHARS));
}

/** Whether the sentence says it changes a value: strong wording anywhere, weaker wording on an addendum. */
export function revisesValue(text: string, onAddendum: boolean): boolean {
  return REVISION.test(text) || (onAddendum && ADDENDUM_REVISION.test(text));
}

/**
 * The index of a reading that supersedes `readings[0]` (the best by score), or -1: a later sentence (on a later
 * page) with revision wording that states a different value of the same kind for the asked subject (bound,
 * holding the asked attribute, covering the question at least `minCoverage`). A best reading that is itself a
 * revision stays first.
 */
export function supersedingReading(
  readings: readonly RevisableReading[],
  pageText: (page: number) => string,
  minCoverage: number,
): number {
  const best = readings[0];
  if (best === undefined) return -1;
  const onAddendum = (r: RevisableReading) =>
    r.pages.some((p) => isAddendumPage(pageText(p))) || /\baddend(?:um|a)\b/i.test(r.context ?? '');
  if (revisesValue(best.text, onAddendum(best))) return -1;
  const lastPage = Math.max(...best.pages);
  // A revision restates the same kind of value (a date for a date, millimetres for millimetres): the closing date's
  // extension does not revise the tender number.
  const bestKinds = valueKinds(best.text);
  const sameKind = (r: RevisableReading) => [...valueKinds(r.text)].some((k) => bestKinds.has(k));
  return readings.findIndex(
    (r, i) =>
      i > 0 &&
      r.valueKey !== best.valueKey &&
      r.attributeFound &&
      (r.unbound ?? null) === null &&
      r.coverage >= minCoverage &&
      r.score >= MIN_SCORE_RATIO * best.score &&
      /\d/.test(r.text) &&
      Math.min(...r.pages) > lastPage &&
      revisesValue(r.text, onAddendum(r)) &&
      sameKind(r),
  );
}
