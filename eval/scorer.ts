/**
 * Scores engine answers against an evaluation set's truth. Pure functions, no I/O, so test/eval/scorer.test.ts
 * can check the arithmetic on a hand-made set (the scorer must not be silently wrong).
 *
 * Definitions (printed by `npm run eval` as well):
 * - answerable question: truth has pages/accept (not `not_in_document`).
 * - answered: the engine returned a non-null answer.
 * - page-hit = answerable questions that are answered AND cite at least one truth page / answerable questions.
 * - answer-hit = answerable questions whose answer (or typed value) matches any `accept` entry and no `reject`
 *   entry / answerable questions. `reject` holds values of a neighbouring attribute (the next table row, the
 *   aggregate beside the per-occurrence limit, the other date): the product promises the asked value, and an
 *   answer that also carries the neighbour leaves the estimator to pick.
 * - passage-hit = the same without `reject`: the answer's passage holds the accepted value (a looser reading,
 *   printed beside answer-hit so a change in value extraction and a change in passage choice can be told apart).
 * - false-answer rate = not-in-document questions that got a non-null answer / not-in-document questions.
 * - abstention rate = answerable questions left unanswered / answerable questions.
 * - reliability table: every answered question in its confidence band; "right" = answer-hit on an answerable
 *   question (an answer to a not-in-document question is always wrong).
 */

export interface Truth {
  /** 1-based physical pages that hold the answer; citing any one counts as a page hit. */
  pages?: number[];
  /** Accepted answer strings (normalised substring match) or regexes written as "/source/flags". */
  accept?: string[];
  /**
   * Strings/regexes that make an answer wrong even when an accept entry matches: the neighbouring value of a
   * table row or list (an answer quoting the whole row "4,500 psi ... 250,000 psi" is not an answer).
   */
  reject?: string[];
  /**
   * Strings/regexes of which one must appear on every truth page (checked against the page text on every
   * run); defaults to `accept`. Needed when the accepted answer is phrased differently from the page.
   */
  evidence?: string[];
  /** The document does not answer this question: the right behaviour is to abstain. */
  not_in_document?: boolean;
  /** Why this truth (where it was read, what a near-miss names instead). */
  note?: string;
}

export interface EngineAnswer {
  answer: string | null;
  value: unknown;
  pages: number[];
  confidence: number;
}

export interface QuestionScore {
  id: string;
  answerable: boolean;
  answered: boolean;
  pageHit: boolean;
  answerHit: boolean;
  /** Accept matched, ignoring reject (the passage holds the value). */
  passageHit: boolean;
  /** Answered, and right: answer-hit on an answerable question. */
  right: boolean;
  confidence: number;
}

export interface Metrics {
  questions: number;
  answerable: number;
  notInDocument: number;
  answered: number;
  pageHits: number;
  answerHits: number;
  passageHits: number;
  falseAnswers: number;
  abstainedAnswerable: number;
  /** Ratios in 0..1; null when the denominator is 0. */
  pageHit: number | null;
  answerHit: number | null;
  passageHit: number | null;
  falseAnswerRate: number | null;
  abstentionRate: number | null;
}

export interface ReliabilityBand {
  band: string;
  low: number;
  high: number;
  count: number;
  right: number;
  /** right / count; null when the band is empty. */
  shareRight: number | null;
}

/** Confidence bands for the reliability table: [low, high), the last one closed at 1. */
export const CONFIDENCE_BANDS: ReadonlyArray<readonly [number, number]> = [
  [0, 0.3],
  [0.3, 0.5],
  [0.5, 0.8],
  [0.8, 1],
];

/** Lower-case, unify dashes, quotes and spaces (incl. non-breaking), collapse runs of white space. */
export function normalizeForMatch(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\u2018\u2019\u201A\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201E\u2033]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

const REGEX_ENTRY = /^\/(.+)\/([a-z]*)$/s;

/**
 * True when `candidate` matches one accept entry: a "/regex/flags" (run on the normalised text) or a normalised
 * substring.
 */
export function matchesAccept(candidate: string, accept: readonly string[]): boolean {
  const text = normalizeForMatch(candidate);
  if (text === '') return false;
  return accept.some((entry) => {
    const re = REGEX_ENTRY.exec(entry);
    if (re) return new RegExp(re[1] as string, re[2]?.includes('i') ? re[2] : `${re[2] ?? ''}i`).test(text);
    const needle = normalizeForMatch(entry);
    return needle !== '' && text.includes(needle);
  });
}

/** Text the accept list is matched against: the answer and, when it differs, the typed value. */
function answerTexts(a: EngineAnswer): string[] {
  if (a.answer === null) return [];
  const out = [a.answer];
  if (a.value !== null && a.value !== undefined)
    out.push(Array.isArray(a.value) ? a.value.join('; ') : String(a.value));
  return out;
}

export function scoreQuestion(id: string, truth: Truth, answer: EngineAnswer | undefined): QuestionScore {
  const a: EngineAnswer = answer ?? { answer: null, value: null, pages: [], confidence: 0 };
  const answerable = truth.not_in_document !== true;
  const answered = a.answer !== null;
  const truthPages = truth.pages ?? [];
  const pageHit = answerable && answered && a.pages.some((p) => truthPages.includes(p));
  const texts = answerTexts(a);
  const rejected = texts.some((t) => matchesAccept(t, truth.reject ?? []));
  const passageHit = answerable && answered && texts.some((t) => matchesAccept(t, truth.accept ?? []));
  const answerHit = passageHit && !rejected;
  return { id, answerable, answered, pageHit, answerHit, passageHit, right: answerHit, confidence: a.confidence };
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);

export function summarize(scores: readonly QuestionScore[]): Metrics {
  const answerable = scores.filter((s) => s.answerable);
  const absent = scores.filter((s) => !s.answerable);
  const pageHits = answerable.filter((s) => s.pageHit).length;
  const answerHits = answerable.filter((s) => s.answerHit).length;
  const passageHits = answerable.filter((s) => s.passageHit).length;
  const falseAnswers = absent.filter((s) => s.answered).length;
  const abstainedAnswerable = answerable.filter((s) => !s.answered).length;
  return {
    questions: scores.length,
    answerable: answerable.length,
    notInDocument: absent.length,
    answered: scores.filter((s) => s.answered).length,
    pageHits,
    answerHits,
    passageHits,
    falseAnswers,
    abstainedAnswerable,
    pageHit: ratio(pageHits, answerable.length),
    answerHit: ratio(answerHits, answerable.length),
    passageHit: ratio(passageHits, answerable.length),
    falseAnswerRate: ratio(falseAnswers, absent.length),
    abstentionRate: ratio(abstainedAnswerable, answerable.length),
  };
}

function bandIndex(confidence: number): number {
  const i = CONFIDENCE_BANDS.findIndex(([low, high]) => confidence >= low && confidence < high);
  return i === -1 ? (confidence >= 1 ? CONFIDENCE_BANDS.length - 1 : 0) : i;
}

/** Answered questions by confidence band, with the share that was right. */
export function reliability(scores: readonly QuestionScore[]): ReliabilityBand[] {
  const bands: ReliabilityBand[] = CONFIDENCE_BANDS.map(([low, high], i) => ({
    band: `[${low},${high}${i === CONFIDENCE_BANDS.length - 1 ? ']' : ')'}`,
    low,
    high,
    count: 0,
    right: 0,
    shareRight: null,
  }));
  for (const s of scores) {
    if (!s.answered) continue;
    const band = bands[bandIndex(s.confidence)] as ReliabilityBand;
    band.count++;
    if (s.right) band.right++;
  }
  for (const b of bands) b.shareRight = ratio(b.right, b.count);
  return bands;
}

export interface Floors {
  pageHit?: number;
  answerHit?: number;
  /** A ceiling: the false-answer rate must not exceed it. */
  falseAnswerRate?: number;
}

/** Floor violations as readable messages (empty = all floors met). Metrics with a null ratio are not checked. */
export function checkFloors(label: string, m: Metrics, floors: Floors | undefined): string[] {
  if (!floors) return [];
  const out: string[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  if (floors.pageHit !== undefined && m.pageHit !== null && m.pageHit < floors.pageHit)
    out.push(`${label}: page-hit ${pct(m.pageHit)} < floor ${pct(floors.pageHit)}`);
  if (floors.answerHit !== undefined && m.answerHit !== null && m.answerHit < floors.answerHit)
    out.push(`${label}: answer-hit ${pct(m.answerHit)} < floor ${pct(floors.answerHit)}`);
  if (floors.falseAnswerRate !== undefined && m.falseAnswerRate !== null && m.falseAnswerRate > floors.falseAnswerRate)
    out.push(`${label}: false-answer rate ${pct(m.falseAnswerRate)} > ceiling ${pct(floors.falseAnswerRate)}`);
  return out;
}

/**
 * Truth that does not hold against the document's page text: a truth page beyond the document, or a truth page
 * on which no evidence (or accept) entry appears. Empty = the truth is consistent with the pages.
 */
export function truthProblems(id: string, truth: Truth, pageTexts: readonly string[]): string[] {
  if (truth.not_in_document === true) return [];
  const entries = truth.evidence ?? truth.accept ?? [];
  const out: string[] = [];
  for (const p of truth.pages ?? []) {
    const text = pageTexts[p - 1];
    if (text === undefined) out.push(`${id}: truth page ${p} is beyond the document (${pageTexts.length} pages)`);
    else if (!matchesAccept(text, entries))
      out.push(`${id}: no ${truth.evidence ? 'evidence' : 'accept'} entry appears on truth page ${p}`);
  }
  return out;
}
