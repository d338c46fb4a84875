/**
 * The offline engine: deterministic, no network. For each question it reads the sentences of the top
 * retrieved passages, picks the one that covers the question best, quotes it verbatim and pulls out the
 * value the expected type asks for. It abstains (answer null, confidence < 0.3) when the evidence is weak,
 * because a confident wrong answer costs an estimator more than "not found". Guardrails are not used:
 * they are free text for a model to reason with, and lexical matching on them would only add noise.
 *
 * Confidence comes from the evidence, not a constant:
 *  - coverage: the share of the question's (IDF-weighted) terms found in the sentence and its passage,
 *  - margin: how far the best sentence beats the best one giving a different answer,
 *  - type match: a number question answered by a sentence with no fitting number is weak,
 *  - OCR: text read by OCR may hold misread digits.
 */
import type { IngestedPage } from '../../ingest/types.js';
import type { ExpectedType, Question } from '../../questions/types.js';
import type { AnalysisEngine, CandidateAnswer, Passage, PlanArgs, RetrievedPassage, WorkUnit } from '../engine.js';
import { ZERO_USAGE, type Usage } from '../types.js';
import { computeAnswerKey } from '../accumulate.js';
import { extractValue, findDates, findQuantities, isConditionBound, type ExtractedValue } from '../extract-value.js';
import { askedMeasure, formWordStems, readQuestionIntent, unitClassesFor, type Attribute } from '../question-intent.js';
import type { PageRole } from '../../ingest/page-structure.js';
import { buildOutline, type DocumentOutline } from '../outline.js';
import { CONFIDENCE_BANDS } from '../confidence-bands.js';
import { findOwner, findProjectName, titleFactKind } from '../title-facts.js';
import { answerFromFactSheet, findLabelledFields, type LabelledField } from '../fact-sheet.js';
import { collapseWhitespace, normalizeForMatch } from '../normalize-text.js';
import { THESAURUS } from '../thesaurus.js';
import { enumerationOf, isCrossReference, sentencesOfPassage, type SentenceSpan } from '../passages.js';
import {
  contrastingQualifier,
  heightByValue,
  isLabelLike,
  missesMeasuredThing,
  missesPurpose,
  namesOpposedSide,
  paragraphBefore,
} from '../subject-binding.js';
import { getSearchIndex, inverseDocumentFrequency, isTocLike, type SearchIndex } from '../retrieval.js';
import { analyzeText, queryTermsFor, tokenize } from '../tokenize.js';
import { joinTimeContinuation } from '../time-continuation.js';
import { clauseForQualifier } from '../qualified-values.js';
import { askedLimits, statedLimitTokens } from '../value-limits.js';
import { supersedingReading } from '../supersession.js';
import { askedMethodVerbs, statesMeans } from '../method-question.js';
import { announcesItems, askedThings, leadInNamesThings } from '../asked-things.js';
import { asksExperience, statesPastWork, statesQualificationOnly } from '../past-experience.js';
import { askedAct, namesAct } from '../asked-act.js';
import { asksContact, statesContact, withoutContactDetails } from '../contact-question.js';
import { statesInquiryHandling } from '../inquiry-subject.js';
import { rowWithLabels } from '../table-rows.js';

/** Passages read per question: deeper than this the right sentence is almost never found by lexical ranking. */
export const EXTRACTIVE_PASSAGES_PER_QUESTION = 8;
/** Below this share of the question's term weight, the best sentence is about something else: abstain. */
export const MIN_COVERAGE = 0.5;
/** Below this confidence the engine abstains. */
export const ABSTAIN_BELOW = 0.35;
/** Abstentions report a confidence under 0.3, the line under which answers read as "not found". */
const ABSTAIN_CONFIDENCE_CEILING = 0.29;
/** Confidence never reaches 1: a lexical match cannot rule out a superseding addendum. */
const MAX_CONFIDENCE = 0.95;
/** Score multipliers when the sentence lacks the kind of value the type asks for. */
const TYPE_MISS_FACTOR: Record<ExpectedType, number> = {
  number: 0.55,
  date: 0.55,
  boolean: 0.7,
  list: 0.85,
  technical_spec: 0.8,
  string: 1,
};
/** OCR'd text: digits and codes may be misread. Scaled further by the page's mean OCR word confidence. */
const OCR_FACTOR = 0.85;
/** Token sets kept for reuse between questions of a run (a few MB at most). */
const TOKEN_CACHE_MAX_ENTRIES = 5_000;
/** Other places giving the same value that are cited with the answer. */
const MAX_AGREEING_PLACES = 2;
/** A competing answer this close to the best one is shown as a variant. */
const VARIANT_SCORE_RATIO = 0.85;
/** Sentences shorter than this without any number are headings or labels: they cannot carry an answer. */
const MIN_SENTENCE_WORDS = 5;
/** Score multiplier for a sentence lacking a value of the asked attribute (it may still win, and then abstains). */
const ATTRIBUTE_MISS_FACTOR = 0.7;
/** Sentences of a form (labels, blanks, certifications) answer rarely: their score is discounted. */
const FORM_SENTENCE_FACTOR = 0.7;
/** A sentence naming the question's topic only as one item of a long enumeration mentions it in passing. */
const PASSING_MENTION_FACTOR = 0.6;
/** A sentence pointing to another section for the fact ("as specified in Section 00 73 16") states no value itself. */
const CROSS_REFERENCE_FACTOR = 0.7;
/** Confidence reported when the topic is found but the asked attribute is not. */
const NEAR_MISS_CONFIDENCE = 0.25;
/** A sentence ending in ":" introduces a list: up to this many words of what follows are quoted with it. */
const LIST_CONTINUATION_WORDS = 90;
const MAX_ANSWER_CHARS = 400;
/** Score multiplier, for a question asking how an act is done, of a sentence naming no means for it. */
const NO_MEANS_FACTOR = 0.85;
/** Score multiplier, for a question asking who to contact, of a sentence giving no e-mail or telephone. */
const NO_CONTACT_FACTOR = 0.9;
/** Score multiplier of a lead-in, read with its items, that names the things a "What <things> ..." question asks. */
const LEAD_IN_OF_THINGS_FACTOR = 1.15;
/** Score multiplier of a sentence stating a bidder's past work when the question is not about experience. */
const PAST_WORK_FACTOR = 0.85;
/** Score multiplier of a sentence not naming the act a question ends with ("... be awarded?"). */
const NO_ACT_FACTOR = 0.9;
/** A value an addendum revised is reported beside the revision at most at this share of its confidence. */
const SUPERSEDED_CONFIDENCE_RATIO = 0.8;

/**
 * Words every checklist question and every spec uses ("required", "provide", "amount"): whether a sentence
 * has them says little about whether it answers. Their weight is capped, even when a small document
 * happens to lack them (which would otherwise make them look rare and important).
 */
const GENERIC_TERMS = new Set(
  [
    'required',
    'requirement',
    'provide',
    'provision',
    'amount',
    'total',
    'type',
    'detail',
    'item',
    'work',
    'project',
    'contractor',
    'general',
    'need',
    'shall',
    'must',
    'apply',
    // A checklist's frame ("Are there specific ... requirements?", "What ... requirements exist?"): the topic is the
    // other words.
    'specific',
    'specified',
    'exist',
  ].flatMap((w) => analyzeText(w).queryTokens),
);

/**
 * Nouns a checklist puts after its topic ("monitoring equipment", "inspection equipment", "acceptance procedures"):
 * generic there, since any spec sentence about any equipment has the word, but the topic when nothing names a kind of
 * it ("What specific equipment or machinery is required?").
 */
const FRAME_NOUNS = new Set(['equipment', 'procedure', 'procedures'].flatMap((w) => analyzeText(w).queryTokens));

/** The question's generic words: GENERIC_TERMS, and a frame noun right after a topic word. */
function genericTermsOf(questionText: string): ReadonlySet<string> {
  const tokens = analyzeText(questionText).queryTokens;
  const generic = new Set(GENERIC_TERMS);
  tokens.forEach((t, i) => {
    const before = tokens[i - 1];
    if (FRAME_NOUNS.has(t) && before !== undefined && !GENERIC_TERMS.has(before) && !FRAME_NOUNS.has(before))
      generic.add(t);
  });
  return generic;
}
const GENERIC_TERM_WEIGHT = 0.15;

interface Concept {
  alternatives: string[];
  /** IDF of each alternative. */
  weights: number[];
  /**
   * What the concept weighs in the question: its rarest alternative that occurs in the document (or its rarest one if
   * none does).
   */
  weight: number;
}

interface SentenceLike {
  text: string;
  pages: number[];
  /** Exact page-text pieces (one per contiguous stretch of a page); absent for passages built elsewhere. */
  spans?: SentenceSpan[];
  headingPath?: string;
  heading?: boolean;
  role?: PageRole;
  tableRow?: boolean;
  /** A lead-in with its list items: the sentences it was joined from. */
  parts?: SentenceLike[];
}

interface Scored {
  text: string;
  pages: number[];
  spans: SentenceSpan[] | undefined;
  passageId: string;
  rank: number;
  score: number;
  coverage: number;
  typeFactor: number;
  value: ExtractedValue;
  valueKey: string;
  /** The sentence holds a value of the attribute the question asks for (always true when it asks for none). */
  attributeFound: boolean;
  /** Which subject-binding rule the sentence fails (null when bound): for traces. */
  unbound?: string | null;
  parts?: SentenceLike[];
  /** Heading path and lead-in (with a table's header) read with the sentence. */
  context?: string;
}

/** Diagnostics only (eval/diagnose.ts): sees each question's best readings before the engine decides. */
export type ExtractiveTrace = (event: {
  question: Question;
  intent: { attribute: Attribute };
  best: Scored;
  rival: Scored | undefined;
  confidence: number;
  scored: Scored[];
}) => void;
let extractiveTrace: ExtractiveTrace | null = null;
export function setExtractiveTrace(trace: ExtractiveTrace | null): void {
  extractiveTrace = trace;
}

function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/**
 * The question's terms grouped into concepts. Alternatives count once: "(steam, hot water, UV, ambient)"
 * or "owner or contracting authority" is answered by any one of them, so a document naming only "hot
 * water" is not punished for lacking "steam".
 */
export function buildCoverageConcepts(
  questionText: string,
  index: SearchIndex,
  formWords: ReadonlySet<string> = new Set(),
): Concept[] {
  const groups: string[][] = [];
  const genericTerms = genericTermsOf(questionText);
  const withoutParens = questionText.replace(/\(([^)]*)\)/g, (_m, inner: string) => {
    const alts = queryTermsFor(analyzeText(inner), (t) => index.postings.has(t));
    if (alts.length > 0) groups.push(alts);
    return ' ';
  });
  const segments = withoutParens
    .split(/\s+or\s+/i)
    .map((seg) => queryTermsFor(analyzeText(seg), (t) => index.postings.has(t)));
  // Around each "or": the last term before it and the first two after it are alternatives. (Measured: only the
  // first one after it abstains more on absent topics but loses more answerable questions; see docs/analysis.md.)
  const orGroups: Array<Set<string>> = [];
  // Generic words ("requirements", "project") never stand in for a topic word: "Buy America or ... requirements"
  // must not be satisfied by any sentence saying "required". They stay concepts of their own, at their low weight.
  const specific = (tokens: string[]) => tokens.filter((t) => !genericTerms.has(t));
  for (let i = 0; i + 1 < segments.length; i++) {
    const before = specific(segments[i] as string[]);
    const after = specific(segments[i + 1] as string[]);
    const group = new Set<string>([...before.slice(-1), ...after.slice(0, 2)]);
    const overlapping = orGroups.find((g) => [...group].some((t) => g.has(t)));
    if (overlapping !== undefined) for (const t of group) overlapping.add(t);
    else if (group.size > 0) orGroups.push(group);
  }
  const inOrGroup = new Set(orGroups.flatMap((g) => [...g]));
  for (const seg of segments) for (const t of seg) if (!inOrGroup.has(t)) groups.push([t]);
  for (const g of orGroups) groups.push([...g]);
  const seen = new Set<string>();
  const concepts: Concept[] = [];
  for (const g of groups) {
    // Words that only name the kind of value asked ("how long", "what date") are not the topic.
    const alts = [...new Set(g)].filter((t) => !seen.has(t) && !formWords.has(t));
    if (alts.length === 0) continue;
    for (const t of alts) seen.add(t);
    const weights = alts.map((t) =>
      genericTerms.has(t)
        ? Math.min(GENERIC_TERM_WEIGHT, inverseDocumentFrequency(index, t))
        : inverseDocumentFrequency(index, t),
    );
    const present = weights.filter((_w, i) => index.postings.has(alts[i] as string));
    concepts.push({ alternatives: alts, weights, weight: Math.max(...(present.length > 0 ? present : weights)) });
  }
  return concepts;
}

/**
 * "The maximum length" is stated as "shall not be more than ten (10) pages": a limit word of the question
 * (value-limits.ts) is matched by any way of stating that limit, at the word's own weight.
 */
function withStatedLimits(concepts: Concept[], questionText: string): void {
  for (const limit of askedLimits(questionText)) {
    for (const c of concepts) {
      if (!c.alternatives.some((t) => limit.stems.includes(t)) || c.alternatives.includes(limit.token)) continue;
      c.alternatives.push(limit.token);
      c.weights.push(c.weight);
    }
  }
}

/**
 * The pseudo-token of a stated frequency (value-limits.ts): "daily", "each month" are said of many things, so a
 * sentence naming only a frequency names nothing of the question. (Measured: doing the same for "maximum" and
 * "minimum" raised a wrong answer's margin into the high band on the eval.)
 */
const FREQUENCY_TOKEN = '^frequency';

/** A question term found only in the heading path above a sentence counts at this share. */
const HEADING_CREDIT = 0.7;

function coverageOf(concepts: Concept[], tokens: Set<string>, headingTokens?: Set<string>): number {
  let total = 0;
  let matched = 0;
  for (const c of concepts) {
    total += c.weight;
    // Credit is what the matched alternative is worth: "work" in "noise or working hours" earns little.
    let credit = 0;
    c.alternatives.forEach((t, i) => {
      const worth = Math.min(c.weight, c.weights[i] as number);
      if (tokens.has(t)) credit = Math.max(credit, worth);
      else if (headingTokens?.has(t) === true) credit = Math.max(credit, HEADING_CREDIT * worth);
    });
    matched += credit;
  }
  return total === 0 ? 0 : matched / total;
}

/**
 * A descriptive question ("Are there requirements for monitoring equipment during curing?") is answered in the article
 * titled with its topic ("3.7 LINER CURING") sooner than by a sentence elsewhere that shares its generic words ("safety
 * equipment including gas-monitoring devices"): a sentence's score grows by up to this share with the share of the
 * question's topic words its article's title names. Counted per word, not by rarity: an article's own topic is common
 * in it ("curing" throughout a curing specification).
 */
const ARTICLE_TOPIC_CREDIT = 0.5;

/** A heading's numbering ("3.7", "PART 3", "B.", "(a)"): not a word of its title. */
const HEADING_LABEL = /^(?:(?:part|article|section)\s+)?(?:\d+(?:\.\d+)*\.?|[a-z]\.|\(?[a-z0-9]{1,3}\))\s*/i;

/**
 * The title of the article a sentence sits in: the deepest heading of its path with words beyond its numbering ("Liner
 * Curing" for "33 01 30.73 Cured-In-Place Liner Pipe › PART 3 Execution › 3.7 Liner Curing › B."). The path's first
 * heading titles the whole document or section, so it titles no one article.
 */
export function articleTitleOf(headingPath: string): string {
  const segments = headingPath.split(' › ').slice(1);
  for (let i = segments.length - 1; i >= 0; i--) {
    const title = (segments[i] as string).replace(HEADING_LABEL, '').trim();
    if (/[a-z]{3}/i.test(title)) return title;
  }
  return '';
}

/**
 * Share of the question's topic concepts (those not all generic) that the title's tokens name; 0 unless the sentence
 * names one of them itself: the title confirms a sentence's topic, it never stands in for it ("These pits shall be
 * excavated in advance" under "FLOW DIVERSION" says nothing of bypass pumping).
 */
function titleTopicShare(
  concepts: Concept[],
  titleTokens: Set<string>,
  ownTokens: Set<string>,
  generic: ReadonlySet<string>,
): number {
  const topical = concepts.filter((c) => c.alternatives.some((t) => !generic.has(t)));
  const names = (tokens: Set<string>) => (c: Concept) => c.alternatives.some((t) => !generic.has(t) && tokens.has(t));
  if (!topical.some(names(ownTokens))) return 0;
  return topical.filter(names(titleTokens)).length / topical.length;
}

/**
 * True when the question's terms are found only among the items of an enumeration ("shall provide materials, labor,
 * ..., initial and final CCTV inspection, and final testing") and not in its lead: the topic is named in passing.
 */
function mentionsInPassing(
  concepts: Concept[],
  text: string,
  ownTokens: Set<string>,
  tokensOf: (text: string) => Set<string>,
): boolean {
  const enumeration = enumerationOf(text);
  if (enumeration === null) return false;
  const own = coverageOf(concepts, ownTokens);
  return own > 0 && coverageOf(concepts, tokensOf(enumeration.lead)) < 0.25 * own;
}

/**
 * Calibration (measured with `npm run eval`, reliability table): an answer reaches the high band (≥ 0.8,
 * CONFIDENCE_BANDS.high) only with the evidence that is right there ≥ 90 % of the time — a question asking
 * for a value (an amount, a duration, a date, a count...), a sentence holding a value of that kind bound to the
 * subject, most of the question's words, and a clear lead over the best differing answer. Whole-sentence answers
 * to open questions are right about half the time whatever their word overlap: they stay in the middle band.
 * With the subject-binding rules (subject-binding.ts) the coverage bar was lowered from 0.9 to 0.8: 80 answers in
 * the high band, 96 % right (0.7 would add two more at the same rate; 0.8 keeps a margin for unseen documents).
 */
const HIGH_BAND_CAP = CONFIDENCE_BANDS.high - 0.01;
const HIGH_BAND_MIN_COVERAGE = 0.8;
const HIGH_BAND_MIN_MARGIN = 0.3;

function calibrate(confidence: number, best: Scored, rival: Scored | undefined, attribute: Attribute): number {
  const margin = rival === undefined || best.score <= 0 ? 1 : Math.max(0, (best.score - rival.score) / best.score);
  const strong =
    attribute !== null &&
    best.attributeFound &&
    best.coverage >= HIGH_BAND_MIN_COVERAGE &&
    margin >= HIGH_BAND_MIN_MARGIN;
  return strong ? confidence : Math.min(confidence, HIGH_BAND_CAP);
}

/** "...of this proposed rule?", "...for this project?": the question's last words point at the document itself. */
const SELF_REFERENCE = /\b(?:of|for|in|under|by)\s+this\s+((?:[a-z]+\s+){0,2}[a-z]+)\s*\?*\s*$/i;

/**
 * Words with which the question points at the document being read ("the docket number of this proposed
 * rule"): every page of it is about that, so a sentence need not repeat them to answer, and a sentence that
 * does ("the final rule is effective") is not the nearer for it.
 */
export function documentSelfReference(questionText: string): string[] {
  const m = SELF_REFERENCE.exec(questionText);
  return m === null ? [] : analyzeText(m[1] as string).queryTokens;
}

/** Number tokens of the question ("#12" for "12-inch pipe"), as the index writes them. */
function questionNumbers(questionText: string): string[] {
  return analyzeText(questionText).queryTokens.filter((t) => t.startsWith('#'));
}

/** Text with at least this many values reads as a table (cells run together). */
const TABULAR_MIN_VALUES = 3;

/** "1. At least five years...": numbered items of a list, not cells of a table. */
const NUMBERED_ITEM = /(?:^|\s)\d{1,2}[.)]\s+[A-Z]/;
/** A finite or modal verb: text that has one is a sentence (or a list under a lead-in), not cells of a table row. */
const SENTENCE_VERB = /\b(shall|must|will|may|is|are|be|been|was|were|has|have)\b/i;
/** ", which applies to ...": a relative clause, which a table's cells never hold, makes a sentence. */
const RELATIVE_CLAUSE = /,\s*(which|who|whose|whom)\b/i;

/**
 * Several values and no verb nor clause break after the lead-in (if any): cells of a table run together, where a
 * question's word pair may be split across cells. "Each tenderer shall submit: 1. the form; 2. a bond of 50%;"
 * is a list of clauses, "A non-mandatory meeting will be held at 10:00 a.m. on April 3 in Room 210" a sentence.
 */
export function readsAsTable(text: string): boolean {
  // A lead-in's colon is followed by a space ("10:00 a.m." is a time).
  const colon = Math.max(...[...text.matchAll(/:(?=\s|$)/g)].map((m) => m.index), -1);
  // "... directed to: Dana Roy, Buyer droy@county.ca (780) 555-0199": a telephone number is no cell of a table.
  const body = withoutContactDetails(text.slice(colon + 1));
  // Under a lead-in, two values already make rows; a text of its own needs three (a clause number is one).
  if (body.includes(';') || NUMBERED_ITEM.test(body) || SENTENCE_VERB.test(body) || RELATIVE_CLAUSE.test(body))
    return false;
  return findQuantities(body).length >= (colon >= 0 ? 2 : TABULAR_MIN_VALUES);
}

/** "How many fatalities...": the word counted, and the one after it (to tell "how many linear feet", a measure). */
const HOW_MANY = /\bhow many\s+([a-z][a-z-]*)(?:\s+([a-z][a-z-]*))?/i;
/** A number and the word it counts: "157 fatalities", "three (3) bidders", "(1,200) laterals". */
const NUMBER_THEN_WORD = /\d[\d,]*(?:\.\d+)?\)?\s+([A-Za-z][A-Za-z-]*)/g;

/**
 * True when a "how many <things>" question's things are counted right there in the text ("resulting in
 * 157 fatalities"): the number is bound to the subject whatever else the sentence says. Not for measures
 * ("how many linear feet", "how many days"): a unit follows any number and says nothing of what is measured.
 */
export function countsAskedThing(questionText: string, text: string): boolean {
  const m = HOW_MANY.exec(questionText);
  if (m === null) return false;
  if (findQuantities(`2 ${m[1] as string} ${m[2] ?? ''}`).some((q) => q.unitClass !== null)) return false;
  const counted = tokenize(m[1] as string)[0];
  if (counted === undefined) return false;
  return [...text.matchAll(NUMBER_THEN_WORD)].some((n) => tokenize(n[1] as string)[0] === counted);
}

/**
 * Words naming the kind of value asked ("limit", "amount", "date"), compared by their first five letters: never a
 * qualifier.
 */
const VALUE_KIND_WORDS: ReadonlySet<string> = new Set(
  [
    'limit',
    'amount',
    'cost',
    'value',
    'price',
    'date',
    'time',
    'period',
    'duration',
    'percent',
    'percentage',
    'rate',
    'number',
    'count',
    'quantity',
    'deadline',
    'days',
    'years',
  ]
    .concat([
      'capacity',
      'size',
      'thickness',
      'depth',
      'width',
      'height',
      'weight',
      'length',
      'diameter',
      'volume',
      'area',
      'dimension',
    ])
    .map((w) => w.slice(0, 5)),
);

/** A row or short clause: where the neighbouring row's value is the usual wrong answer. */
const ROW_MAX_WORDS = 25;
/** Words that qualify any quantity ("minimum flexural strength"): a row need not repeat them. */
const UNBINDING_MODIFIERS = new Set(
  ['minimum', 'maximum', 'total', 'averag', 'estimat', 'each', 'per', 'annual', 'typical', 'nominal'].flatMap((w) =>
    analyzeText(w).queryTokens.concat([w]),
  ),
);
/** "new" and "proposed" say the thing is the work's own, which a bid schedule row ("72-inch Culvert") omits. */
const GENERIC_QUALIFIERS = new Set(['new', 'proposed'].flatMap((w) => analyzeText(w).queryTokens));

/**
 * Whether the text itself names a word in other words: its stem or word synonym ("lining" is a "Liner"), or, for a
 * phrase concept, one of the concept's spelled-out phrases ("CIPP" as "Cured-In-Place Liner"). A concept's single
 * words are often sibling kinds ("DBE", "LBE" and "WBE" are one concept) and the context is not the text: a
 * "Proposal" elsewhere in the article is no bid bond.
 */
export function namedInOtherWords(word: string, text: string, tokens: Set<string>): boolean {
  return analyzeText(word).queryTokens.some((t) => {
    if (!t.startsWith('~')) return tokens.has(t);
    const phrases = (THESAURUS.phrases[t.slice(1)] ?? []).filter((p) => p.includes(' '));
    const normalized = normalizeForMatch(text);
    return phrases.some((p) => new RegExp(`\\b${p.split(' ').join('[\\s-]+')}\\b`).test(normalized));
  });
}

const sideBySideCache = new Map<string, Set<string>>();

/**
 * The question's word pairs written side by side ("professional liability", "design-build"): a pair only binds
 * when no stop-word or punctuation stands between its words. "before releasing the head", "expected to be
 * awarded", "withdrawn or modified" or "models does the AD" are a verb and its object or two alternatives, which a
 * paraphrase ("relieving the static head", "anticipates awarding", "This AD applies to ... Model 737") rewords
 * or splits freely; only a compound names a kind of thing the text must name too.
 */
export function sideBySidePairs(questionText: string): Set<string> {
  let pairs = sideBySideCache.get(questionText);
  if (pairs !== undefined) return pairs;
  pairs = new Set<string>();
  const chunks: string[][] = [[]];
  let previous = '';
  for (const m of questionText.matchAll(/[A-Za-z0-9][A-Za-z0-9'’.\-–]*|[^\sA-Za-z0-9]+/g)) {
    const raw = m[0];
    const word = raw.toLowerCase();
    // "the effective size of the garnet" is the garnet's effective size: "of" (and its article) joins a pair.
    const joins = word === 'of' || (previous === 'of' && /^(the|a|an)$/.test(word));
    previous = word;
    const breaks = /^[A-Za-z0-9]/.test(raw)
      ? !joins && analyzeText(raw).queryTokens.length === 0
      : !/^[-–'’]+$/.test(raw);
    if (breaks) chunks.push([]);
    else chunks[chunks.length - 1]?.push(raw);
  }
  for (const chunk of chunks) if (chunk.length > 1) for (const b of analyzeText(chunk.join(' ')).bigrams) pairs.add(b);
  if (sideBySideCache.size >= 1000) sideBySideCache.clear();
  sideBySideCache.set(questionText, pairs);
  return pairs;
}

/**
 * True when a short text has the head word of a question pair but not its qualifier: "Automobile Liability
 * $1,000,000" has "liability" but not "professional", so it does not state the professional liability limit.
 */
export function missesQualifier(
  questionText: string,
  tokens: Set<string>,
  formWords: ReadonlySet<string> = new Set(),
  headingTokens?: Set<string>,
): boolean {
  const sideBySide = sideBySidePairs(questionText);
  return analyzeText(questionText).bigrams.some((b) => {
    const [a, c] = b.split('|') as [string, string];
    if (
      a === c ||
      !sideBySide.has(b) ||
      a.startsWith('~') ||
      GENERIC_TERMS.has(a) ||
      GENERIC_TERMS.has(c) ||
      formWords.has(a) ||
      formWords.has(c) ||
      UNBINDING_MODIFIERS.has(a) ||
      GENERIC_QUALIFIERS.has(a) ||
      a.startsWith('#')
    )
      return false;
    return tokens.has(c) && !tokens.has(a) && headingTokens?.has(a) !== true;
  });
}

/**
 * True when both words of an adjacent question pair ("tensile modulus") occur in the text but never side
 * by side: the text names them in different cells or clauses, so it does not speak of the pair.
 */
export function splitsQuestionPair(
  questionText: string,
  text: string,
  tokens: Set<string>,
  formWords: ReadonlySet<string> = new Set(),
): boolean {
  const q = analyzeText(questionText);
  const pairs = new Set(analyzeText(text).bigrams);
  const sideBySide = sideBySidePairs(questionText);
  return q.bigrams.some((b) => {
    const [a, c] = b.split('|') as [string, string];
    if (
      a === c ||
      !sideBySide.has(b) ||
      a.startsWith('~') ||
      c.startsWith('~') ||
      GENERIC_TERMS.has(a) ||
      GENERIC_TERMS.has(c) ||
      formWords.has(a) ||
      formWords.has(c)
    )
      return false;
    return tokens.has(a) && tokens.has(c) && !pairs.has(b) && !pairs.has(`${c}|${a}`);
  });
}

const IDENTIFIER_VALUE = /(?:\bno\.?|\bnumber|#|\bid)\s*:?\s*[A-Z0-9][A-Z0-9\-–/.]*\d/i;
const RELATIVE_DEADLINE =
  /\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|twenty|thirty|sixty|ninety)\s*(\(\d+\)\s*)?(calendar |working |business |consecutive )?(minutes?|days?|hours?|weeks?|months?|years?)\s+(before|prior to|after|following|from)\b/i;
/**
 * A day of every month ("on or before the tenth (10th) day of each month", "by the 25th of the month") or the end of
 * a stated period ("prior to expiration of the one year post-construction period"): the when of recurring and
 * period-bound events.
 */
const RECURRING_DAY =
  /\b(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fifth|tenth|fifteenth|twentieth|twenty-fifth|last)\s*(?:\(\d{1,2}(?:st|nd|rd|th)\)\s*)?(?:day\s+)?of\s+(?:each|every|the|the following)\s+(?:calendar\s+)?month\b|\b(?:prior to|before|upon|at)\s+(?:the\s+)?(?:expiration|expiry|end)\s+of\s+the\b/i;
const TIME_OF_DAY = /\b\d{1,2}(:\d{2}){1,2}\s*(a\.?m\.?|p\.?m\.?)?|\b\d{1,2}\s*(a\.m\.|p\.m\.)|\bnoon\b/i;

/** "Service Bulletin 737-31-1860, dated June 12, 2020": a date that identifies a document, not an event of the work. */
const DOCUMENT_DATE = /\b(?:dated|revised|rev\.|issued)\s*:?\s*$/i;
/** A question about a document's own date ("When was the addendum issued?", "What is the bulletin dated?"). */
const DOCUMENT_DATE_QUESTION =
  /\b(dated|issued?|revis\w*|version|bulletin|addend\w*|letter|publish\w*|signed|document)\b/i;

/** The text with the dates that identify documents ("..., dated June 12, 2020") blanked out. */
export function withoutDocumentDates(text: string): string {
  let out = text;
  for (const d of findDates(text).reverse()) {
    if (DOCUMENT_DATE.test(text.slice(Math.max(0, d.index - 12), d.index)))
      out = `${out.slice(0, d.index)}${' '.repeat(d.raw.length)}${out.slice(d.index + d.raw.length)}`;
  }
  return out;
}

const MONTH_NAME = '(?:January|February|March|April|May|June|July|August|September|October|November|December)';
/** "from June 15 to September 30", "between May 1 and October 15": a window of days of every year. */
const MONTH_DAY_RANGE = new RegExp(
  `\\b${MONTH_NAME}\\s+\\d{1,2}(?:st|nd|rd|th)?\\s*(?:to|through|until|and|-|–)\\s*${MONTH_NAME}\\s+\\d{1,2}\\b`,
);

/** Words asking for a bound ("the maximum amount payable by check"): a condition's threshold then answers. */
const ASKS_BOUND =
  /\b(maximum|minimum|max|min|threshold|limit|up to|at most|at least|less than|more than|over|under|above|below|exceed\w*)\b/i;

const MEASURE_VALUE = /=\s*[A-Z]{0,3}-?\d|\b[A-Z]{1,2}-?\d{2}\b/;

/** Whether the text holds a value of the asked attribute (true when the question asks for none). */
export function holdsAttribute(text: string, attribute: Attribute, asksBound = true): boolean {
  switch (attribute) {
    case null:
      return true;
    case 'identifier':
      // "Docket No. FAA–2020–0686", "Contract Number: 21-004", "Bid #7731": a number sign and a code with a digit.
      return IDENTIFIER_VALUE.test(text);
    case 'date':
      // A deadline may be written relative to another ("10 calendar days before the bid opening") or as a time of day.
      // A seasonal window names days without a year ("allowed only from June 15 to September 30").
      return (
        findDates(text).length > 0 ||
        RELATIVE_DEADLINE.test(text) ||
        RECURRING_DAY.test(text) ||
        TIME_OF_DAY.test(text) ||
        MONTH_DAY_RANGE.test(text)
      );
    case 'phone':
      return /\(?\d{3}\)?[\s.\-–]?\d{3}[\s.\-–]\d{4}\b/.test(text);
    case 'email':
      return /\b[\w.+-]+@[\w-]+\.[\w.]+\b/.test(text);
    case 'count':
      return findQuantities(text).length > 0;
    case 'hours':
      return TIME_OF_DAY.test(text);
    case 'weighting':
      // "Cost Estimate H 30" under a "Weighting (%)" header: a percentage, or points written bare.
      return findQuantities(text).some(
        (q) => q.unitClass === 'percent' || (q.unit === null && Number.isInteger(q.number) && q.number <= 100),
      );
    case 'measure':
      // A quantity with a unit, a design value ("Groundwater Depth = 2+/- ft", "Live Load = H20") or a load
      // designation.
      return (
        MEASURE_VALUE.test(text) ||
        findQuantities(text).some(
          (q) => q.unitClass !== null && (unitClassesFor(attribute) ?? []).includes(q.unitClass),
        )
      );
    default: {
      const classes = unitClassesFor(attribute) ?? [];
      return findQuantities(text).some(
        (q) => q.unitClass !== null && classes.includes(q.unitClass) && (asksBound || !isConditionBound(text, q.index)),
      );
    }
  }
}

function abstention(question: Question, confidence: number): CandidateAnswer {
  return {
    question_id: question.id,
    answer: null,
    value: null,
    quotes: [],
    confidence: Math.min(Math.max(confidence, 0), ABSTAIN_CONFIDENCE_CEILING),
  };
}

function truncate(text: string): string {
  return text.length <= MAX_ANSWER_CHARS ? text : `${text.slice(0, MAX_ANSWER_CHARS - 1).trimEnd()}\u2026`;
}

class ExtractiveEngine implements AnalysisEngine {
  readonly name = 'extractive' as const;
  readonly model = null;
  private index: SearchIndex | null = null;
  private ocrConfidence = new Map<number, number | null>();
  private pageText = new Map<number, string>();
  private tokenCache = new Map<string, Set<string>>();
  private sentences: SentenceLike[] | null = null;
  private pages: IngestedPage[] = [];
  private outline: DocumentOutline | null = null;
  private fields: LabelledField[] | null = null;

  planUnits(args: PlanArgs): WorkUnit[] {
    this.index = getSearchIndex(args.passages);
    this.sentences = args.sentences ?? null;
    this.recordOcrPages(args.pages);
    const position = new Map(args.passages.map((p, i) => [p.id, i]));
    return args.sections.map((section) => {
      const retrieved: Record<string, RetrievedPassage[]> = {};
      const used = new Map<string, Passage>();
      for (const q of section.questions) {
        const ranked = (args.retrieved.get(q.id) ?? []).slice(0, EXTRACTIVE_PASSAGES_PER_QUESTION);
        retrieved[q.id] = ranked;
        for (const r of ranked) used.set(r.passage.id, r.passage);
      }
      const passages = [...used.values()].sort((a, b) => (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0));
      return { key: `extractive:${section.section_id}`, section, questions: section.questions, passages, retrieved };
    });
  }

  estimateUnit(): { prompt_tokens: number; completion_tokens: number; cost_usd: number } {
    return { prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 };
  }

  async answerUnit(unit: WorkUnit): Promise<{ answers: CandidateAnswer[]; usage: Usage }> {
    const index = this.index ?? getSearchIndex(unit.passages);
    const answers = unit.questions.flatMap((q) => this.answerQuestion(q, unit.retrieved[q.id] ?? [], index));
    return { answers, usage: { ...ZERO_USAGE } };
  }

  /**
   * Owner and project name from their set places (title-facts.ts); null when the question asks neither or none is
   * found.
   */
  private titleFact(question: Question): CandidateAnswer | null {
    const kind = titleFactKind(question.text);
    if (kind === null || this.pages.length === 0) return null;
    this.outline ??= buildOutline(this.pages);
    const fact = kind === 'owner' ? findOwner(this.pages, this.outline) : findProjectName(this.pages, this.outline);
    if (fact === null) return null;
    return {
      question_id: question.id,
      answer: fact.answer,
      value: null,
      quotes: [{ text: fact.quote, pages: [fact.page] }],
      confidence: fact.confidence * this.ocrFactor([fact.page]),
    };
  }

  /** A "LABEL: value" line of the project information page or notice that names what is asked (fact-sheet.ts). */
  private factSheet(question: Question): CandidateAnswer | null {
    if (this.pages.length === 0) return null;
    this.outline ??= buildOutline(this.pages);
    this.fields ??= findLabelledFields(this.pages, this.outline);
    const found = answerFromFactSheet(question, this.fields, holdsAttribute);
    if (found === null) return null;
    const value = extractValue(found.value, question.expected_type, question.text);
    return {
      question_id: question.id,
      answer: truncate(found.value),
      value: value.value,
      quotes: [{ text: found.quote, pages: [found.page] }],
      confidence: found.confidence * this.ocrFactor([found.page]),
    };
  }

  private recordOcrPages(pages: IngestedPage[]): void {
    this.pages = pages;
    for (const p of pages) {
      this.pageText.set(p.pageNumber, p.text);
      if (p.ocr) this.ocrConfidence.set(p.pageNumber, p.ocrConfidence);
    }
  }

  private tokensOf(text: string): Set<string> {
    let tokens = this.tokenCache.get(text);
    if (tokens === undefined) {
      // Bounded: on a 1,500-page document the sentences read over 100 questions would otherwise all stay cached.
      if (this.tokenCache.size >= TOKEN_CACHE_MAX_ENTRIES) this.tokenCache.clear();
      tokens = new Set([...tokenize(text), ...statedLimitTokens(text)]);
      this.tokenCache.set(text, tokens);
    }
    return tokens;
  }

  private ocrFactor(pages: number[]): number {
    let factor = 1;
    for (const p of pages) {
      if (!this.ocrConfidence.has(p)) continue;
      const mean = this.ocrConfidence.get(p) ?? null;
      factor = Math.min(factor, OCR_FACTOR * (mean === null ? 1 : 0.6 + 0.4 * mean));
    }
    return factor;
  }

  private answerQuestion(question: Question, ranked: RetrievedPassage[], index: SearchIndex): CandidateAnswer[] {
    const fact = this.titleFact(question) ?? this.factSheet(question);
    if (fact !== null) return [fact];
    const intent = readQuestionIntent(question.text, question.expected_type);
    const formWords = new Set([...formWordStems(intent.attribute), ...documentSelfReference(question.text)]);
    let concepts = buildCoverageConcepts(question.text, index, formWords);
    // "When are bids due?": when the form words are all there is, they are the topic.
    if (concepts.length === 0) concepts = buildCoverageConcepts(question.text, index);
    withStatedLimits(concepts, question.text);
    // "How often are progress payments made?": a sentence stating some frequency ("on the daily report") but no word of
    // the topic states how often something else happens.
    const topicConcepts = concepts.filter((c) => !c.alternatives.includes(FREQUENCY_TOKEN));
    const numbers = questionNumbers(question.text);
    const genericTerms = genericTermsOf(question.text);
    const measure = intent.attribute === 'measure' ? askedMeasure(question.text) : null;
    const asksDocumentDate = DOCUMENT_DATE_QUESTION.test(question.text);
    const methodVerbs = askedMethodVerbs(question.text);
    const asksForContact = asksContact(question.text);
    const things = askedThings(question.text);
    const questionOnExperience = asksExperience(question.text);
    const act = askedAct(question.text);
    // "What is the maximum amount that may be paid by check?" asks the bound a condition sets.
    const asksBound = ASKS_BOUND.test(question.text);
    const top = ranked.slice(0, EXTRACTIVE_PASSAGES_PER_QUESTION);
    const topScore = top[0]?.score ?? 0;
    if (concepts.length === 0 || top.length === 0 || topScore <= 0) return [abstention(question, 0)];

    const scored: Scored[] = [];
    const typed =
      question.expected_type === 'number' || question.expected_type === 'date' || question.expected_type === 'boolean';
    top.forEach((r, rank) => {
      const passageCoverage = coverageOf(concepts, this.tokensOf(r.passage.text));
      const sentences: SentenceLike[] = this.sentencesOf(r.passage);
      sentences.forEach((own, i) => {
        // A time of day cut from its clause ("... by 2:00 p.m." / "(Mountain Time) on April 2"): read both.
        const previous = i > 0 ? sentences[i - 1] : this.sentenceBefore(r.passage);
        const s = joinTimeContinuation(previous, own) ?? this.rowWithLabels(sentences, i, r.passage) ?? own;
        // A heading or a blank/contents page states no requirement; a short line answers only with a value in it.
        if (s.heading === true || s.role === 'blank' || s.role === 'toc') return;
        if (countWords(s.text) < MIN_SENTENCE_WORDS && !/\d/.test(s.text)) return;
        if (s.tableRow !== true && isTocLike(s.text)) return;
        // A title-case heading or a form's field prompts label a place; they never state its answer.
        if (s.tableRow !== true && isLabelLike(s.text)) return;
        // A lead-in brings its list items, unless the question wants one value (one row of that list).
        const { text, pages, spans, parts } =
          intent.attribute === null || intent.attribute === 'measure'
            ? this.withListContinuation(sentences, i, question.expected_type, r.passage, s)
            : s;
        const ownTokens = this.tokensOf(text);
        // Headings add context to a sentence that names something of the question itself, never stand in for it.
        // A bullet reads as the end of its lead-in ("You may send comments by any of the following methods: • Fax:
        // ..."):
        // the lead-in's words count like a heading's.
        const context = [s.headingPath ?? '', leadInOf(sentences, i, s.tableRow === true || readsAsTable(s.text)) ?? '']
          .join(' ')
          .trim();
        // ... unless the sentence's own article is titled with the whole question ("ARTICLE 3 - CONTRACT TIME" over
        // "within 120 calendar days"): the title then names what the sentence states.
        const articleTitle = (s.headingPath ?? '').split(' › ').pop() ?? '';
        const titled =
          intent.attribute !== null && articleTitle !== '' && coverageOf(concepts, this.tokensOf(articleTitle)) >= 1;
        const headingTokens =
          context !== '' && (titled || coverageOf(concepts, ownTokens) > 0) ? this.tokensOf(context) : undefined;
        const namesTopic =
          topicConcepts.length === 0 ||
          topicConcepts.length === concepts.length ||
          coverageOf(topicConcepts, ownTokens, headingTokens) > 0;
        const coverage = namesTopic
          ? 0.75 * coverageOf(concepts, ownTokens, headingTokens) + 0.25 * passageCoverage
          : 0;
        // A lead-in's list: its items are the list asked for ("must demonstrate the following: 1. ... 2. ...").
        const value =
          parts !== undefined && question.expected_type === 'list'
            ? listOfItems(parts)
            : extractValue(text, question.expected_type, question.text);
        const tokens = this.tokensOf(text);
        // Bound to the subject: the question's own numbers ("12-inch pipe", "Flight 610") must be in the
        // sentence, and in tabular text (several values) a word pair of the question must not be split
        // across cells ("Tensile Strength 3,000 psi Flexural Modulus 250,000 psi" says nothing of a tensile modulus).
        const unbound = !numbers.every((n) => tokens.has(n))
          ? 'question-number'
          : !(
                !readsAsTable(text) ||
                countsAskedThing(question.text, text) ||
                !splitsQuestionPair(question.text, text, tokens, formWords)
              )
            ? 'split-pair'
            : !(
                  intent.attribute === null ||
                  countWords(text) > ROW_MAX_WORDS ||
                  !missesQualifier(question.text, tokens, formWords, headingTokens)
                )
              ? 'misses-qualifier'
              : // "Employer's liability" does not state an umbrella liability limit, "Substantial Completion" no final
                // completion date.
                !(
                    intent.attribute === null ||
                    contrastingQualifier(question.text, text, context, VALUE_KIND_WORDS, (w) =>
                      namedInOtherWords(w, text, tokens),
                    ) === null
                  )
                ? 'contrasting-qualifier'
                : // A property table without the asked measure ("thickness") gives other properties' values.
                  !(
                      measure === null ||
                      `${text} ${context}`.toLowerCase().includes(measure) ||
                      heightByValue(measure, question.text, text, findQuantities(text))
                    )
                  ? 'measure-missing'
                  : // "Damages ... for late completion" is not stated by damages "where flooding occurs"; the
                    // paragraph's earlier sentences may name the purpose ("The bypass shall ...").
                    !(
                        intent.attribute === null ||
                        !missesPurpose(
                          question.text,
                          text,
                          `${context} ${this.paragraphBefore(r.passage, sentences, i)}`,
                        )
                      )
                    ? 'misses-purpose'
                    : // A bidder's past-work quantity is not this project's ("installed at least 12,000 feet").
                      (intent.attribute !== null || typed) && statesQualificationOnly(question.text, text, articleTitle)
                      ? 'qualification-only'
                      : // "50 year life expectancy" does not count the years of experience asked.
                        missesMeasuredThing(question.text, text, context)
                        ? 'misses-measured-thing'
                        : // "post-installation CCTV" is not the pre-installation inspection asked.
                          namesOpposedSide(question.text, text, context)
                          ? 'opposed-side'
                          : null;
        const bound = unbound === null;
        const attributeFound =
          bound &&
          holdsAttribute(
            intent.attribute === 'date' ? (asksDocumentDate ? text : withoutDocumentDates(text)) : text,
            intent.attribute,
            asksBound,
          ) &&
          (intent.attribute !== 'date' || question.expected_type !== 'date' || value.typeMatched);
        const typeFactor =
          (value.typeMatched ? 1 : TYPE_MISS_FACTOR[question.expected_type]) *
          (attributeFound ? 1 : ATTRIBUTE_MISS_FACTOR);
        const roleFactor = s.role === 'form' ? FORM_SENTENCE_FACTOR : 1;
        // "Questions about pipe sizes received after ..." names the topic as what bidders ask about: in passing too.
        const passingFactor =
          mentionsInPassing(concepts, text, ownTokens, (t) => this.tokensOf(t)) ||
          statesInquiryHandling(question.text, text)
            ? PASSING_MENTION_FACTOR
            : 1;
        // A pointer that holds the asked value anyway ("$5,000 per day, as set forth in Article 5") keeps its score.
        const pointerFactor = (!typed || !value.typeMatched) && isCrossReference(text) ? CROSS_REFERENCE_FACTOR : 1;
        // "How are bids to be submitted?": a sentence naming no means for the act says something else of it.
        const meansFactor = methodVerbs !== null && !statesMeans(text, methodVerbs) ? NO_MEANS_FACTOR : 1;
        // "Who is the contact for inquiries?": the sentence giving a person's e-mail or telephone names one.
        const contactFactor = asksForContact && !statesContact(text) ? NO_CONTACT_FACTOR : 1;
        // "What documents are required ...?": a lead-in naming the documents, read with its items, lists them.
        // A bidder's past work ("shall have installed 50,000 linear feet") is not this work's quantity.
        const pastWorkFactor = !questionOnExperience && statesPastWork(text) ? PAST_WORK_FACTOR : 1;
        // "... will the contract be awarded?": a sentence not naming the act says something else of the subject.
        const actFactor = act !== null && !namesAct(tokens, act) ? NO_ACT_FACTOR : 1;
        const thingsFactor =
          things !== null && parts !== undefined && leadInNamesThings(s.text, things) ? LEAD_IN_OF_THINGS_FACTOR : 1;
        const articleFactor =
          intent.attribute === null && s.headingPath !== undefined
            ? 1 +
              ARTICLE_TOPIC_CREDIT *
                titleTopicShare(concepts, this.tokensOf(articleTitleOf(s.headingPath)), ownTokens, genericTerms)
            : 1;
        const score =
          coverage *
          (0.8 + (0.2 * r.score) / topScore) *
          typeFactor *
          roleFactor *
          passingFactor *
          pointerFactor *
          meansFactor *
          contactFactor *
          thingsFactor *
          pastWorkFactor *
          actFactor *
          articleFactor;
        const keySource = value.answer ?? text;
        const valueKey = JSON.stringify(computeAnswerKey(keySource, question.expected_type), (_k, v: unknown) =>
          v instanceof Set ? [...v].sort() : v,
        );
        scored.push({
          text,
          pages,
          spans,
          passageId: r.passage.id,
          rank,
          score,
          coverage,
          typeFactor,
          value,
          valueKey,
          attributeFound,
          unbound,
          parts,
          context,
        });
      });
    });
    if (scored.length === 0) return [abstention(question, 0)];
    // Deterministic: best score, then better-ranked passage, then earlier sentence (stable sort).
    scored.sort((a, b) => b.score - a.score || a.rank - b.rank);
    // An addendum's "is revised to 350 mm" is in force over the original it repeats less fully (supersession.ts).
    const revision = supersedingReading(scored, (p) => this.pageText.get(p) ?? '', MIN_COVERAGE);
    if (revision > 0) scored.unshift(...scored.splice(revision, 1));
    const best = scored[0] as Scored;
    const rival = scored.find((s) =>
      typed
        ? s.value.value !== null && s.valueKey !== best.valueKey
        : s.passageId !== best.passageId && s.text !== best.text,
    );
    const confidenceOf = (s: Scored, competitor: Scored | undefined) => {
      const margin = competitor === undefined || s.score <= 0 ? 1 : Math.max(0, (s.score - competitor.score) / s.score);
      const raw = (0.15 + 0.6 * s.coverage + 0.25 * margin) * s.typeFactor * this.ocrFactor(s.pages);
      return Math.min(MAX_CONFIDENCE, Math.max(0, raw));
    };
    const confidence = confidenceOf(best, rival);
    extractiveTrace?.({ question, intent, best, rival, confidence, scored: scored.slice(0, 5) });
    if (best.coverage < MIN_COVERAGE || confidence < ABSTAIN_BELOW) return [abstention(question, confidence * 0.5)];
    // The topic is there but not what was asked about it (a duration, an amount, a date of that role): abstain.
    if (!best.attributeFound) return [abstention(question, Math.min(confidence * 0.5, NEAR_MISS_CONFIDENCE))];

    const focused = this.focusOnItem(best, concepts, question);
    const cell =
      intent.attribute !== null && focused.value.answer === null
        ? tableCell(focused.text, focused.context ?? '', question.text)
        : null;
    // Values each stated "for" something ("0.013 for the host pipe and 0.011 for the liner"): the question's one.
    const qualified =
      cell === null && question.expected_type === 'string' && focused.value.answer === null
        ? clauseForQualifier(focused.text, question.text)
        : null;
    const answerText = cell ?? qualified;
    const chosen = answerText === null ? focused : { ...focused, value: { ...focused.value, answer: answerText } };
    const answers = [
      this.toCandidate(
        question,
        this.focusOnClause(chosen, concepts, intent.attribute, question.expected_type, question.text),
        calibrate(confidence, best, rival, intent.attribute),
      ),
    ];
    if (typed && best.value.value !== null) {
      // The same value stated in other places (a summary and the body, a notice and its repeat): cite them too.
      const bestPages = new Set(best.pages);
      const agreeing = scored.filter(
        (s) =>
          s !== best &&
          s.valueKey === best.valueKey &&
          s.score >= VARIANT_SCORE_RATIO * best.score &&
          !s.pages.some((p) => bestPages.has(p)),
      );
      for (const s of agreeing.slice(0, MAX_AGREEING_PLACES))
        answers.push(this.toCandidate(question, s, (answers[0] as CandidateAnswer).confidence));
    }
    if (
      typed &&
      rival !== undefined &&
      rival.score >= VARIANT_SCORE_RATIO * best.score &&
      rival.coverage >= MIN_COVERAGE &&
      rival.typeFactor === 1
    ) {
      // The document gives two values for the same thing (an addendum, a typo): report both, neither as sure.
      // A superseded original stays a variant, never ahead of the revision in force.
      const rivalConfidence =
        revision > 0
          ? Math.min(
              confidenceOf(rival, best),
              SUPERSEDED_CONFIDENCE_RATIO * (answers[0] as CandidateAnswer).confidence,
            )
          : confidenceOf(rival, best);
      if (rivalConfidence >= ABSTAIN_BELOW)
        answers.push(this.toCandidate(question, rival, Math.min(rivalConfidence, HIGH_BAND_CAP)));
    }
    return answers;
  }

  /** A table row read with the wrapped lines of its cells (table-rows.ts), in the run's sentence table when known. */
  private rowWithLabels(passageSentences: SentenceLike[], at: number, passage: Passage): SentenceLike | undefined {
    const global = this.sentences !== null && passage.firstSentence !== undefined;
    return global
      ? rowWithLabels(this.sentences as SentenceLike[], at + (passage.firstSentence as number))
      : rowWithLabels(passageSentences, at);
  }

  /** The sentence just before the passage's first one in the run's sentence table (undefined when unknown). */
  private sentenceBefore(passage: Passage): SentenceLike | undefined {
    if (this.sentences === null || passage.firstSentence === undefined || passage.firstSentence === 0) return undefined;
    return this.sentences[passage.firstSentence - 1];
  }

  /**
   * The earlier sentences of the paragraph of a passage's sentence `i`, read on before the passage when it opens
   * mid-way.
   */
  private paragraphBefore(passage: Passage, passageSentences: SentenceLike[], i: number): string {
    if (this.sentences === null || passage.firstSentence === undefined) return paragraphBefore(passageSentences, i);
    return paragraphBefore(this.sentences, passage.firstSentence + i);
  }

  /** The passage's sentences: from the run's sentence table, the passage builder's map, or split from its text. */
  private sentencesOf(passage: Passage): SentenceLike[] {
    if (this.sentences !== null && passage.firstSentence !== undefined && passage.sentenceCount !== undefined) {
      return this.sentences.slice(passage.firstSentence, passage.firstSentence + passage.sentenceCount);
    }
    return sentencesOfPassage(passage) ?? splitPassage(passage);
  }

  private withListContinuation(
    passageSentences: SentenceLike[],
    at: number,
    type: ExpectedType,
    passage: Passage,
    start?: SentenceLike,
  ): SentenceLike {
    const first = start ?? (passageSentences[at] as SentenceLike);
    if (type === 'number' || type === 'date') return first;
    // The list may run past the passage's end: read on in the run's sentence table, up to the next heading.
    const global = this.sentences !== null && passage.firstSentence !== undefined;
    const sentences = global ? (this.sentences as SentenceLike[]) : passageSentences;
    const i = global ? at + (passage.firstSentence as number) : at;
    // A lead-in ends in ":", or in "." after "the following ..." when its first item follows (asked-things.ts).
    if (!/:\s*$/.test(first.text) && !announcesItems(first.text, sentences[i + 1]?.text)) return first;
    const parts = [first.text];
    const members: SentenceLike[] = [first];
    const level = enumeratorLevel(first.text);
    const pages = new Set(first.pages);
    const spans = first.spans === undefined ? undefined : [...first.spans];
    let words = countWords(first.text);
    for (let j = i + 1; j < sentences.length; j++) {
      const next = sentences[j] as SentenceLike;
      // The list ends at a heading or at the lead-in's next sibling ("2.1 ... following:" → "2.2 ...", "A." → "B.").
      if (next.heading === true || (level !== null && enumeratorLevel(next.text) === level)) break;
      const w = countWords(next.text);
      if (words + w > LIST_CONTINUATION_WORDS) break;
      parts.push(next.text);
      members.push(next);
      for (const p of next.pages) pages.add(p);
      if (spans !== undefined) spans.push(...(next.spans ?? []));
      words += w;
    }
    return {
      text: parts.join(' '),
      pages: [...pages].sort((a, b) => a - b),
      spans,
      parts: members.length > 1 ? members : undefined,
    };
  }

  /**
   * A row giving several values of the asked kind ("Commercial General Liability $2,000,000 each occurrence;
   * $4,000,000 aggregate"): the answer is the clause that names the question's subject, the quote stays whole.
   */
  private focusOnClause(
    s: Scored,
    concepts: Concept[],
    attribute: Attribute,
    type: ExpectedType,
    questionText: string,
  ): Scored {
    if (attribute === null || (type !== 'string' && type !== 'technical_spec') || s.value.answer !== null) return s;
    // Clauses: "; " or ", and ..." ("Substantial Completion within 150 days ..., and Final Completion within 180
    // days"; "$1,000,000 each occurrence, and $2,000,000 general aggregate").
    const clauses = s.text.split(/;\s+|,\s+(?:and|or|but|while|whereas)\s+(?=[A-Z$\d])/).filter((c) => c.trim() !== '');
    // A clause naming another kind of the subject ("Substantial Completion" for a final completion question) is not the
    // answer.
    const withValue = clauses.filter(
      (c) =>
        holdsAttribute(c, attribute) &&
        /\d/.test(c) &&
        contrastingQualifier(questionText, c, '', VALUE_KIND_WORDS) === null,
    );
    const valued = clauses.filter((c) => holdsAttribute(c, attribute) && /\d/.test(c));
    if (clauses.length < 2 || valued.length < 2 || withValue.length === 0) return s;
    let bestClause = withValue[0] as string;
    let bestCoverage = -1;
    for (const c of withValue) {
      const cov = coverageOf(concepts, this.tokensOf(c));
      if (cov > bestCoverage) [bestClause, bestCoverage] = [c, cov];
    }
    return { ...s, value: { ...s.value, answer: bestClause.trim() } };
  }

  /**
   * A lead-in with its list, narrowed to the one item the question names: "flexural strength requirements"
   * is answered by the row "Flexural Strength ASTM D-790 4,500 psi", not by the lead-in and every row (whose
   * next row holds another property's value). Only when exactly one item covers the question best and
   * holds a number; a question about the whole list ("What work is included?") keeps the list.
   */
  private focusOnItem(best: Scored, concepts: Concept[], question: Question): Scored {
    if (best.parts === undefined) return best;
    // The item must say something of the question the lead-in does not ("Ovality* = 2%" for "what ovality is assumed"):
    // items are ranked by the question's words the lead-in lacks.
    const leadInTokens = this.tokensOf((best.parts[0] as SentenceLike).text);
    const beyond = concepts.filter((c) => !c.alternatives.some((t) => leadInTokens.has(t)));
    if (beyond.length === 0) return best;
    const ranked = best.parts
      .slice(1)
      .map((p) => ({ part: p, coverage: coverageOf(beyond, this.tokensOf(p.text)) }))
      .sort((a, b) => b.coverage - a.coverage);
    const top = ranked[0];
    const second = ranked[1];
    if (
      top === undefined ||
      top.coverage <= 0 ||
      (second !== undefined && second.coverage >= top.coverage) ||
      !/\d/.test(top.part.text)
    )
      return best;
    const value = extractValue(top.part.text, question.expected_type, question.text);
    return { ...best, text: top.part.text, pages: top.part.pages, spans: top.part.spans, value, parts: undefined };
  }

  /** One quote per contiguous stretch of page text (so a sentence over a page break cites both pages). */
  private quotesOf(s: Scored): Array<{ text: string; pages: number[] }> {
    if (s.spans === undefined) return [{ text: s.text, pages: s.pages }];
    const merged: SentenceSpan[] = [];
    for (const span of s.spans) {
      const last = merged[merged.length - 1];
      const gap =
        last !== undefined && last.page === span.page
          ? (this.pageText.get(span.page) ?? '').slice(last.end, span.start)
          : null;
      if (last !== undefined && gap !== null && gap.trim() === '') last.end = span.end;
      else merged.push({ ...span });
    }
    return merged.map((span) => ({
      text: (this.pageText.get(span.page) ?? '').slice(span.start, span.end),
      pages: [span.page],
    }));
  }

  private toCandidate(question: Question, s: Scored, confidence: number): CandidateAnswer {
    return {
      question_id: question.id,
      answer: truncate(s.value.answer ?? s.text),
      value: s.value.value,
      quotes: this.quotesOf(s),
      confidence: Math.round(confidence * 1000) / 1000,
    };
  }
}

/**
 * One cell of a table row whose header is on a line of its own: "Garnet 100 mm 0.25 - 0.30 mm" under
 * "Layer Depth Effective Size" answers "the effective size of the garnet" with "Garnet 0.25 - 0.30 mm". The
 * header's first word names the rows; the question's first header word after it gives the column (the last
 * column when the header has more words than the row has values). Null when the text is no such row.
 */
export function tableCell(row: string, context: string, questionText: string): string | null {
  if (!readsAsTable(row)) return null;
  const header =
    context
      .slice(context.lastIndexOf(':') + 1)
      .toLowerCase()
      .match(/[a-z]{3,}/g) ?? [];
  const quantities = findQuantities(row);
  const cells: Array<{ start: number; end: number }> = [];
  for (const q of quantities) {
    const last = cells[cells.length - 1];
    // "0.45 - 0.55 mm" is one cell: a range.
    if (last !== undefined && /^\s*(?:-|–|to)\s*$/.test(row.slice(last.end, q.index)))
      last.end = q.index + q.raw.length;
    else cells.push({ start: q.index, end: q.index + q.raw.length });
  }
  const first = cells[0];
  if (header.length < 2 || cells.length < 2 || first === undefined) return null;
  const asked = new Set((questionText.toLowerCase().match(/[a-z]{3,}/g) ?? []).map((w) => w.slice(0, 5)));
  const column = header.slice(1).findIndex((w) => asked.has(w.slice(0, 5)));
  if (column < 0) return null;
  const cell = cells[Math.min(column, cells.length - 1)] as { start: number; end: number };
  const label = row.slice(0, first.start).trim();
  return `${label} ${row.slice(cell.start, cell.end).trim()}`.trim();
}

/** The numbering kind a paragraph opens with: "2.1" → "1.1", "A." → "A", "1." → "1"; null when none. */
function enumeratorLevel(text: string): string | null {
  const m = /^\s*(?:(\d+(?:\.\d+)+)|([A-Z])[.)]|(\d{1,2})[.)])\s/.exec(text);
  if (m === null) return null;
  if (m[1] !== undefined) return m[1].replace(/\d+/g, '1');
  return m[2] !== undefined ? 'A' : '1';
}

/** The items under a lead-in (its first part), as a list value; the answer quotes the lead-in with them. */
function listOfItems(parts: SentenceLike[]): ExtractedValue {
  const items = parts
    .slice(1)
    .map((p) => p.text.trim())
    .filter((t) => t !== '');
  return { value: items, answer: null, typeMatched: items.length > 0 };
}

/** A bullet item: "• Fax: ...", "– Mail: ...". Lettered and numbered items are often articles, not list entries. */
const BULLET = /^[•\u2022▪·*\-–]\s+/;
/** How far back (sentences) a bullet's lead-in is looked for: one bullet may hold a few sentences. */
const LEAD_IN_LOOKBACK_SENTENCES = 8;

/**
 * The lead-in (a sentence ending in ":") that a bullet item or a table row belongs to, or null. A row's lead-in
 * often carries the table's header ("the following layers: Layer Depth Effective Size"): its words name the row's
 * values.
 */
function leadInOf(sentences: SentenceLike[], i: number, row = false): string | null {
  if (!row && !BULLET.test((sentences[i] as SentenceLike).text)) return null;
  // Lines without a digit between the lead-in and a row are the table's header ("Layer Depth Effective Size").
  const header: string[] = [];
  for (let j = i - 1; j >= Math.max(0, i - LEAD_IN_LOOKBACK_SENTENCES); j--) {
    if ((sentences[j] as SentenceLike).heading === true) return null;
    const t = (sentences[j] as SentenceLike).text;
    if (/:\s*$/.test(t) && !BULLET.test(t)) return [t, ...header].join(' ');
    if (row && !/\d/.test(t)) header.unshift(t);
  }
  return null;
}

/**
 * Fallback for passages not built by buildPassages: sentences cut at terminal punctuation, citing the passage's pages.
 */
function splitPassage(passage: Passage): SentenceLike[] {
  return passage.text
    .split(/(?<=[.!?;:])\s+(?=[A-Z0-9"(])/)
    .map((t) => collapseWhitespace(t))
    .filter((t) => t.length > 0)
    .map((text) => ({ text, pages: passage.pages }));
}

/** The offline extractive engine (one instance per run: it keeps the run's index between planUnits and answerUnit). */
export function createExtractiveEngine(): AnalysisEngine {
  return new ExtractiveEngine();
}
