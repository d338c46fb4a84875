/**
 * Lexical retrieval: Okapi BM25 over passages, built once per run. The question's own words weigh most;
 * thesaurus expansions ("owner" → city, county, authority...) and the section's name and description add
 * context at lower weights; question word pairs found side by side in a passage ("bid bond", "time for
 * completion") add phrase evidence; a passage's heading path counts too (a question about bypass pumping
 * finds the article titled so). The expected type nudges passages that hold the right kind of value.
 * Page roles weigh in: blank pages are never returned, tables of contents and forms are pushed down
 * (they repeat every topic without answering any), and for who/what-project questions the cover and the
 * first pages, where those facts are stated, are pushed up.
 */
import type { Question, Section } from '../questions/types.js';
import type { PageRole } from '../ingest/page-structure.js';
import type { Passage, RetrievedPassage } from './engine.js';
import { findDates, findQuantities, findStandardCodes } from './extract-value.js';
import { formWordStems, readQuestionIntent } from './question-intent.js';
import { analyzeText, expansionsOf, queryTermsFor } from './tokenize.js';

/** BM25 term-frequency saturation and length normalisation: the usual defaults, fine for 60–120-word passages. */
const BM25_K1 = 1.2;
const BM25_B = 0.75;
/** Section name/description terms are context, not the question: a third of a question term. */
const SECTION_TERM_WEIGHT = 0.3;
/** Score multiplier for passages holding the kind of value the expected type asks for. */
const TYPE_MATCH_BOOST = 1.15;
/** Score multiplier for table-of-contents-like passages. */
const TOC_PENALTY = 0.4;
/** Thesaurus expansions of a question word count at this share of the word itself. */
const EXPANSION_TERM_WEIGHT = 0.4;
/** A question word pair found side by side counts at this share of a question term. */
const BIGRAM_WEIGHT = 0.6;
/** A question term in the passage's heading path counts at this share of its IDF. */
const HEADING_TERM_WEIGHT = 0.6;
/** Score multipliers by page role. Blank pages are left out altogether. */
const ROLE_FACTOR: Record<PageRole, number> = { body: 1, cover: 1, bid_schedule: 1, toc: 0.3, form: 0.55, blank: 0 };
/** For owner / project-name / location questions: the cover and the first pages state these facts. */
const TITLE_FACT_BOOST = 1.6;
const TITLE_FACT_MAX_PAGE = 5;
/** Sections where a bid's key facts are announced (owner, title, due date, security, contract time). */
const NOTICE_HEADING =
  /\b(advertisement|invitation|notice (to|inviting) (bidders|contractors|bids)|request for (proposals?|tenders?|quotations?)|instructions to (bidders|proponents)|project information|bid(ding)? information|summary)\b/i;
const NOTICE_BOOST = 1.25;

export interface PassageFeatures {
  hasQuantity: boolean;
  hasDate: boolean;
  hasCode: boolean;
  tocLike: boolean;
  role: PageRole;
  firstPage: number;
  /** The heading path names a notice/advertisement/instructions section. */
  notice: boolean;
}

export interface SearchIndex {
  passages: Passage[];
  lengths: number[];
  avgLength: number;
  postings: Map<string, Array<{ doc: number; tf: number }>>;
  /** Word pair ("bid|bond") → passages holding it side by side (one entry per passage; compact: pairs are many). */
  pairPostings: Map<string, number[]>;
  /** Term → passages whose heading path holds it. */
  headingPostings: Map<string, number[]>;
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
  const headingPostings = new Map<string, number[]>();
  const pairPostings = new Map<string, number[]>();
  const headingTokens = new Map<string, string[]>();
  passages.forEach((passage, doc) => {
    const analyzed = analyzeText(passage.text);
    const tokens = analyzed.tokens;
    lengths.push(tokens.length);
    const tf = new Map<string, number>();
    for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const b of new Set(analyzed.bigrams)) {
      let list = pairPostings.get(b);
      if (list === undefined) pairPostings.set(b, (list = []));
      list.push(doc);
    }
    const path = passage.headingPath ?? '';
    if (path !== '') {
      // Neighbouring passages share a path: analyse each path once.
      let ht = headingTokens.get(path);
      if (ht === undefined) headingTokens.set(path, (ht = [...new Set(analyzeText(path).tokens)]));
      for (const t of ht) {
        let list = headingPostings.get(t);
        if (list === undefined) headingPostings.set(t, (list = []));
        list.push(doc);
      }
    }
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
      role: passage.role ?? 'body',
      firstPage: passage.pages[0] ?? 0,
      notice: NOTICE_HEADING.test(passage.headingPath ?? ''),
    });
  });
  const total = lengths.reduce((a, b) => a + b, 0);
  const index: SearchIndex = {
    passages,
    lengths,
    avgLength: passages.length === 0 ? 0 : total / passages.length,
    postings,
    pairPostings,
    headingPostings,
    features,
  };
  indexByPassages.set(passages, index);
  return index;
}

/** Inverse document frequency (BM25 form, never negative). A term absent from the document gets the highest value. */
export function inverseDocumentFrequency(index: SearchIndex, term: string): number {
  const n = index.passages.length;
  const df = (term.includes('|') ? index.pairPostings.get(term)?.length : index.postings.get(term)?.length) ?? 0;
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/**
 * The question's own terms (weight 1), their word pairs and thesaurus expansions, then section context terms (lower
 * weights).
 */
export function buildQueryTerms(question: Question, section: Section, index?: SearchIndex): WeightedTerm[] {
  const terms = new Map<string, number>();
  const analyzed = analyzeText(question.text);
  const form = formWordStems(readQuestionIntent(question.text, question.expected_type).attribute);
  // Words naming the kind of value ("date", "how long") find every passage with a date: context weight only.
  // ...unless they are all the question says ("When are bids due?"): then they are its topic.
  const allForm = analyzed.queryTokens.every((t) => form.has(t));
  for (const t of analyzed.queryTokens) terms.set(t, form.has(t) && !allForm ? SECTION_TERM_WEIGHT : 1);
  for (const t of analyzed.bigrams) terms.set(t, Math.max(terms.get(t) ?? 0, BIGRAM_WEIGHT));
  for (const t of analyzed.queryTokens)
    for (const e of expansionsOf(t)) if (!terms.has(e)) terms.set(e, EXPANSION_TERM_WEIGHT);
  // A thesaurus phrase the document never states ("bids due" → "~deadline" where the text says "Bids are due on"):
  // its own words still find the passage, at an expansion's weight so they do not outrank real phrase matches.
  if (index !== undefined) {
    for (const t of queryTermsFor(analyzed, (token) => index.postings.has(token)))
      if (!terms.has(t)) terms.set(t, EXPANSION_TERM_WEIGHT);
  }
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

/**
 * Proximity: the question's words close together ("bonds ... required within ten days" vs "bond" on one page
 * and "required" three sentences on). The best-ranked passages get a bonus for the question terms (weight 1,
 * by IDF) found together inside one window of PROXIMITY_WINDOW words, beyond the first term: a passage
 * naming the whole question in one clause beats one scattering its words. Re-ranks in place.
 */
const PROXIMITY_WINDOW = 12;
const PROXIMITY_CANDIDATES = 40;
const PROXIMITY_WEIGHT = 0.5;

export function proximityScore(
  tokens: readonly string[],
  weights: ReadonlyMap<string, number>,
  window = PROXIMITY_WINDOW,
): number {
  let best = 0;
  const inWindow = new Map<string, number>();
  let sum = 0;
  let max = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    const w = weights.get(t);
    if (w !== undefined) {
      const n = inWindow.get(t) ?? 0;
      if (n === 0) sum += w;
      inWindow.set(t, n + 1);
    }
    const out = i - window;
    if (out >= 0) {
      const o = tokens[out] as string;
      const wo = weights.get(o);
      if (wo !== undefined) {
        const n = (inWindow.get(o) ?? 1) - 1;
        inWindow.set(o, n);
        if (n === 0) sum -= wo;
      }
    }
    if (sum > best) best = sum;
  }
  // The strongest single term is what BM25 already rewards: only the company it keeps counts here.
  for (const w of weights.values()) if (w > max) max = w;
  return Math.max(0, best - Math.min(max, best));
}

/** Token streams of passages read for proximity, per index; bounded (a 1,500-page document has ~10,000 passages). */
const tokenStreams = new WeakMap<SearchIndex, Map<number, string[]>>();
const TOKEN_STREAM_CACHE_MAX = 4_000;

function passageTokens(index: SearchIndex, doc: number): string[] {
  let cache = tokenStreams.get(index);
  if (cache === undefined) tokenStreams.set(index, (cache = new Map()));
  let tokens = cache.get(doc);
  if (tokens === undefined) {
    if (cache.size >= TOKEN_STREAM_CACHE_MAX) cache.clear();
    tokens = analyzeText((index.passages[doc] as Passage).text).tokens;
    cache.set(doc, tokens);
  }
  return tokens;
}

function rerankByProximity(
  index: SearchIndex,
  ranked: Array<{ doc: number; score: number }>,
  terms: WeightedTerm[],
): void {
  const weights = new Map<string, number>();
  for (const { term, weight } of terms)
    if (weight >= 1 && !term.includes('|') && !term.startsWith('#'))
      weights.set(term, inverseDocumentFrequency(index, term));
  if (weights.size < 2 || ranked.length === 0) return;
  const head = ranked.slice(0, PROXIMITY_CANDIDATES);
  const top = (head[0] as { score: number }).score;
  for (const r of head) {
    const tokens = passageTokens(index, r.doc);
    const f = index.features[r.doc] as PassageFeatures;
    r.score += PROXIMITY_WEIGHT * ROLE_FACTOR[f.role] * Math.min(proximityScore(tokens, weights), top);
  }
  head.sort((a, b) => b.score - a.score || a.doc - b.doc);
  ranked.splice(0, head.length, ...head);
}

/** The k best passages for a question, best first. Passages sharing no term with the query are never returned. */
export function retrieve(index: SearchIndex, question: Question, section: Section, k: number): RetrievedPassage[] {
  const scores = new Map<number, number>();
  const questionTerms = buildQueryTerms(question, section, index);
  for (const { term, weight } of questionTerms) {
    if (term.includes('|')) {
      // A word pair counts once per passage (tf 1), normalised like any term.
      const docs = index.pairPostings.get(term);
      if (docs === undefined) continue;
      const idf = inverseDocumentFrequency(index, term);
      for (const doc of docs) {
        const norm = 1 - BM25_B + (BM25_B * (index.lengths[doc] as number)) / (index.avgLength || 1);
        scores.set(doc, (scores.get(doc) ?? 0) + (weight * idf * (BM25_K1 + 1)) / (1 + BM25_K1 * norm));
      }
      continue;
    }
    const list = index.postings.get(term);
    if (list === undefined) continue;
    const idf = inverseDocumentFrequency(index, term);
    for (const { doc, tf } of list) {
      const norm = 1 - BM25_B + (BM25_B * (index.lengths[doc] as number)) / (index.avgLength || 1);
      const s = (weight * idf * (tf * (BM25_K1 + 1))) / (tf + BM25_K1 * norm);
      scores.set(doc, (scores.get(doc) ?? 0) + s);
    }
  }
  // Heading paths: only the question's own words (section context would match whole divisions).
  for (const { term, weight } of questionTerms) {
    if (weight < 1) continue;
    const docs = index.headingPostings.get(term);
    if (docs === undefined) continue;
    const idf = inverseDocumentFrequency(index, term);
    for (const doc of docs)
      if (scores.has(doc)) scores.set(doc, (scores.get(doc) as number) + HEADING_TERM_WEIGHT * idf);
  }
  const intent = readQuestionIntent(question.text, question.expected_type);
  const ranked: Array<{ doc: number; score: number }> = [];
  for (const [doc, raw] of scores) {
    const f = index.features[doc] as PassageFeatures;
    let score = raw * ROLE_FACTOR[f.role];
    if (score <= 0) continue;
    if (typeMatches(f, question)) score *= TYPE_MATCH_BOOST;
    if (f.tocLike) score *= TOC_PENALTY;
    if (intent.titleFact && (f.role === 'cover' || f.firstPage <= TITLE_FACT_MAX_PAGE)) score *= TITLE_FACT_BOOST;
    if (f.notice) score *= NOTICE_BOOST;
    ranked.push({ doc, score });
  }
  // Ties broken by position so the ranking is deterministic.
  ranked.sort((a, b) => b.score - a.score || a.doc - b.doc);
  rerankByProximity(index, ranked, questionTerms);
  return ranked.slice(0, k).map(({ doc, score }) => ({ passage: index.passages[doc] as Passage, score }));
}
