/**
 * Fact sheets: the "LABEL: value" lines where a bid document announces its key facts — a project information
 * page, the notice to bidders, a cover ("BID SUBMISSION DATE: July 7 until 2:30 PM", "CONTRACT DURATION: 575
 * consecutive calendar days", "Project Manager: ..."). In a long manual the same topics recur on hundreds of
 * pages (forms, general conditions) and the sheet is easily outranked; read as fields, it answers directly.
 *
 * A question is answered from a field when the field's label says what the question asks (its topic words,
 * through the thesaurus, with little else) and the value holds the kind of value asked (a date, an amount,
 * a duration...). Pages read: the first FACT_SHEET_MAX_PAGE pages and any page of a notice / information
 * section, never a form, contents, blank page or bid schedule (their labels are blanks to fill in).
 */
import type { IngestedPage } from '../ingest/types.js';
import type { RetrievedPassage } from './engine.js';
import type { SearchIndex } from './retrieval.js';
import type { DocumentOutline } from './outline.js';
import type { Attribute } from './question-intent.js';
import { formWordStems, readQuestionIntent } from './question-intent.js';
import type { ExpectedType } from '../questions/types.js';
import { analyzeText } from './tokenize.js';
import { collapseWhitespace } from './normalize-text.js';

/** Pages always read for fact sheets (physical, 1-based); later pages only inside a notice/information section. */
export const FACT_SHEET_MAX_PAGE = 20;
/** Headings of sections that announce a bid's key facts. */
export const NOTICE_SECTION =
  /\b(advertisement|invitation|notice (to|inviting) (bidders|contractors|bids|proponents)|request for (proposals?|tenders?|quotations?)|project information|bid(ding)? information|project summary|summary of work|project data)\b/i;
/** A field: a short label in capitals or title case, a colon, and a value on the same line. */
const FIELD = /^([A-Z][A-Za-z0-9'’&/().-]*(?:\s+[A-Za-z0-9'’&/().-]+){0,5}):\s+(\S.*)$/;
const SMALL_WORDS = new Set([
  'a',
  'an',
  'and',
  'or',
  'of',
  'the',
  'to',
  'for',
  'in',
  'on',
  'by',
  'with',
  'at',
  'from',
  '/',
  '&',
]);
/** Lines of value after the label's line (a wrapped description). */
const MAX_CONTINUATION_LINES = 3;
/** Share of the question's topic terms the label must name, and of the label's terms the question must name. */
const MIN_LABEL_RECALL = 0.6;
const MIN_LABEL_PRECISION = 0.6;
/** Words that name no topic of their own in a question ("What is the project's ..."). */
const UNSPECIFIC = new Set(
  ['project', 'work', 'contract', 'requir', 'provid', 'detail', 'information', 'specific', 'total', 'general'].flatMap(
    (w) => analyzeText(w).queryTokens.concat([w]),
  ),
);
/** "575 consecutive calendar days": a duration with qualifiers between the number and its unit. */
const SPELLED_DURATION =
  /\d[\d,]*\)?\s+(?:(?:consecutive|calendar|working|business)\s+){1,2}(?:days?|weeks?|months?|years?)\b/i;
/** "A. Questions on Bid Documents: ..." is a lettered paragraph with a run-in title, not a field. */
const PARAGRAPH_LABEL = /^(?:[A-Z]|\d{1,2})[.)]\s/;
const CONFIDENCE_EXACT = 0.82;
const CONFIDENCE_PARTIAL = 0.7;

export interface LabelledField {
  label: string;
  value: string;
  /** Verbatim lines on `page`, joined with "\n". */
  quote: string;
  page: number;
}

export interface FactSheetAnswer extends LabelledField {
  confidence: number;
}

function isLabel(label: string): boolean {
  const words = label.split(/\s+/);
  if (/^[^a-z]*$/.test(label)) return /[A-Z]{2}/.test(label);
  return words.every((w, i) => /^[A-Z0-9(]/.test(w) || (i > 0 && SMALL_WORDS.has(w.toLowerCase())));
}

/** Every labelled field on the pages that can hold a fact sheet. */
export function findLabelledFields(pages: IngestedPage[], outline: DocumentOutline): LabelledField[] {
  const fields: LabelledField[] = [];
  for (const page of [...pages].sort((a, b) => a.pageNumber - b.pageNumber)) {
    const po = outline.pages.get(page.pageNumber);
    const role = po?.role ?? 'body';
    if (role === 'form' || role === 'toc' || role === 'blank' || role === 'bid_schedule') continue;
    const lines = page.text.split('\n');
    const furniture = new Set(page.boilerplateLines.map((l) => collapseWhitespace(l)));
    for (let i = 0; i < lines.length; i++) {
      if (page.pageNumber > FACT_SHEET_MAX_PAGE && !NOTICE_SECTION.test(po?.pathAt[i] ?? '')) continue;
      const line = collapseWhitespace(lines[i] as string);
      if (furniture.has(line)) continue;
      const m = FIELD.exec(line);
      if (
        m === null ||
        PARAGRAPH_LABEL.test(m[1] as string) ||
        !isLabel(m[1] as string) ||
        /^(https?|www|e-?mail|phone|tel|fax|note|see)$/i.test(m[1] as string)
      )
        continue;
      const quoteLines = [(lines[i] as string).trim()];
      let value = m[2] as string;
      for (let j = i + 1; j <= i + MAX_CONTINUATION_LINES && j < lines.length; j++) {
        const next = collapseWhitespace(lines[j] as string);
        // A value ending in "AND" / "OF" / "," wraps onto the next line even when that line looks like a heading.
        const wraps = /(?:\b(?:and|of|for|the|&)|[,–-])$/i.test(value);
        if (
          next === '' ||
          furniture.has(next) ||
          /[.;]$/.test(value) ||
          FIELD.exec(next) !== null ||
          (!wraps && (po?.headingLevel[j] ?? 0) > 0)
        )
          break;
        value = `${value} ${next}`;
        quoteLines.push((lines[j] as string).trim());
      }
      fields.push({ label: m[1] as string, value, quote: quoteLines.join('\n'), page: page.pageNumber });
    }
  }
  return fields;
}

/**
 * The field that answers the question, if one does: its label names the question's topic (recall) and little
 * else (precision), and its value holds what is asked (`holds`: the engine's test for the asked attribute).
 */
export function answerFromFactSheet(
  question: { text: string; expected_type: ExpectedType },
  fields: LabelledField[],
  holds: (text: string, attribute: Attribute) => boolean,
): FactSheetAnswer | null {
  const intent = readQuestionIntent(question.text, question.expected_type);
  const form = formWordStems(intent.attribute);
  const q = analyzeText(question.text);
  const terms = q.queryTokens.filter((t) => !t.startsWith('#') && !/^\d/.test(t));
  // "When are bids due?": when the words naming the kind of value are all there is, they are the topic.
  const withoutForm = terms.filter((t) => !form.has(t));
  const topic = [...new Set(withoutForm.length > 0 ? withoutForm : terms)];
  const specific = topic.filter((t) => !UNSPECIFIC.has(t));
  if (specific.length === 0) return null;
  const questionWords = new Set([...q.tokens, ...form]);
  let best: { field: LabelledField; score: number } | null = null;
  for (const field of fields) {
    const label = analyzeText(field.label);
    const labelAll = new Set(label.tokens);
    const labelTerms = [...new Set(label.queryTokens.filter((t) => !t.startsWith('#')))];
    if (labelTerms.length === 0) continue;
    const recall = topic.filter((t) => labelAll.has(t)).length / topic.length;
    const precision = labelTerms.filter((t) => questionWords.has(t)).length / labelTerms.length;
    if (recall < MIN_LABEL_RECALL || precision < MIN_LABEL_PRECISION || !specific.some((t) => labelAll.has(t)))
      continue;
    if (
      !holds(field.value, intent.attribute) &&
      !(intent.attribute === 'duration' && SPELLED_DURATION.test(field.value))
    )
      continue;
    const score = recall + precision;
    if (best === null || score > best.score) best = { field, score };
  }
  if (best === null) return null;
  return { ...best.field, confidence: best.score >= 2 ? CONFIDENCE_EXACT : CONFIDENCE_PARTIAL };
}

/**
 * Retrieval for every engine: the passage holding the field that answers the question goes first (the llm
 * engine then sees the project information page among its excerpts even in a 1,500-page manual).
 */
export function promoteFactSheetPassage(
  ranked: RetrievedPassage[],
  question: { text: string; expected_type: ExpectedType },
  fields: LabelledField[],
  index: SearchIndex,
  holds: (text: string, attribute: Attribute) => boolean,
  k: number,
): RetrievedPassage[] {
  if (fields.length === 0) return ranked;
  const found = answerFromFactSheet(question, fields, holds);
  if (found === null) return ranked;
  const firstLine = collapseWhitespace(found.quote.split('\n')[0] ?? '');
  const passage = index.passages.find(
    (p) => p.pages.includes(found.page) && collapseWhitespace(p.text).includes(firstLine),
  );
  if (passage === undefined) return ranked;
  const top = ranked[0]?.score ?? 1;
  return [{ passage, score: top * 1.01 }, ...ranked.filter((r) => r.passage !== passage)].slice(0, k);
}
