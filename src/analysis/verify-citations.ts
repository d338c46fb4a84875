/**
 * Citation verification, applied to every engine's candidates: a quote counts only if it is found on a
 * page the answer cites (after whitespace / ligature / quote-mark / dash normalisation, case-insensitive).
 * A quote found on another page gets that page; a quote running over a page break is split into one
 * Quote per page; a quote found nowhere is dropped and the answer's confidence lowered.
 *
 * Policy for an answer left with no verified quote at all: its text is kept (an LLM may paraphrase a right
 * answer) but it cites no page, carries no footnote, and its confidence is capped at
 * UNVERIFIED_CONFIDENCE_CAP — below the 0.3 line under which answers read as "not found / unverified".
 */
import type { IngestedPage } from '../ingest/types.js';
import type { CandidateAnswer } from './engine.js';
import type { Quote } from './types.js';
import { collapseWhitespace, mapNormalized, type NormalizedText } from './normalize-text.js';
import { PAGE_FURNITURE } from './passages.js';

export const UNVERIFIED_CONFIDENCE_CAP = 0.25;
/** Shorter fragments match too many places to prove anything: they are only accepted on a page the answer cites. */
const MIN_QUOTE_CHARS = 12;
/** Fragments shorter than this (a lone "." after an ellipsis) are ignored. */
const MIN_FRAGMENT_CHARS = 3;
/** Each dropped quote costs this share of confidence (scaled by the share of quotes dropped). */
const DROPPED_QUOTE_PENALTY = 0.4;

interface PageTexts {
  full: NormalizedText;
  /** The page with running headers/footers blanked, so a sentence running over a page break joins up. */
  content: NormalizedText;
  raw: string;
}

export interface PageTextIndex {
  pages: Map<number, PageTexts>;
  pageNumbers: number[];
}

/** Normalised page texts, built once per run. */
export function buildPageTextIndex(pages: IngestedPage[]): PageTextIndex {
  const map = new Map<number, PageTexts>();
  for (const page of pages) {
    const boilerplate = new Set(page.boilerplateLines.map((l) => collapseWhitespace(l)));
    const contentRaw = page.text
      .split('\n')
      .map((line) =>
        boilerplate.has(collapseWhitespace(line)) || PAGE_FURNITURE.test(line) ? ' '.repeat(line.length) : line,
      )
      .join('\n');
    map.set(page.pageNumber, { full: mapNormalized(page.text), content: mapNormalized(contentRaw), raw: page.text });
  }
  return { pages: map, pageNumbers: [...map.keys()].sort((a, b) => a - b) };
}

function cut(page: PageTexts, norm: NormalizedText, start: number, end: number): string {
  const from = norm.sourceIndex[start] as number;
  const to = (norm.sourceIndex[end - 1] as number) + 1;
  return page.raw.slice(from, to);
}

function findOnPage(index: PageTextIndex, pageNumber: number, needle: string): Quote[] | null {
  const page = index.pages.get(pageNumber);
  if (page === undefined) return null;
  const at = page.full.text.indexOf(needle);
  if (at < 0) return null;
  return [{ page: pageNumber, text: cut(page, page.full, at, at + needle.length) }];
}

/** A match that starts on page `first` and ends on page `first + 1` (headers/footers in between ignored). */
function findAcrossBreak(index: PageTextIndex, first: number, needle: string): Quote[] | null {
  const a = index.pages.get(first);
  const b = index.pages.get(first + 1);
  if (a === undefined || b === undefined) return null;
  const left = a.content.text.trimEnd();
  const right = b.content.text.trimStart();
  const rightOffset = b.content.text.length - right.length;
  const joined = `${left} ${right}`;
  const at = joined.indexOf(needle);
  if (at < 0) return null;
  const end = at + needle.length;
  if (at >= left.length || end <= left.length + 1) return null; // wholly on one page: not a page-break match
  const firstPart = collapseWhitespace(cut(a, a.content, at, left.length));
  const secondPart = collapseWhitespace(cut(b, b.content, rightOffset, rightOffset + end - (left.length + 1)));
  const quotes: Quote[] = [];
  if (firstPart.length > 0) quotes.push({ page: first, text: cut(a, a.content, at, left.length) });
  if (secondPart.length > 0)
    quotes.push({ page: first + 1, text: cut(b, b.content, rightOffset, rightOffset + end - (left.length + 1)) });
  return quotes;
}

/** Order in which pages are tried: the cited pages first, then the others nearest to them. */
function searchOrder(index: PageTextIndex, claimed: number[]): number[] {
  const claimedSet = new Set(claimed);
  const rest = index.pageNumbers.filter((p) => !claimedSet.has(p));
  const distance = (p: number) => Math.min(...(claimed.length > 0 ? claimed : [0]).map((c) => Math.abs(c - p)));
  rest.sort((x, y) => distance(x) - distance(y) || x - y);
  return [...claimed.filter((p) => index.pages.has(p)).sort((a, b) => a - b), ...rest];
}

function stripQuoteMarks(text: string): string {
  return text
    .trim()
    .replace(/^["'\u201C\u201D\u2018\u2019]+|["'\u201C\u201D\u2018\u2019]+$/g, '')
    .trim();
}

/**
 * Find where a quote really is. Returns its pieces (one Quote per page it occupies) or null when it is not
 * in the document. Quotes with an ellipsis are verified piece by piece.
 */
export function locateQuote(index: PageTextIndex, quoteText: string, claimedPages: number[]): Quote[] | null {
  const fragments = stripQuoteMarks(quoteText)
    .split(/\s*(?:\.\.\.|\u2026)\s*/)
    .map((f) => mapNormalized(f).text.trim())
    .filter((f) => f.length > 0);
  if (fragments.every((f) => f.length < MIN_FRAGMENT_CHARS)) return null;
  const quotes: Quote[] = [];
  for (const needle of fragments) {
    if (needle.length < MIN_FRAGMENT_CHARS) continue;
    let found: Quote[] | null = null;
    const order =
      needle.length < MIN_QUOTE_CHARS
        ? claimedPages.filter((p) => index.pages.has(p))
        : searchOrder(index, claimedPages);
    for (const p of order) {
      found = findOnPage(index, p, needle);
      if (found !== null) break;
    }
    if (found === null) {
      const firstPages = new Set<number>();
      for (const p of order) {
        firstPages.add(p - 1);
        firstPages.add(p);
      }
      for (const p of firstPages) {
        found = findAcrossBreak(index, p, needle);
        if (found !== null) break;
      }
    }
    if (found === null) return null;
    quotes.push(...found);
  }
  return quotes;
}

export interface VerifiedCandidate {
  question_id: string;
  answer: string | null;
  value: string | number | boolean | string[] | null;
  quotes: Quote[];
  pages: number[];
  confidence: number;
  droppedQuotes: number;
}

/** Verify an engine's candidate against the document. Never cites a page that does not hold the quote. */
export function verifyCandidate(candidate: CandidateAnswer, index: PageTextIndex): VerifiedCandidate {
  const quotes: Quote[] = [];
  let dropped = 0;
  for (const q of candidate.quotes) {
    const found = locateQuote(index, q.text, q.pages);
    if (found === null) dropped++;
    else for (const f of found) if (!quotes.some((x) => x.page === f.page && x.text === f.text)) quotes.push(f);
  }
  const pages = [...new Set(quotes.map((q) => q.page))].sort((a, b) => a - b);
  let confidence = Math.max(0, Math.min(1, candidate.confidence));
  if (candidate.answer !== null) {
    if (quotes.length === 0) confidence = Math.min(confidence, UNVERIFIED_CONFIDENCE_CAP);
    else if (dropped > 0) confidence *= 1 - (DROPPED_QUOTE_PENALTY * dropped) / candidate.quotes.length;
  }
  return {
    question_id: candidate.question_id,
    answer: candidate.answer,
    value: candidate.value ?? null,
    quotes,
    pages,
    confidence,
    droppedQuotes: dropped,
  };
}

function formatPages(first: number, last: number): string {
  return first === last ? `(p. ${first})` : `(pp. ${first}\u2013${last})`;
}

/**
 * `"<quote>" (p. 12)` / `"<quote>" (pp. 12–13)`, several quotes joined with "; ". Pieces of one quote split
 * over a page break (consecutive pages, the first piece not ending a sentence) are shown as one quote.
 */
export function formatFootnote(quotes: Quote[]): string | null {
  if (quotes.length === 0) return null;
  const parts: string[] = [];
  let i = 0;
  while (i < quotes.length) {
    const first = quotes[i] as Quote;
    let text = collapseWhitespace(first.text);
    let last = first.page;
    while (i + 1 < quotes.length) {
      const next = quotes[i + 1] as Quote;
      if (next.page !== last + 1 || /[.!?;:]["')\]]*$/.test(text)) break;
      text = `${text} ${collapseWhitespace(next.text)}`;
      last = next.page;
      i++;
    }
    parts.push(`"${text}" ${formatPages(first.page, last)}`);
    i++;
  }
  return parts.join('; ');
}
