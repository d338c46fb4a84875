/**
 * Pulls typed values out of a sentence: quantities with units, dates (→ ISO), standard codes, yes/no
 * polarity and list items. Used by the extractive engine (answers), the tokenizer (dates and codes as
 * first-class tokens) and accumulation (normalised values decide whether two answers are the same).
 */
import type { ExpectedType } from '../questions/types.js';
import { dateRoleOf, readQuestionIntent, unitClassesFor, type DateRole } from './question-intent.js';
import { contrastingQualifier } from './subject-binding.js';

const MONTHS: Record<string, number> = {
  january: 1,
  jan: 1,
  february: 2,
  feb: 2,
  march: 3,
  mar: 3,
  april: 4,
  apr: 4,
  may: 5,
  june: 6,
  jun: 6,
  july: 7,
  jul: 7,
  august: 8,
  aug: 8,
  september: 9,
  sep: 9,
  sept: 9,
  october: 10,
  oct: 10,
  november: 11,
  nov: 11,
  december: 12,
  dec: 12,
};
const MONTH_PATTERN =
  'january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec';
const DAY_SUFFIX = '(?:st|nd|rd|th)?';
const MONTH_DAY_YEAR = new RegExp(
  `\\b(${MONTH_PATTERN})\\.?\\s+(\\d{1,2})${DAY_SUFFIX}(?:\\s?,)?\\s+(\\d{4})\\b`,
  'gi',
);
const DAY_MONTH_YEAR = new RegExp(
  `\\b(\\d{1,2})${DAY_SUFFIX}\\s+(?:day\\s+of\\s+|of\\s+)?(${MONTH_PATTERN})\\.?,?\\s+(\\d{4})\\b`,
  'gi',
);
const ISO_DATE = /\b(\d{4})-(\d{2})-(\d{2})\b/g;
const SLASH_DATE = /\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/g;
const MONTH_YEAR = new RegExp(`\\b(${MONTH_PATTERN})\\.?,?\\s+(\\d{4})\\b`, 'gi');

export interface FoundDate {
  raw: string;
  /** ISO date (YYYY-MM-DD), or YYYY-MM when the text gives no day. */
  iso: string;
  index: number;
}

function toIso(year: number, month: number, day: number | null): string | null {
  if (month < 1 || month > 12 || year < 1900 || year > 2200) return null;
  if (day === null) return `${year}-${String(month).padStart(2, '0')}`;
  if (day < 1 || day > 31) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Every date in the text, in order of appearance. Slash dates are read month/day/year unless the first part exceeds 12.
 */
export function findDates(text: string): FoundDate[] {
  const found: FoundDate[] = [];
  const taken: Array<[number, number]> = [];
  const push = (m: RegExpExecArray, iso: string | null) => {
    if (iso === null) return;
    const start = m.index;
    const end = start + m[0].length;
    if (taken.some(([s, e]) => start < e && end > s)) return;
    taken.push([start, end]);
    found.push({ raw: m[0], iso, index: start });
  };
  for (const m of text.matchAll(MONTH_DAY_YEAR))
    push(m, toIso(Number(m[3]), MONTHS[(m[1] as string).toLowerCase()] ?? 0, Number(m[2])));
  for (const m of text.matchAll(DAY_MONTH_YEAR))
    push(m, toIso(Number(m[3]), MONTHS[(m[2] as string).toLowerCase()] ?? 0, Number(m[1])));
  for (const m of text.matchAll(ISO_DATE)) push(m, toIso(Number(m[1]), Number(m[2]), Number(m[3])));
  for (const m of text.matchAll(SLASH_DATE)) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    push(m, a > 12 ? toIso(Number(m[3]), b, a) : toIso(Number(m[3]), a, b));
  }
  for (const m of text.matchAll(MONTH_YEAR)) {
    // "may 2024" is too often the verb "may": require a capital letter for the bare month-year form.
    if (!/^[A-Z]/.test(m[0])) continue;
    push(m, toIso(Number(m[2]), MONTHS[(m[1] as string).toLowerCase()] ?? 0, null));
  }
  return found.sort((x, y) => x.index - y.index);
}

export type UnitClass =
  | 'area'
  | 'length'
  | 'volume'
  | 'weight'
  | 'pressure'
  | 'temperature'
  | 'time'
  | 'percent'
  | 'money'
  | 'count'
  | 'flow'
  | 'ratio'
  | 'other';

/** Unit spellings → class, longest first so "linear feet" wins over "feet". */
const UNITS: Array<[string, UnitClass]> = [
  ['square feet', 'area'],
  ['square foot', 'area'],
  ['sq. ft.', 'area'],
  ['sq ft', 'area'],
  ['ft²', 'area'],
  ['square meters', 'area'],
  ['square metres', 'area'],
  ['m²', 'area'],
  ['m2', 'area'],
  ['acres', 'area'],
  ['hectares', 'area'],
  ['linear feet', 'length'],
  ['lineal feet', 'length'],
  ['linear foot', 'length'],
  ['lineal foot', 'length'],
  // "60 consecutive calendar days": the qualifiers stack.
  ['consecutive calendar days', 'time'],
  ['consecutive working days', 'time'],
  ['consecutive business days', 'time'],
  ['calendar days', 'time'],
  ['working days', 'time'],
  ['business days', 'time'],
  ['consecutive days', 'time'],
  ['millimeters', 'length'],
  ['millimetres', 'length'],
  ['centimeters', 'length'],
  ['meters', 'length'],
  ['metres', 'length'],
  ['inches', 'length'],
  ['inch', 'length'],
  ['feet', 'length'],
  ['foot', 'length'],
  ['miles', 'length'],
  ['l.f.', 'length'],
  ['lf', 'length'],
  ['mm', 'length'],
  ['cm', 'length'],
  ['km', 'length'],
  ['in.', 'length'],
  ['ft.', 'length'],
  ['ft', 'length'],
  ['m', 'length'],
  ['psi', 'pressure'],
  ['ksi', 'pressure'],
  ['kpa', 'pressure'],
  ['mpa', 'pressure'],
  ['gpa', 'pressure'],
  ['°f', 'temperature'],
  ['°c', 'temperature'],
  ['degrees fahrenheit', 'temperature'],
  ['degrees celsius', 'temperature'],
  ['degrees f', 'temperature'],
  ['degrees c', 'temperature'],
  ['degrees', 'temperature'],
  ['percent', 'percent'],
  ['%', 'percent'],
  ['days', 'time'],
  ['day', 'time'],
  ['hours', 'time'],
  ['hour', 'time'],
  ['hrs', 'time'],
  ['minutes', 'time'],
  ['weeks', 'time'],
  ['week', 'time'],
  ['months', 'time'],
  ['month', 'time'],
  ['years', 'time'],
  ['year', 'time'],
  ['yrs', 'time'],
  ['dollars', 'money'],
  ['gpm', 'flow'],
  ['cfs', 'flow'],
  ['mgd', 'flow'],
  ['us gallons', 'volume'],
  ['us gallon', 'volume'],
  ['gallons', 'volume'],
  ['gallon', 'volume'],
  ['litres', 'volume'],
  ['liters', 'volume'],
  ['cubic yards', 'volume'],
  ['cubic feet', 'volume'],
  ['cubic meters', 'volume'],
  ['cubic metres', 'volume'],
  ['m³', 'volume'],
  ['m3', 'volume'],
  ['pounds', 'weight'],
  ['lbs', 'weight'],
  ['lb', 'weight'],
  ['kg', 'weight'],
  ['tonnes', 'weight'],
  ['tons', 'weight'],
  ['psf', 'pressure'],
  ['kn/m²', 'pressure'],
  ['kn/m2', 'pressure'],
  ['pcf', 'other'],
  // Feet and inch marks after a number: 60' x 100', 12" pipe.
  ["'", 'length'],
  ['’', 'length'],
  ['′', 'length'],
  ['"', 'length'],
  ['”', 'length'],
  ['″', 'length'],
  ['samples', 'count'],
  ['sample', 'count'],
  ['references', 'count'],
  ['projects', 'count'],
  ['copies', 'count'],
  ['sets', 'count'],
  ['persons', 'count'],
  ['people', 'count'],
  ['workers', 'count'],
  ['employees', 'count'],
  ['specimens', 'count'],
  ['locations', 'count'],
  // File sizes: "in PDF format (under 15 MB in size)".
  ['megabytes', 'other'],
  ['gigabytes', 'other'],
  ['mb', 'other'],
  ['gb', 'other'],
];
// A multiplier only of something named: "2.5 times the value of the deficiency" (not "tested three times").
const UNIT_PATTERN = `${UNITS.map(([u]) => u.replace(/[.%°²/]/g, (c) => `\\${c}`)).join('|')}|times(?=\\s+(?:the|its|that)\\b)`;
const UNIT_CLASS = new Map<string, UnitClass>([...UNITS, ['times', 'ratio']]);
/** Words naming a part of a document, before its number (and the numbers listed with it). */
const REFERENCE_BEFORE =
  /\b(?:sections?|articles?|paragraphs?|subparagraphs?|clauses?|tables?|figures?|appendix|appendices|chapters?|pages?|divisions?|exhibits?|attachments?)\s+(?:[\d.]+[a-z]?\s*(?:,|and|or|through|to|-|–)\s*)*$/i;
/** A unit abbreviation of a schedule's unit column, in capitals right before the quantity. */
const UNIT_COLUMN = /\b(LF|SF|SY|CY|CF|EA|TONS?|GAL|LBS?)\s$/;
const UNIT_COLUMN_CLASS: Record<string, UnitClass> = {
  LF: 'length',
  SF: 'area',
  SY: 'area',
  CY: 'volume',
  CF: 'volume',
  EA: 'count',
  TON: 'weight',
  TONS: 'weight',
  GAL: 'volume',
  LB: 'weight',
  LBS: 'weight',
};
/** A degree sign extracted as a letter o or a masculine ordinal: "100oF", "23ºC" (read as "100°F", same length). */
const DEGREE_AS_LETTER = /(?<=\d\s?)[oº](?=\s?[FC]\b)/g;
const QUANTITY = new RegExp(
  // "(10) days": a number in parentheses keeps its unit.
  // "SW-12", "R-20": the number of an item code is no value.
  `(?<![\\w.,])(?<![A-Za-z]{1,4}-)(\\$\\s?)?(\\d{1,3}(?:,\\d{3})+|\\d+)(\\.\\d+)?\\)?(?:\\s?(million|thousand))?` +
    `(?:\\s?-?\\s?(${UNIT_PATTERN})(?![a-z]))?` +
    `(?:\\s*(?:per|\\/|a|each)\\s+(calendar day|day|linear foot|foot|lf|week|month|hour|sample))?`,
  'gi',
);
const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  ninety: 90,
  'one hundred': 100,
};
const WORD_QUANTITY = new RegExp(
  `\\b(${Object.keys(NUMBER_WORDS).join('|')})\\s+(?:\\(\\d+\\)\\s+)?(${UNIT_PATTERN})(?![a-z])`,
  'gi',
);

export interface FoundQuantity {
  raw: string;
  number: number;
  unit: string | null;
  unitClass: UnitClass | null;
  index: number;
}

/**
 * Numbers with their unit (if any): "6.0 mm", "12,500 LF", "$1,000 per day", "two (2) years". Years and CSI section
 * numbers are skipped.
 */
export function findQuantities(original: string): FoundQuantity[] {
  const text = original.replace(DEGREE_AS_LETTER, '°');
  const found: FoundQuantity[] = [];
  const dateSpans = findDates(text).map((d) => [d.index, d.index + d.raw.length] as const);
  const codeSpans = [...text.matchAll(CODE_PATTERN), ...text.matchAll(SECTION_NUMBER)].map(
    (m) => [m.index, m.index + m[0].length] as const,
  );
  const wordSpans: Array<readonly [number, number]> = [];
  for (const m of text.matchAll(WORD_QUANTITY)) {
    const unitRaw = (m[2] as string).toLowerCase();
    wordSpans.push([m.index, m.index + m[0].length]);
    found.push({
      raw: m[0],
      number: NUMBER_WORDS[(m[1] as string).toLowerCase()] ?? 0,
      unit: unitRaw,
      unitClass: UNIT_CLASS.get(unitRaw) ?? 'other',
      index: m.index,
    });
  }
  const inSpan = (i: number) => [...dateSpans, ...codeSpans, ...wordSpans].some(([s, e]) => i >= s && i < e);
  for (const m of text.matchAll(QUANTITY)) {
    if (inSpan(m.index)) continue;
    const money = m[1] !== undefined;
    let n = Number((m[2] as string).replace(/,/g, '') + (m[3] ?? ''));
    if (m[4]) n *= m[4].toLowerCase() === 'million' ? 1_000_000 : 1_000;
    // A bid schedule's unit column before its quantity column: "Storm Sewer LF 1,850", "Lateral Reinstatement EA 38".
    const unitColumn = !money && m[5] === undefined ? UNIT_COLUMN.exec(text.slice(0, m.index))?.[1] : undefined;
    const unitRaw = m[5]?.toLowerCase() ?? unitColumn?.toLowerCase() ?? null;
    let unitClass: UnitClass | null = money
      ? 'money'
      : unitColumn !== undefined
        ? (UNIT_COLUMN_CLASS[unitColumn] ?? 'other')
        : unitRaw
          ? (UNIT_CLASS.get(unitRaw) ?? 'other')
          : null;
    // "as described in Sections 7 and 8 of ASTM D5813": a bare number naming a part of a document counts nothing.
    if (
      !money &&
      m[5] === undefined &&
      unitColumn === undefined &&
      REFERENCE_BEFORE.test(text.slice(Math.max(0, m.index - 60), m.index))
    )
      continue;
    // A bare "1" of a clause number or a page reference is noise; a bare number still counts for counts.
    if (!money && unitRaw === null && /^\d+$/.test(m[0]) && n >= 1900 && n <= 2200) continue;
    if (unitRaw === 'm' && m[4] === undefined && /million/i.test(m[0])) unitClass = 'money';
    let raw = m[0].trim();
    let index = m.index;
    if (raw.length === 0) continue;
    // "(10) days": quote the number with both its parentheses.
    if (/^[^(]*\)/.test(raw) && text[index - 1] === '(') [raw, index] = [`(${raw}`, index - 1];
    found.push({ raw, number: n, unit: money ? '$' : unitRaw, unitClass, index });
  }
  return found.sort((a, b) => a.index - b.index);
}

/** Standard bodies whose codes are kept whole ("ASTM F1216", "ASTM D-790" → "ASTM D790"). */
const STANDARD_BODIES = 'astm|awwa|ansi|aashto|nassco|asce|csa|nfpa|iso|osha|ieee|nsf|en|din|ul|bs';
export const CODE_PATTERN = new RegExp(
  `\\b(${STANDARD_BODIES})\\s*([a-z]{0,2})\\s?-?\\s?(\\d+(?:[.\\-/]\\d+)*[a-z]?)\\b`,
  'gi',
);
/** CSI MasterFormat section numbers: "33 01 30", "33 01 30.72". */
export const SECTION_NUMBER = /\b(\d{2}) (\d{2}) (\d{2})(?:\.(\d{2}))?\b/g;
const CFR = /\b(\d+)\s*cfr\s*(?:part\s*)?(\d+(?:\.\d+)?)\b/gi;

/** Standard codes in display form, deduplicated, in order: "ASTM F1216", "29 CFR 1926", "33 01 30". */
export function findStandardCodes(text: string): string[] {
  const codes: Array<{ code: string; index: number }> = [];
  for (const m of text.matchAll(CODE_PATTERN)) {
    const body = (m[1] as string).toUpperCase();
    // "in 2024", "en route": a body with no letter prefix needs ≥ 2 digits and must be written in capitals.
    if (!/^[A-Z]+$/.test(m[1] as string)) continue;
    if (/^\s*cfr\b/i.test(text.slice(m.index + m[0].length))) continue; // "OSHA 29 CFR 1926": the CFR form below

    codes.push({ code: `${body} ${((m[2] as string) + (m[3] as string)).toUpperCase()}`, index: m.index });
  }
  for (const m of text.matchAll(CFR)) codes.push({ code: `${m[1]} CFR ${m[2]}`, index: m.index });
  for (const m of text.matchAll(SECTION_NUMBER)) codes.push({ code: m[0], index: m.index });
  const seen = new Set<string>();
  return codes
    .sort((a, b) => a.index - b.index)
    .map((c) => c.code)
    .filter((c) => (seen.has(c) ? false : (seen.add(c), true)));
}

const NEGATIVE =
  /\b(not|no|none|never|neither|nor|prohibited|waived|excluded|optional)\b|n't\b|\bnon-\s?(mandatory|compulsory|required)\b/i;
const AFFIRMATIVE = /\b(shall|must|required|requires|will|mandatory|is|are|yes|include|includes)\b/i;

/** Yes/no from the phrasing: negation wins ("shall not be required" → false); null when neither. */
export function findPolarity(text: string): boolean | null {
  if (NEGATIVE.test(text)) return false;
  if (AFFIRMATIVE.test(text)) return true;
  return null;
}

/** List items: what follows a colon, split on ; , "and" / "or" and bullets. */
export function splitListItems(text: string): string[] {
  const colon = text.indexOf(':');
  const body = colon >= 0 && colon < text.length - 3 ? text.slice(colon + 1) : text;
  const items = body
    .split(/\s*(?:;|,|\u2022|\n|\band\b|\bor\b)\s*/i)
    .map((s) =>
      s
        .replace(/^[\s\-*\d.)(a-z]{0,3}\s+(?=[A-Za-z])/, '')
        .replace(/[.\s]+$/, '')
        .trim(),
    )
    .filter((s) => s.length >= 2 && s.length <= 120);
  return items.length >= 2 ? items : [];
}

/** Words in a question that say which kind of quantity it wants. */
const CLASS_HINTS: Array<[RegExp, UnitClass]> = [
  [/\b(area|square)\b/i, 'area'],
  [/\b(footage|length|feet|foot|lf|distance|depth|diameters?|thickness|thick|sizes?)\b/i, 'length'],
  [
    /\b(costs?|budgets?|prices?|amounts?|dollars?|fees?|damages|allowances?|contingenc\w*|values?|bonds?|bonding)\b/i,
    'money',
  ],
  [/\b(percent\w*|retention|retainage|holdback)\b/i, 'percent'],
  [/\b(duration|years?|days?|period|timeline|time|months?|hours?|weeks?)\b/i, 'time'],
  [/\b(how many|number of|references|samples|crew|staff\w*)\b/i, 'count'],
  [/\b(strength|modulus|pressures?|psi)\b/i, 'pressure'],
  [/\b(temperatures?)\b/i, 'temperature'],
];

export function expectedUnitClasses(questionText: string): UnitClass[] {
  const hinted = CLASS_HINTS.filter(([re]) => re.test(questionText)).map(([, c]) => c);
  // The question's attribute narrows the hints: "what percentage ... bid bond" wants a percent, not dollars.
  const attribute = unitClassesFor(readQuestionIntent(questionText, 'string').attribute);
  if (attribute === null || attribute.length > 4) return hinted;
  const narrowed = hinted.filter((c) => attribute.includes(c));
  return narrowed.length > 0 ? narrowed : attribute;
}

/** A bare number (no unit) answers only a "how many" question, and only as a whole number: "4.1" is a clause. */
function isPlausibleCount(q: FoundQuantity): boolean {
  return q.unit === null && Number.isInteger(q.number) && !/\./.test(q.raw) && q.number > 0 && q.number < 1000;
}

/** Whether a quantity is the kind the question asks for. */
export function quantityFits(q: FoundQuantity, wanted: UnitClass[]): boolean {
  if (q.unitClass !== null && wanted.includes(q.unitClass)) return true;
  if (wanted.includes('count') && isPlausibleCount(q)) return true;
  return wanted.length === 0 && q.unit !== null;
}

/** Characters before a value in which the question's words count as "about this value" (a table row's label). */
const PROXIMITY_BEFORE_CHARS = 70;
/** Words compared by their first letters: a stemmer-free match that survives plurals and -ing/-ed/-es. */
const PREFIX_CHARS = 4;
const QUESTION_FILLER = new Set([
  'what',
  'which',
  'when',
  'where',
  'there',
  'required',
  'specified',
  'requirements',
  'does',
  'this',
  'that',
  'many',
  'much',
  'from',
  'with',
]);

function questionWordPrefixes(questionText: string): Set<string> {
  return new Set(
    (questionText.toLowerCase().match(/[a-z]{4,}/g) ?? [])
      .filter((w) => !QUESTION_FILLER.has(w))
      .map((w) => w.slice(0, PREFIX_CHARS)),
  );
}

function countPrefixes(text: string, prefixes: Set<string>): number {
  const words = new Set((text.toLowerCase().match(/[a-z]{4,}/g) ?? []).map((w) => w.slice(0, PREFIX_CHARS)));
  let n = 0;
  for (const p of prefixes) if (words.has(p)) n++;
  return n;
}

/**
 * How much a value is about the question: question words shortly before it (not reaching back past the
 * previous value, so a table row's label counts only for its own value) and, doubly, the word right after
 * it ("157 fatalities").
 */
function proximityScore(
  text: string,
  index: number,
  length: number,
  previousEnd: number,
  prefixes: Set<string>,
): number {
  const before = text.slice(Math.max(previousEnd, index - PROXIMITY_BEFORE_CHARS), index);
  // Lower-case only: a capitalised word after a value is usually the next table row's label.
  const nextWord = text.slice(index + length).match(/^\W{0,3}([a-z]{4,})/)?.[1] ?? '';
  return countPrefixes(before, prefixes) + 2 * countPrefixes(nextWord, prefixes);
}

/** Characters before and after a date that say what the date is for ("Questions ... no later than 5 May"). */
const DATE_ROLE_BEFORE_CHARS = 90;
const DATE_ROLE_AFTER_CHARS = 40;

/**
 * How well a date's own words fit the asked role: a date for questions, a meeting, addenda or an award
 * never answers "when are bids due" (and the reverse), whatever words the two share.
 */
export function dateRoleFit(context: string, wanted: DateRole | null): number {
  if (wanted === null) return 0;
  const roles = dateRoleOf(context);
  const specific = roles.filter((r) => r !== 'bid_due');
  if (wanted === 'bid_due') return specific.length > 0 ? -1 : roles.includes('bid_due') ? 1 : 0;
  if (roles.includes(wanted)) return 1;
  return specific.length > 0 ? -1 : 0;
}

/**
 * The date the question is about: role words first (see dateRoleFit), then the most question words
 * around it, the first on ties. Null when every date in the text plays another role than the asked one.
 */
export function pickDate(text: string, questionText: string, wantedRole: DateRole | null = null): FoundDate | null {
  const prefixes = questionWordPrefixes(questionText);
  let best: FoundDate | null = null;
  let bestScore = Number.NEGATIVE_INFINITY;
  let previousEnd = 0;
  const dates = findDates(text);
  dates.forEach((d, i) => {
    const nextStart = dates[i + 1]?.index ?? text.length;
    // The date's own clause: not past the previous or next date, nor across a sentence end.
    let before = text.slice(Math.max(previousEnd, d.index - DATE_ROLE_BEFORE_CHARS), d.index);
    const lastStop = Math.max(before.lastIndexOf('. '), before.lastIndexOf('; '));
    if (lastStop >= 0) before = before.slice(lastStop + 2);
    let after = text.slice(d.index + d.raw.length, Math.min(nextStart, d.index + d.raw.length + DATE_ROLE_AFTER_CHARS));
    const stop = after.search(/\.\s+[A-Z]|;/);
    if (stop >= 0) after = after.slice(0, stop);
    const context = `${before}${d.raw}${after}`;
    // "Substantial Performance ... by September 30" is not the date of total performance.
    const fit = contrastingQualifier(questionText, before) !== null ? -1 : dateRoleFit(context, wantedRole);
    const score = 10 * fit + proximityScore(text, d.index, d.raw.length, previousEnd, prefixes);
    previousEnd = d.index + d.raw.length;
    if (fit >= 0 && score > bestScore) {
      best = d;
      bestScore = score;
    }
  });
  return best;
}

/**
 * The quantity that best fits the question: the right kind of unit, then question words nearby, then any unit, then
 * first occurrence.
 */
const CONDITION_WORDS = /\b(?:until|unless|once|whenever|when|if)\b/i;
const CONDITION_PENALTY = 4;
/** A value the question itself states names what is asked about; any value fitting the question goes first. */
const NAMED_IN_QUESTION_PENALTY = 10;

/** Whether the value at `index` sits in a condition clause ("until the Work is 50% complete", "if over $10,000"). */
export function inCondition(text: string, index: number): boolean {
  const before = text.slice(0, index);
  const clauseStart = Math.max(before.lastIndexOf(','), before.lastIndexOf(';'), before.lastIndexOf('. '));
  return CONDITION_WORDS.test(before.slice(clauseStart + 1));
}

/** An aside opening with a condition: "(for Bid Security amounts less than or equal to $15,000)". */
const CONDITION_ASIDE = /\((?:for|if|when|where|on)\b[^()]*$/i;
const THRESHOLD_BEFORE =
  /\b(?:(?<!not )(?:less|greater|more|fewer|lower|higher) than(?: or equal to)?|exceeding|in excess of|over|under|below|above)\s*$/i;

/**
 * Whether the value at `index` is the bound of a condition set aside in parentheses ("... a certified check (for
 * amounts less than or equal to $15,000) ..."): it says when a rule applies, not what the rule requires.
 */
export function isConditionBound(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 120), index);
  return CONDITION_ASIDE.test(before) && THRESHOLD_BEFORE.test(before.replace(/\$\s*$/, ''));
}

export function pickQuantity(text: string, questionText: string): FoundQuantity | null {
  const asksCondition = CONDITION_WORDS.test(questionText);
  const wanted = expectedUnitClasses(questionText);
  const prefixes = questionWordPrefixes(questionText);
  const named = findQuantities(questionText).filter((n) => n.unit !== null);
  let best: FoundQuantity | null = null;
  let bestScore = -1;
  let previousEnd = 0;
  for (const q of findQuantities(text)) {
    let score = 0;
    if (quantityFits(q, wanted)) score += 10;
    // "How many linear feet of 15-inch pipe": the "15-INCH" of the row names the subject, it is not the answer.
    if (named.some((n) => n.number === q.number && n.unitClass === q.unitClass)) score -= NAMED_IN_QUESTION_PENALTY;
    score += Math.min(proximityScore(text, q.index, q.raw.length, previousEnd, prefixes), 5);
    previousEnd = q.index + q.raw.length;
    if (q.unit !== null) score += 0.5;
    // "retain 10% ... until the Work is 50% complete": a value inside a condition is not the one stated.
    if (!asksCondition && inCondition(text, q.index)) score -= CONDITION_PENALTY;
    if (score > bestScore) {
      best = q;
      bestScore = score;
    }
  }
  return best;
}

export interface ExtractedValue {
  value: string | number | boolean | string[] | null;
  /** The short answer to show; null when the sentence itself is the answer. */
  answer: string | null;
  /** Whether the sentence holds the kind of value the question's type asks for. */
  typeMatched: boolean;
}

/** The typed value a sentence gives for a question of this expected type. */
export function extractValue(sentence: string, expectedType: ExpectedType, questionText: string): ExtractedValue {
  switch (expectedType) {
    case 'number': {
      const q = pickQuantity(sentence, questionText);
      // A number that is not the kind asked for ("4.1" for a budget) is no answer: the sentence speaks for itself.
      if (q === null || !quantityFits(q, expectedUnitClasses(questionText)))
        return { value: null, answer: null, typeMatched: false };
      return { value: q.raw, answer: q.raw, typeMatched: true };
    }
    case 'date': {
      const date = pickDate(sentence, questionText, readQuestionIntent(questionText, expectedType).dateRole);
      if (date === null) return { value: null, answer: null, typeMatched: false };
      return { value: date.iso, answer: date.raw, typeMatched: true };
    }
    case 'boolean': {
      const polarity = findPolarity(sentence);
      if (polarity === null) return { value: null, answer: null, typeMatched: false };
      return { value: polarity, answer: polarity ? 'Yes' : 'No', typeMatched: true };
    }
    case 'list': {
      const items = splitListItems(sentence);
      return items.length > 0
        ? { value: items, answer: items.join('; '), typeMatched: true }
        : { value: null, answer: null, typeMatched: false };
    }
    case 'technical_spec': {
      const codes = findStandardCodes(sentence);
      if (codes.length > 0) return { value: codes, answer: null, typeMatched: true };
      const q = findQuantities(sentence).find((x) => x.unit !== null);
      if (q !== undefined) return { value: q.raw, answer: null, typeMatched: true };
      return { value: null, answer: null, typeMatched: false };
    }
    case 'string':
      return { value: null, answer: null, typeMatched: true };
  }
}
