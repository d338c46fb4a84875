/**
 * Lexical retrieval: Okapi BM25 over passages, built once per run. The question's own words weigh most;
 * the section's name and description add context at a lower weight; the expected type nudges passages
 * that hold the right kind of value (a number question prefers passages with quantities); tables of
 * contents (dot leaders) are pushed down because they repeat every topic without answering any.
 */
import type { Question, Section } from '../questions/types.js';
import type { Passage, RetrievedPassage } from './engine.js';
import { findDates, findQuantities, findStandardCodes } from './extract-value.js';
import { analyzeText } from './tokenize.js';

/** BM25 term-frequency saturation and length normalisation: the usual defaults, fine for 60–120-word passages. */
const BM25_K1 = 1.2;
const BM25_B = 0.75;
/** Section name/description terms are context, not the question: a third of a question term. */
const SECTION_TERM_WEIGHT = 0.3;
/** Score multiplier for passages holding the kind of value the expected type asks for. */
const TYPE_MATCH_BOOST = 1.15;
/** Score multiplier for table-of-contents-like passages. */
const TOC_PENALTY = 0.4;

export interface PassageFeatures {
  hasQuantity: boolean;
  hasDate: boolean;
  hasCode: boolean;
  tocLike: boolean;
}

export interface SearchIndex {
  passages: Passage[];
  lengths: number[];
  avgLength: number;
  postings: Map<string, Array<{ doc: number; tf: number }>>;
  features: PassageFeatures[];
}

export interface WeightedTerm {
  term: string;
  weight: number;
}

/**
 * Dot leaders running to a page number and the next entry (or to the end of the text): "Warranty ...... 25".
 * Cost tables use leaders too, but run to "$85" or "1 work-hour".
 */
const DOT_LEADERS = /(?:\.\s?){5,}(?:\s*\d{1,4}(?![\d,.]\d)(?=\s*$|\s+[A-Z0-9(])|\s*$)/g;

/** True for text that reads like a table of contents (dot leaders running to a page number). */
export function isTocLike(text: string): boolean {
  return (text.match(DOT_LEADERS)?.length ?? 0) >= 1;
}

/** Index per passages array, so an engine handed the run's passages reuses the run's index instead of rebuilding it. */
const indexByPassages = new WeakMap<Passage[], SearchIndex>();

/** The index already built for these passages, or a new one. */
export function getSearchIndex(passages: Passage[]): SearchIndex {
  return indexByPassages.get(passages) ?? buildSearchIndex(passages);
}

/** Build the inverted index once per run. */
export function buildSearchIndex(passages: Passage[]): SearchIndex {
  const postings = new Map<string, Array<{ doc: number; tf: number }>>();
  const lengths: number[] = [];
  const features: PassageFeatures[] = [];
  passages.forEach((passage, doc) => {
    const tokens = analyzeText(passage.text).tokens;
    lengths.push(tokens.length);
    const tf = new Map<string, number>();
    for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [term, count] of tf) {
      let list = postings.get(term);
      if (list === undefined) postings.set(term, (list = []));
      list.push({ doc, tf: count });
    }
    features.push({
      hasQuantity: findQuantities(passage.text).some((q) => q.unit !== null),
      hasDate: findDates(passage.text).length > 0,
      hasCode: findStandardCodes(passage.text).length > 0,
      tocLike: isTocLike(passage.text),
    });
  });
  const total = lengths.reduce((a, b) => a + b, 0);
  const index: SearchIndex = { passages, lengths, avgLength: passages.length === 0 ? 0 : total / passages.length, postings, features };
  indexByPassages.set(passages, index);
  return index;
}

/** Inverse document frequency (BM25 form, never negative). A term absent from the document gets the highest value. */
export function inverseDocumentFrequency(index: SearchIndex, term: string): number {
  const n = index.passages.length;
  const df = index.postings.get(term)?.length ?? 0;
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/** The question's own terms (weight 1) followed by section context terms (lower weight). */
export function buildQueryTerms(question: Question, section: Section): WeightedTerm[] {
  const terms = new Map<string, number>();
  for (const t of analyzeText(question.text).queryTokens) terms.set(t, 1);
  for (const t of analyzeText(`${section.section_name} ${section.description}`).queryTokens) {
    if (!terms.has(t)) terms.set(t, SECTION_TERM_WEIGHT);
  }
  return [...terms].map(([term, weight]) => ({ term, weight }));
}

function typeMatches(features: PassageFeatures, question: Question): boolean {
  switch (question.expected_type) {
    case 'number':
      return features.hasQuantity;
    case 'date':
      return features.hasDate;
    case 'technical_spec':
      return features.hasCode || features.hasQuantity;
    default:
      return false;
  }
}

/** The k best passages for a question, best first. Passages sharing no term with the query are never returned. */
export function retrieve(index: SearchIndex, question: Question, section: Section, k: number): RetrievedPassage[] {
  const scores = new Map<number, number>();
  for (const { term, weight } of buildQueryTerms(question, section)) {
    const list = index.postings.get(term);
    if (list === undefined) continue;
    const idf = inverseDocumentFrequency(index, term);
    for (const { doc, tf } of list) {
      const norm = 1 - BM25_B + (BM25_B * (index.lengths[doc] as number)) / (index.avgLength || 1);
      const s = (weight * idf * (tf * (BM25_K1 + 1))) / (tf + BM25_K1 * norm);
      scores.set(doc, (scores.get(doc) ?? 0) + s);
    }
  }
  const ranked: Array<{ doc: number; score: number }> = [];
  for (const [doc, raw] of scores) {
    const f = index.features[doc] as PassageFeatures;
    let score = raw;
    if (typeMatches(f, question)) score *= TYPE_MATCH_BOOST;
    if (f.tocLike) score *= TOC_PENALTY;
    ranked.push({ doc, score });
  }
  // Ties broken by position so the ranking is deterministic.
  ranked.sort((a, b) => b.score - a.score || a.doc - b.doc);
  return ranked.slice(0, k).map(({ doc, score }) => ({ passage: index.passages[doc] as Passage, score }));
}
