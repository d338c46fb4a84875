/**
 * Is a sentence about the question's subject, or about a neighbour of it? Pure word-level rules, used by the
 * extractive engine to bind a value to the thing asked about (issue 13, items 3 and 4):
 *  - a contrasting qualifier: the question asks about one kind of a thing ("umbrella liability limit",
 *    "damages for late final completion") and the sentence names the same head word with another kind
 *    ("Employer's liability", "Substantial Completion") and never the asked one: it states something else;
 *  - a label: a heading ("C. American Society of Testing and Materials Standards.") or a form's field
 *    prompts ("PROJECT NAME: POSITION OR SCOPE OF WORK:") say what a place is about, never the answer.
 * Words are compared by their first letters (a stemmer-free match that survives plurals and -ion/-ed/-ing),
 * with no thesaurus: these rules are about the exact kind the text names.
 */

import { stemWord } from './tokenize.js';

const FUNCTION_WORDS = new Set(
  (
    'a an the and or nor but if of to in on at by for from with without within into as than this that these those it its ' +
    'is are was were be been being do does did have has had can could may might shall should will would must any all each ' +
    'every some no not per via etc what which who whom whose when where why how there their they we you our your such other ' +
    'required require requirements requirement specified minimum maximum late early following above below same much many long often far'
  ).split(' '),
);
/**
 * Letters compared: "completion"/"complete", "payments"/"payment", "insurance"/"insured" stay apart only past these.
 */
const PREFIX = 5;

interface Word {
  key: string;
  /** The word as written (lower case, possessive dropped). */
  raw: string;
  /** The previous word is right before it (no punctuation between). */
  joinedToPrevious: boolean;
}

function wordsOf(text: string): Word[] {
  const out: Word[] = [];
  let joined = false;
  for (const m of text.toLowerCase().matchAll(/[a-z][a-z0-9]*(?:['’][a-z]+)?|[^a-z0-9\s]+/g)) {
    const raw = m[0];
    if (!/^[a-z]/.test(raw)) {
      // Punctuation other than a hyphen or apostrophe breaks a phrase ("liability, the" is not "liability the").
      if (!/^[-'’]+$/.test(raw)) joined = false;
      continue;
    }
    const word = raw.replace(/['’]s?$/, '').replace(/['’].*$/, '');
    out.push({
      key: FUNCTION_WORDS.has(word) ? `_${word}` : word.slice(0, PREFIX),
      raw: word,
      joinedToPrevious: joined,
    });
    joined = true;
  }
  return out;
}

const isContent = (w: Word | undefined): w is Word => w !== undefined && !w.key.startsWith('_') && w.key.length >= 3;

export interface ContrastingQualifier {
  /** The question's qualifier the text lacks ("umbre"). */
  asked: string;
  /** The head word both name ("liabi"). */
  head: string;
  /** The other qualifier the text gives the head ("emplo"). */
  found: string;
}

/**
 * The question's qualifier-head pair ("final completion") whose head the text names only with another
 * qualifier ("Substantial Completion") while the qualifier itself appears nowhere in the text or its context
 * (heading path, lead-in). Null when no pair is contradicted. Words of `ignore` (form words such as "limit")
 * are never a qualifier or a head. `named` tells whether the text or its context names a qualifier in other
 * words (the thesaurus: "CIPP" is written "Cured-In-Place Liner (CIPL)", a "lining" subcontractor installs a
 * "liner"): the same kind, written otherwise, is no contrast.
 */
export function contrastingQualifier(
  questionText: string,
  text: string,
  context = '',
  ignore: ReadonlySet<string> = new Set(),
  named: (word: string) => boolean = () => false,
): ContrastingQualifier | null {
  const q = wordsOf(questionText);
  const questionKeys = new Set(q.filter(isContent).map((w) => w.key));
  const t = wordsOf(text);
  const present = new Set([...t, ...wordsOf(context)].map((w) => w.key));
  for (let i = 1; i < q.length; i++) {
    const head = q[i];
    const qualifier = q[i - 1];
    if (!isContent(head) || !isContent(qualifier) || !head.joinedToPrevious) continue;
    if (ignore.has(head.key) || ignore.has(qualifier.key) || qualifier.key === head.key) continue;
    if (present.has(qualifier.key) || !present.has(head.key)) continue;
    // Every mention of the head in the text is qualified by a word the question does not use.
    // ("limits of liability" names no kind: only mentions right after a content word count.)
    const qualifiers = t.flatMap((w, j) =>
      w.key === head.key && w.joinedToPrevious && isContent(t[j - 1]) ? [t[j - 1] as Word] : [],
    );
    const foreign = qualifiers.filter((prev) => !questionKeys.has(prev.key));
    if (qualifiers.length > 0 && foreign.length === qualifiers.length && !named(qualifier.raw))
      return { asked: qualifier.key, head: head.key, found: (foreign[0] as Word).key };
  }
  return null;
}

const ENUMERATOR = /^\s*(?:(?:[A-Z]|[a-z]|\d{1,3}(?:\.\d{1,3})*|[ivxIVX]{1,4})[.)]|\(\w{1,3}\)|[•▪·*\-–])\s+/;
/** Words a title-case heading may keep in lower case. */
const MINOR_WORDS = new Set('a an and or of the in on for to from with by at but per as vs nor into'.split(' '));

/**
 * True for a line that labels a place rather than saying anything: a heading in title case without a digit
 * ("C. American Society of Testing and Materials (ASTM) Standards.") or a form's prompts in capitals ending
 * in a colon or giving several "FIELD:" labels ("PROJECT NAME: POSITION OR SCOPE OF WORK: TITLE:").
 */
export function isLabelLike(text: string): boolean {
  const body = text.replace(ENUMERATOR, '').trim();
  if (body === '') return true;
  const letters = body.replace(/[^A-Za-z]/g, '');
  const upper = body.replace(/[^A-Z]/g, '').length;
  const mostlyCapitals = letters.length >= 8 && upper / letters.length >= 0.85;
  const fieldLabels = body.match(/\b[A-Z][A-Z’'/ ]{2,}:/g)?.length ?? 0;
  if (mostlyCapitals && (/:\s*$/.test(body) || fieldLabels >= 2)) return true;
  if (/\d/.test(body)) return false;
  const words = body
    .replace(/[().,;:"“”]/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length === 0 || words.length > 16) return false;
  return words.every(
    (w) => /^[A-Z]/.test(w) || MINOR_WORDS.has(w) || /^[^A-Za-z]+$/.test(w) || /^[A-Z]*[a-z]?[A-Z]/.test(w),
  );
}

/** Words of a purpose phrase that name no particular thing. */
const VAGUE_WORDS = new Set('work works project contract contractor bidder owner city county item items'.split(' '));

/**
 * The question's closing "for/during <purpose>" ("damages per day for late completion of the lining work",
 * "requests for information during construction"): true when none of the phrase's words appears in the text or
 * its context, so the text states the value for some other purpose. False when the question has no such phrase.
 */
export function missesPurpose(questionText: string, text: string, context = ''): boolean {
  const m = /\b(?:for|during)\s+([^?]*?)\s*\??\s*$/i.exec(questionText);
  if (m === null) return false;
  const words = wordsOf(m[1] as string).filter(
    (w) => isContent(w) && !VAGUE_WORDS.has(w.key) && ![...VAGUE_WORDS].some((v) => v.startsWith(w.key)),
  );
  if (words.length === 0) return false;
  const present = new Set(wordsOf(`${text} ${context}`).map((w) => w.key));
  return words.every((w) => !present.has(w.key));
}

/** A lettered or numbered paragraph's opening ("E. Contractor shall ...", "3.2 The ..."). */
const ITEM_OPENING = /^\s*(?:[A-Z]|\d{1,3}(?:\.\d{1,3})*)[.)]\s+\S/;
/** Sentences looked back for the opening of a sentence's paragraph. */
const ITEM_LOOKBACK_SENTENCES = 4;

/**
 * The sentences of a lettered or numbered paragraph before `i` ("E. ... The bypass shall be made for diversion
 * of the flow. ... The flow height shall not exceed one foot"): the paragraph's topic, which its later sentences
 * no longer repeat. Empty when the sentence opens its paragraph or the opening is not found close before (a
 * passage may run several paragraphs together, whose topics are not the sentence's).
 */
export function paragraphBefore(sentences: ReadonlyArray<{ text: string; heading?: boolean }>, i: number): string {
  if (ITEM_OPENING.test(sentences[i]?.text ?? '')) return '';
  const before: string[] = [];
  for (let j = i - 1; j >= Math.max(0, i - ITEM_LOOKBACK_SENTENCES); j--) {
    const s = sentences[j] as { text: string; heading?: boolean };
    if (s.heading === true) return '';
    before.unshift(s.text);
    if (ITEM_OPENING.test(s.text)) return before.join(' ');
  }
  return '';
}

/** Words that name a height by a bare length ("a 35' ceiling", "4 m high"). */
const HEIGHT_WORDS = /^\s*(?:high|tall)\b/i;

/**
 * True when the text gives the asked height as a bare length written right before the thing asked about
 * ("Concrete structure 35' ceiling" for "What ceiling height is required?") or with "high"/"tall": a vertical
 * thing measured by one length is measured in height, so the text need not say "height". Only for a height:
 * "12-inch pipe" gives a diameter, not a length or a thickness.
 */
export function heightByValue(
  measure: string | null,
  questionText: string,
  text: string,
  quantities: ReadonlyArray<{ raw: string; index: number; unitClass: string | null }>,
): boolean {
  if (measure !== 'height') return false;
  const asked = new Set(
    wordsOf(questionText)
      .filter((w) => isContent(w) && w.key !== 'heigh')
      .map((w) => w.key),
  );
  return quantities.some((q) => {
    if (q.unitClass !== 'length') return false;
    const after = text.slice(q.index + q.raw.length);
    const next = wordsOf(after.slice(0, 40))[0];
    return HEIGHT_WORDS.test(after) || (next !== undefined && /^\s*[a-z]/i.test(after) && asked.has(next.key));
  });
}

/** "years of experience", "hours of ASTM D2990 testing": a time unit and the thing it measures. */
const UNIT_OF_THING = /\b(?:years?|months?|weeks?|days?|hours?)\s+of\s+([^?]*)/i;

/** A word's stem, cut to the compared letters ("testing" and "test", "experience" but not "expectancy"). */
const stemKey = (w: Word): string => stemWord(w.raw).slice(0, PREFIX);

/**
 * True when the question counts a time unit of some thing ("the minimum years of experience") and the text and its
 * context name none of that thing's words in any form: "a minimum 50 year life expectancy" counts the years of
 * something else. False when the question has no such phrase.
 */
export function missesMeasuredThing(questionText: string, text: string, context = ''): boolean {
  const m = UNIT_OF_THING.exec(questionText);
  // "within how many days of notice": a time counted from an event, which the text may name otherwise.
  if (m === null || /\bwithin\b/i.test(questionText)) return false;
  const phrase = wordsOf(m[1] as string);
  const end = phrase.findIndex((w) => w.key.startsWith('_'));
  const words = (end < 0 ? phrase : phrase.slice(0, end)).filter(isContent);
  if (words.length === 0) return false;
  const present = new Set(wordsOf(`${text} ${context}`).flatMap((w) => [w.key, stemKey(w)]));
  return words.every((w) => !present.has(w.key) && !present.has(stemKey(w)));
}

/** "pre-installation", "post-construction": a prefix naming one side of an event (hyphenated: "prevent" is no side). */
const SIDE_OF_EVENT = /\b(pre|post)-([a-z]{4,})/g;

/**
 * True when the question names one side of an event ("pre-installation CCTV inspection") and the text and its
 * context name only the other side of the same event ("post-installation CCTV inspection"): the text states the
 * inspection after, not the one asked. False when the question names no side or the text names the asked side too.
 */
export function namesOpposedSide(questionText: string, text: string, context = ''): boolean {
  const sidesOf = (s: string) =>
    [...s.toLowerCase().matchAll(SIDE_OF_EVENT)].map((m) => ({
      side: m[1] as string,
      event: (m[2] as string).slice(0, PREFIX),
    }));
  const named = sidesOf(`${text} ${context}`);
  return sidesOf(questionText).some((a) => {
    const same = named.filter((n) => n.event === a.event);
    return same.length > 0 && same.every((n) => n.side !== a.side);
  });
}
