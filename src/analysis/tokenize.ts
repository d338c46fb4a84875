/**
 * Lexical analysis for retrieval. Standard codes ("astm f1216"), CSI section numbers ("33 01 30"), dates
 * (ISO) and numbers are first-class tokens kept whole; words are lower-cased, stop-words dropped, lightly
 * stemmed and mapped through a small construction-domain synonym table ("LDs" ≈ "liquidated damages").
 */
import { CODE_PATTERN, SECTION_NUMBER, findDates } from './extract-value.js';
import { normalizeForMatch } from './normalize-text.js';
import { THESAURUS } from './thesaurus.js';

const STOP_WORDS = new Set(
  (
    'a an the and or nor but if then else of to in on at by for from with without within into onto upon about above below ' +
    'over under between among through during before after as than so such this that these those it its they them their ' +
    'there here what which who whom whose when where why how is are was were be been being am do does did done doing ' +
    'have has had having can could may might shall should will would must any all each every some no not only own same ' +
    'other others also very just more most less least much many few both either neither per via etc i e g ie eg we you ' +
    'our your he she his her us me my one' +
    // Question filler: every checklist question says these, they carry no topic.
    ' specific specified specify outlined exist exists included include apply applies needed mandated listed'
  ).split(' '),
);

/**
 * Light stemming: plural, -ing/-ed/-ation/-ion/-ment/-ly, final -e, doubled consonant. Both sides use it, so
 * consistency matters more than linguistics.
 */
const stemCache = new Map<string, string>();

export function stemWord(word: string): string {
  let stem = stemCache.get(word);
  if (stem === undefined) {
    stem = computeStem(word);
    // The vocabulary of a document is small; cap the cache anyway so a pathological input cannot grow it without bound.
    if (stemCache.size < 200_000) stemCache.set(word, stem);
  }
  return stem;
}

function computeStem(word: string): string {
  let w = word;
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  for (const suffix of ['ations', 'ation', 'ions', 'ion', 'ments', 'ment', 'ings', 'ing', 'edly', 'ed', 'ly']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  if (/([b-df-hj-km-np-rtv-z])\1$/.test(w) && !/(ll|ss|zz)$/.test(w)) w = w.slice(0, -1);
  return w;
}

/** The construction thesaurus (thesaurus.json): data, so estimators' vocabulary grows without code changes. */
const WORD_SYNONYMS: Array<[string, string]> = Object.entries(THESAURUS.words);
const PHRASE_SYNONYMS: Array<{ concept: string; phrases: string[] }> = Object.entries(THESAURUS.phrases).map(
  ([concept, phrases]) => ({ concept, phrases }),
);

const WORD = /[a-z][a-z0-9]*/g;
const STANDARD_STEM = 'standard';

const WORD_SYNONYM_MAP = new Map<string, string>(WORD_SYNONYMS);

/** Stem of a word after synonym mapping (stop-words kept: phrase matching needs them). */
function synonymStem(word: string): string {
  return stemWord(WORD_SYNONYM_MAP.get(word) ?? word);
}

function wordStem(word: string): string | null {
  if (STOP_WORDS.has(word)) return null;
  return synonymStem(word);
}

/** Phrase stems (stop-words kept, since "maintenance of traffic" needs its "of"), first stem → candidates. */
const PHRASES_BY_FIRST = new Map<string, Array<{ concept: string; stems: string[]; firstWord: string }>>();
for (const group of PHRASE_SYNONYMS) {
  for (const phrase of group.phrases) {
    const words = phrase.split(' ');
    const stems = words.map((w) => synonymStem(w));
    const first = stems[0] as string;
    const list = PHRASES_BY_FIRST.get(first) ?? [];
    list.push({ concept: `~${group.concept}`, stems, firstWord: words[0] as string });
    PHRASES_BY_FIRST.set(first, list);
  }
}

export interface AnalyzedText {
  /** Every token: words, whole codes/dates/numbers, and synonym concepts (prefixed "~"). */
  tokens: string[];
  /**
   * The query form: words covered by a synonym phrase are replaced by its concept, so "liquidated damages" matches
   * "LDs".
   */
  queryTokens: string[];
  /** Adjacent pairs of query-form words ("bid|bond" stays apart from "bond ... bid"): phrase and proximity evidence. */
  bigrams: string[];
  /** For each synonym concept in `queryTokens`, the stems of the words it replaced ("~deadline" → bid, due). */
  phraseWords: Map<string, string[]>;
}

/** Tokenise text for the index (`tokens`) and for queries (`queryTokens`). */
export function analyzeText(raw: string): AnalyzedText {
  const text = normalizeForMatch(raw);
  const specials: string[] = [];
  let rest = text;
  const blank = (start: number, length: number) => {
    rest = rest.slice(0, start) + ' '.repeat(length) + rest.slice(start + length);
  };
  for (const m of text.matchAll(CODE_PATTERN)) {
    // The whole code, the body alone and "standard", so "What ASTM standards apply?" finds "ASTM F1216".
    specials.push(`${m[1]} ${(m[2] as string) + (m[3] as string)}`, m[1] as string, STANDARD_STEM);
    blank(m.index, m[0].length);
  }
  for (const m of text.matchAll(SECTION_NUMBER)) {
    specials.push(`${m[1]} ${m[2]} ${m[3]}`);
    blank(m.index, m[0].length);
  }
  for (const d of findDates(text)) {
    specials.push(d.iso);
    blank(d.index, d.raw.length);
  }
  for (const m of rest.matchAll(/\d+(?:,\d{3})*(?:\.\d+)?/g)) {
    const n = Number(m[0].replace(/,/g, ''));
    if (Number.isFinite(n)) specials.push(`#${n}`);
  }
  // Word stream with stop-words kept (for phrase matching); the index drops them afterwards.
  const allWords = [...rest.replace(/\d+(?:[.,]\d+)*/g, ' ').matchAll(WORD)].map((m) => m[0]);
  const stems = allWords.map((w) => synonymStem(w));
  const tokens: string[] = [];
  const queryTokens: string[] = [];
  const phraseWords = new Map<string, string[]>();
  // Positional order is kept (callers read "X or Y" alternatives from it).
  for (let i = 0; i < stems.length;) {
    // A stop-word only starts a phrase that starts with that very word ("during" must not stem into "duration").
    const word = allWords[i] as string;
    const phrase = PHRASES_BY_FIRST.get(stems[i] as string)?.find(
      (c) => (!STOP_WORDS.has(word) || c.firstWord === word) && c.stems.every((st, j) => stems[i + j] === st),
    );
    if (phrase !== undefined) {
      tokens.push(phrase.concept);
      queryTokens.push(phrase.concept);
      const words = phraseWords.get(phrase.concept) ?? [];
      for (let j = 0; j < phrase.stems.length; j++) {
        const stem = wordStem(allWords[i + j] as string);
        if (stem !== null && stem.length >= 2) {
          tokens.push(stem);
          words.push(stem);
        }
      }
      phraseWords.set(phrase.concept, words);
      i += phrase.stems.length;
      continue;
    }
    const stem = wordStem(allWords[i] as string);
    if (stem !== null && stem.length >= 2) {
      tokens.push(stem);
      queryTokens.push(stem);
    }
    i++;
  }
  const bigrams: string[] = [];
  for (let i = 0; i + 1 < queryTokens.length; i++) bigrams.push(`${queryTokens[i]}|${queryTokens[i + 1]}`);
  tokens.push(...specials);
  queryTokens.push(...specials);
  return { tokens, queryTokens, bigrams, phraseWords };
}

/**
 * The query form of a question against one document: a synonym concept the document never states ("~deadline"
 * from "bids due", where the document writes "Bids are due on …", words apart) is searched by the question's own
 * words instead, so a phrase in the thesaurus can only add matches, never lose the plain-word ones.
 */
export function queryTermsFor(analyzed: AnalyzedText, documentHas: (token: string) => boolean): string[] {
  return analyzed.queryTokens.flatMap((t) => {
    if (!t.startsWith('~') || documentHas(t)) return [t];
    const words = analyzed.phraseWords.get(t) ?? [];
    return words.length > 0 ? words : [t];
  });
}

/** Index tokens of a text. */
export function tokenize(text: string): string[] {
  return analyzeText(text).tokens;
}

/** Query-side expansions of a stemmed question word (thesaurus `expansions`), as stems; empty when none. */
const EXPANSIONS = new Map<string, string[]>(
  Object.entries(THESAURUS.expansions).map(([word, alts]) => [
    synonymStem(word),
    [...new Set(alts.map((a) => synonymStem(a)))],
  ]),
);

export function expansionsOf(stem: string): string[] {
  return EXPANSIONS.get(stem) ?? [];
}
