/**
 * Pages → sentences → passages, keeping provenance. Passages are sentence-aligned and do not overlap:
 * a sentence is never cut, so every quote the engines can pick lies whole inside one passage, and
 * non-overlapping passages keep BM25 document frequencies honest and the LLM prompt free of repeats.
 * A sentence (and so a passage) may run across a page break; it then records a span on each page.
 * Running headers/footers (boilerplateLines) and bare page numbers are left out of passage text.
 */
import type { IngestedPage } from '../ingest/types.js';
import type { Passage } from './engine.js';
import type { PageRole } from '../ingest/page-structure.js';
import { collapseWhitespace } from './normalize-text.js';
import { buildOutline, type DocumentOutline } from './outline.js';

/** A passage closes once it holds this many words and the next sentence would take it past the maximum. */
export const PASSAGE_MIN_WORDS = 60;
export const PASSAGE_MAX_WORDS = 120;
/** Beyond this a "sentence" is a table or a list without punctuation: it is cut at the next line end. */
const SENTENCE_MAX_WORDS = 60;
/**
 * Lines shorter than this share of the page's median line length, with no closing punctuation, followed
 * by a capitalised line, are headings. Relative, because a two-column page (the Federal Register) has short
 * lines everywhere and an absolute limit would cut every sentence there.
 */
const HEADING_MAX_SHARE_OF_MEDIAN = 0.6;

/** Where part of a sentence sits on a page: [start, end) offsets into IngestedPage.text. */
export interface SentenceSpan {
  page: number;
  start: number;
  end: number;
}

export interface Sentence {
  index: number;
  /** The sentence with whitespace runs collapsed (line breaks become spaces). */
  text: string;
  spans: SentenceSpan[];
  pages: number[];
  ocr: boolean;
  passageId: string;
  /** Heading path where the sentence starts ('' when none). */
  headingPath: string;
  /** Article path (levels ≤ 3) where the sentence starts: passages break where it changes. */
  article: string;
  role: PageRole;
  /** The sentence is a heading line (a title, not a statement): never an answer by itself. */
  heading: boolean;
  /** The sentence is one row of a table. */
  tableRow: boolean;
}

export interface PassageSet {
  passages: Passage[];
  sentences: Sentence[];
  outline: DocumentOutline;
}

interface Line {
  page: number;
  start: number;
  end: number;
  text: string;
  /** A blank line (or the page's first line after a blank) precedes this one. */
  afterBlank: boolean;
  /** The raw line before this one on the page was kept: a sentence can extend its span over both. */
  followsKeptLine: boolean;
  /** Median length of the page's content lines. */
  pageMedianChars: number;
  /** Index of the line in the page text. */
  lineIndex: number;
  /** Heading level of the line (1–4) or 0. */
  headingLevel: number;
  tableRow: boolean;
  listItem: boolean;
}

const sentencesByPassage = new WeakMap<Passage, Sentence[]>();

/** The sentences of a passage built by buildPassages (undefined for passages built elsewhere). */
export function sentencesOfPassage(passage: Passage): Sentence[] | undefined {
  return sentencesByPassage.get(passage);
}

/** A line that is only a page number ("12", "Page 12", "- 12 -", "Page 12 of 40"). */
export const PAGE_FURNITURE = /^\s*(?:page\s+)?[-–]?\s*\d{1,4}\s*[-–]?\s*(?:of\s+\d{1,4})?\s*$/i;
const LIST_MARKER = /^\s*(?:[A-Z]\.|\d+(?:\.\d+)*\.?|\(?[a-z0-9]{1,3}\)|[•\u2022\-–*·▪])\s+/;
const ABBREVIATIONS = new Set([
  'no',
  'nos',
  'e.g',
  'i.e',
  'etc',
  'sec',
  'art',
  'approx',
  'min',
  'max',
  'in',
  'ft',
  'st',
  'dr',
  'mr',
  'ms',
  'mrs',
  'inc',
  'ltd',
  'co',
  'vs',
  'fig',
  'ref',
  'u.s',
  'dia',
  'ea',
  'lf',
  'p',
  'pp',
  'para',
  'sq',
  'cu',
  'jr',
]);
/**
 * A line ending in a word that a number follows ("14 CFR", "Section", "Part", "No.", "§"): the next line's number
 * belongs to it.
 */
const REFERENCE_BEFORE_NUMBER =
  /(?:\b(?:CFR|U\.?S\.?C\.?|sections?|parts?|articles?|chapters?|paragraphs?|clauses?|items?|tables?|figures?|appendix|no\.|nos\.)|§{1,2})(?:\s+\d{2})*\s*$/i;
/**
 * A line ending in a word that a letter designates ("Appendix", "Exhibit"): the next line's "C." is the
 * designator, not a lettered item. Also a lettered designator inside a line ends the sentence when a capital follows
 * ("in Appendix C. Where ..."), though a lone capital before a period is otherwise read as an initial.
 */
const LETTERED_REFERENCE =
  /\b(?:appendix|appendices|exhibits?|attachments?|schedules?|annex|sections?|parts?|forms?)$/i;
const INTERNAL_BOUNDARY = /([.!?])["')\]]*\s+(?=["'([]?[A-Z0-9])/g;
/** A number written out ("twenty-eight", "ten percent"), which specs restate in figures just after: "(28) days". */
const NUMBER_WORD_AT_END =
  /\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million)(?:\s+(?:percent|dollars))?$/i;
/** A numeral in parentheses restating the number just written out: "(28)", "(10%)", "($5,000)". */
const RESTATED_NUMERAL = /^\(\s*\$?\d[\d,.]*\s*%?\s*\)/;
/** A line ending in a word that needs what follows ("within", "of", "than"): the clause goes on. */
const ENDS_WANTING_COMPLEMENT =
  /\b(?:within|of|than|to|for|by|from|per|at|the|a|an|exceed|least|after|before|requires|equals|totals)$/;

/**
 * True when the next line carries on the clause although it opens like a numbered item: "within twenty-eight" /
 * "(28) days of receiving ...", "within" / "120 calendar days after ...". The number is the clause's object, not
 * an enumerator.
 */
function continuesBeforeNumber(line: Line, next: Line): boolean {
  if (next.page !== line.page) return false;
  if (RESTATED_NUMERAL.test(next.text) && NUMBER_WORD_AT_END.test(line.text)) return true;
  return next.headingLevel === 0 && /^\(?\$?\d/.test(next.text) && ENDS_WANTING_COMPLEMENT.test(line.text);
}

function collectLines(pages: IngestedPage[], outline: DocumentOutline): Line[] {
  const lines: Line[] = [];
  for (const page of [...pages].sort((a, b) => a.pageNumber - b.pageNumber)) {
    const boilerplate = new Set(page.boilerplateLines.map((l) => collapseWhitespace(l)));
    const po = outline.pages.get(page.pageNumber);
    const tableRows = new Set(po?.structure.tableRows ?? []);
    const listItems = new Set(po?.structure.listItems ?? []);
    let offset = 0;
    let afterBlank = true;
    let previousKept = false;
    let lineIndex = -1;
    for (const raw of page.text.split('\n')) {
      lineIndex++;
      const start = offset;
      offset += raw.length + 1;
      const trimmed = collapseWhitespace(raw);
      if (trimmed === '') {
        afterBlank = true;
        previousKept = false;
        continue;
      }
      if (boilerplate.has(trimmed) || PAGE_FURNITURE.test(trimmed)) {
        previousKept = false;
        continue;
      }
      const lead = raw.length - raw.trimStart().length;
      lines.push({
        page: page.pageNumber,
        start: start + lead,
        end: start + raw.trimEnd().length,
        text: raw.trim(),
        afterBlank,
        followsKeptLine: previousKept,
        pageMedianChars: 0,
        lineIndex,
        headingLevel: po?.headingLevel[lineIndex] ?? 0,
        tableRow: tableRows.has(lineIndex),
        listItem: listItems.has(lineIndex),
      });
      afterBlank = false;
      previousKept = true;
    }
    const ofPage = lines.filter((l) => l.page === page.pageNumber);
    const lengths = ofPage.map((l) => l.text.length).sort((a, b) => a - b);
    const median = lengths[Math.floor(lengths.length / 2)] ?? 0;
    for (const l of ofPage) l.pageMedianChars = median;
  }
  return lines;
}

/**
 * Offsets (within the line) right after each sentence end inside the line. `carried` is the text of the previous
 * line when the sentence runs on from it ('' otherwise): then "10. The" at the line start ends that sentence's
 * "Section 33 / 01 10." rather than opening a numbered paragraph.
 */
function internalBoundaries(text: string, carried = ''): number[] {
  const cuts: number[] = [];
  for (const m of text.matchAll(INTERNAL_BOUNDARY)) {
    const before =
      text
        .slice(0, m.index)
        .match(/([A-Za-z.]+)$/)?.[1]
        ?.toLowerCase() ?? '';
    const designator =
      /^[a-z]$/i.test(before) && LETTERED_REFERENCE.test(`${carried} ${text.slice(0, m.index - 1)}`.trimEnd());
    if (m[1] === '.' && (ABBREVIATIONS.has(before) || /^[a-z]$/i.test(before)) && !designator) continue;
    if (m[1] === '.' && text.slice(0, m.index).endsWith('..')) continue; // dot leaders of a contents line
    // "1.2. Scope"
    if (m[1] === '.' && /\d$/.test(text.slice(0, m.index)) && text.slice(0, m.index).trim().length < 8 && !carried)
      continue;
    cuts.push(m.index + m[0].length);
  }
  return cuts;
}

function endsSentence(line: Line, next: Line | undefined, words: number): boolean {
  if (next === undefined) return true;
  // "...found in 14 CFR" / "11.43 and 11.45, by...": a number after a word that takes one continues the
  // reference, though a line starting with a number otherwise reads as a numbered item.
  if (next.page === line.page && REFERENCE_BEFORE_NUMBER.test(line.text) && /^\d/.test(next.text)) return false;
  if (
    next.page === line.page &&
    next.headingLevel === 0 &&
    LETTERED_REFERENCE.test(line.text) &&
    /^[A-Z]{1,2}\b/.test(next.text)
  )
    return false;
  if (continuesBeforeNumber(line, next)) return false;
  // Structure first: a heading stands alone, a new heading or list item starts afresh, table rows stay apart.
  if (line.headingLevel > 0 || next.headingLevel > 0 || next.listItem) return true;
  if (line.tableRow || next.tableRow) return true;
  if (/[.!?:;]["')\]]*$/.test(line.text)) return true;
  if (next.page === line.page && next.afterBlank) return true;
  if (LIST_MARKER.test(next.text)) return true;
  if (
    line.text.length < HEADING_MAX_SHARE_OF_MEDIAN * line.pageMedianChars &&
    !/[,\-–(]$|\b(and|or|of|the|to|a|an|for|with|in|by)$/i.test(line.text) &&
    /^[A-Z0-9"(]/.test(next.text)
  )
    return true;
  return words >= SENTENCE_MAX_WORDS;
}

function countWords(text: string): number {
  const m = text.match(/\S+/g);
  return m === null ? 0 : m.length;
}

/** Split pages into sentences and group them into passages of ~60–120 words. */
export function buildPassages(pages: IngestedPage[]): PassageSet {
  const ocrPages = new Set(pages.filter((p) => p.ocr).map((p) => p.pageNumber));
  const pageText = new Map(pages.map((p) => [p.pageNumber, p.text]));
  const outline = buildOutline(pages);
  const lines = collectLines(pages, outline);
  const sentences: Sentence[] = [];
  let spans: SentenceSpan[] = [];
  let first: Line | null = null;

  // A span is a contiguous stretch of page text: a skipped header line or page number inside a sentence starts a new
  // span.
  const addSpan = (page: number, start: number, end: number, contiguous: boolean) => {
    if (end <= start) return;
    const last = spans[spans.length - 1];
    if (last !== undefined && last.page === page && contiguous) last.end = end;
    else spans.push({ page, start, end });
  };
  const closeSentence = () => {
    if (spans.length === 0) return;
    const text = collapseWhitespace(spans.map((s) => (pageText.get(s.page) ?? '').slice(s.start, s.end)).join(' '));
    if (text.length > 0) {
      const opening = spans[0] as SentenceSpan;
      startsLine.push(first !== null && opening.page === first.page && opening.start === first.start);
      const pagesOf = [...new Set(spans.map((s) => s.page))].sort((a, b) => a - b);
      const po = first === null ? undefined : outline.pages.get(first.page);
      const lineIndex = first?.lineIndex ?? 0;
      sentences.push({
        index: sentences.length,
        text,
        spans,
        pages: pagesOf,
        ocr: pagesOf.some((p) => ocrPages.has(p)),
        passageId: '',
        headingPath: po?.pathAt[lineIndex] ?? '',
        article: po?.articleAt[lineIndex] ?? '',
        role: po?.role ?? 'body',
        heading: first !== null && first.headingLevel > 0,
        tableRow: first?.tableRow ?? false,
      });
    }
    spans = [];
    first = null;
  };

  let words = 0;
  const startsLine: boolean[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as Line;
    let from = 0;
    if (first === null) first = line;
    const carried = first === line ? '' : (lines[i - 1]?.text ?? '');
    for (const cut of internalBoundaries(line.text, carried)) {
      addSpan(line.page, line.start + from, line.start + cut, from > 0 || line.followsKeptLine);
      // Trailing spaces inside the cut belong to neither sentence.
      const last = spans[spans.length - 1];
      if (last !== undefined) last.end = line.start + from + line.text.slice(from, cut).trimEnd().length;
      closeSentence();
      words = 0;
      from = cut;
      first = line;
    }
    addSpan(line.page, line.start + from, line.end, from > 0 || line.followsKeptLine);
    words += countWords(line.text.slice(from));
    if (endsSentence(line, lines[i + 1], words)) {
      closeSentence();
      words = 0;
    }
  }
  closeSentence();
  applyRunInTitles(sentences, startsLine);
  return { passages: groupIntoPassages(sentences, ocrPages), sentences, outline };
}

/**
 * "5.01 Retainage.", "C. Bid Protests.", "2. Concurrent Delay.": a numbered or lettered paragraph's title, run in
 * before its first sentence.
 */
const RUN_IN_TITLE = /^(\d+(?:\.\d+)+\.?|[A-Z]\.|\d{1,2}\.)\s+([A-Z][\w'’&/-]*(?:\s+[\w'’&/()-]+){0,5})\.$/;
/** The enumerator a paragraph opens with ("5.02", "C.", "3.", "(b)"). */
const ENUMERATOR = /^(\d+(?:\.\d+)+\.?|[A-Z]\.|\d{1,2}[.)]|\(?[a-z]{1,3}\)|[a-z]\.)\s/;

/** Outline rank of an enumerator: "1.01" above "1.01.1" above "A." above "1." above "a."; smaller is higher. */
function enumeratorRank(enumerator: string): number {
  if (/^\d+(?:\.\d+)+/.test(enumerator)) return enumerator.replace(/\.$/, '').split('.').length - 1;
  if (/^[A-Z]\.$/.test(enumerator)) return 10;
  if (/^\d/.test(enumerator)) return 11;
  return 12;
}

/** Title words: every word of four letters or more capitalised ("Time of Completion", "PROGRESS PAYMENTS"). */
function isTitleCase(words: string): boolean {
  return words.split(/\s+/).every((w) => !/^[a-z]{4,}/.test(w));
}

/** Rank of the enumerator a sentence opens a line with (null when it opens none). */
function rankAt(sentences: Sentence[], startsLine: boolean[], j: number): number | null {
  const m = startsLine[j] === true ? ENUMERATOR.exec((sentences[j] as Sentence).text) : null;
  return m === null ? null : enumeratorRank(m[1] as string);
}

/**
 * A short title sentence opening a numbered or lettered paragraph ("5.01 Retainage. The City will retain five
 * percent ...") states nothing: it titles the sentences of its paragraph. It becomes a heading (never an answer) and
 * joins their heading path, up to the next paragraph of its rank or above or the end of the article, so "retainage"
 * is read with "The City will retain five percent (5%)". An item of a list of short items ("4. Addenda." then "5.
 * Supplementary Conditions.") titles nothing: its next sentence must be the paragraph's text.
 */
function applyRunInTitles(sentences: Sentence[], startsLine: boolean[]): void {
  for (let i = 0; i < sentences.length; i++) {
    const s = sentences[i] as Sentence;
    const m = RUN_IN_TITLE.exec(s.text);
    // A form's numbered field prompts ("11. CERTIFIED 12.") title nothing.
    if (m === null || s.heading || s.tableRow || s.role === 'form' || startsLine[i] !== true) continue;
    if (!isTitleCase(m[2] as string) || !/[A-Za-z)]\.$/.test(s.text)) continue;
    const rank = enumeratorRank(m[1] as string);
    const next = sentences[i + 1];
    const nextRank = rankAt(sentences, startsLine, i + 1);
    if (next === undefined || next.heading || next.article !== s.article || (nextRank !== null && nextRank <= rank))
      continue;
    s.heading = true;
    const title = s.text.replace(/\.$/, '');
    for (let j = i + 1; j < sentences.length; j++) {
      const t = sentences[j] as Sentence;
      if (t.heading || t.article !== s.article || t.role !== s.role) break;
      const r = rankAt(sentences, startsLine, j);
      if (r !== null && r <= rank) break;
      t.headingPath = t.headingPath === '' ? title : `${t.headingPath} › ${title}`;
    }
  }
}

function groupIntoPassages(sentences: Sentence[], ocrPages: Set<number>): Passage[] {
  const passages: Passage[] = [];
  const perFirstPage = new Map<number, number>();
  let group: Sentence[] = [];
  let groupWords = 0;
  const close = () => {
    if (group.length === 0) return;
    const pagesOf = [...new Set(group.flatMap((s) => s.pages))].sort((a, b) => a - b);
    const first = pagesOf[0] as number;
    const n = (perFirstPage.get(first) ?? 0) + 1;
    perFirstPage.set(first, n);
    const lead = group[0] as Sentence;
    const passage: Passage = {
      id: `p${first}-${n}`,
      pages: pagesOf,
      text: group.map((s) => s.text).join(' '),
      ocr: pagesOf.some((p) => ocrPages.has(p)),
      headingPath: lead.headingPath,
      role: lead.role,
      firstSentence: lead.index,
      sentenceCount: group.length,
    };
    for (const s of group) s.passageId = passage.id;
    sentencesByPassage.set(passage, group);
    passages.push(passage);
    group = [];
    groupWords = 0;
  };
  for (const s of sentences) {
    const w = countWords(s.text);
    const last = group[group.length - 1];
    // A passage stays inside one article (and one page role), so it carries one heading path.
    if (last !== undefined && (last.article !== s.article || last.role !== s.role)) close();
    if (groupWords >= PASSAGE_MIN_WORDS && groupWords + w > PASSAGE_MAX_WORDS) close();
    group.push(s);
    groupWords += w;
    if (groupWords >= PASSAGE_MAX_WORDS) close();
  }
  close();
  return passages;
}

/** A sentence listing, after its lead, at least this many short comma-separated items is an enumeration. */
const ENUMERATION_MIN_ITEMS = 6;
/** Items of an enumeration are short noun phrases: at most this many words each (most of them). */
const ENUMERATION_ITEM_MAX_WORDS = 6;

/**
 * A sentence that enumerates many short items ("The Contractor shall provide materials, labor, equipment, services
 * for bypass pumping, CIPL installation, service reinstatement, initial and final CCTV inspection, and final
 * testing."): its lead (the text before the first comma) and its items, or null when the sentence is no such list.
 * A topic named only among the items is mentioned in passing: the sentence says nothing about it.
 */
export function enumerationOf(text: string): { lead: string; items: string[] } | null {
  const segments = text
    .split(/(?<!\d),|,(?!\d)|;/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (segments.length <= ENUMERATION_MIN_ITEMS) return null;
  const [lead, ...items] = segments as [string, ...string[]];
  const short = items.filter((s) => s.split(/\s+/).length <= ENUMERATION_ITEM_MAX_WORDS).length;
  if (short < ENUMERATION_MIN_ITEMS || short < 0.7 * items.length) return null;
  return { lead, items };
}

/** "as specified in Section 00 73 16", "refer to Article 5", "see Paragraph 3.2": a pointer to another place. */
const POINTER_TO_PLACE =
  /\b(?:as (?:specified|set forth|described|provided|required|indicated|defined|stated|listed|shown) (?:in|under)|refer(?:ring)? to|see|pursuant to|in accordance with)\s+(?:the\s+)?(?:requirements of\s+)?(?:Section|Article|Paragraph|Document|Part|Division)\s+[\dIVX]/i;
/** "... 2908 of the Police Code", "... 7028.15 of the Labor Code": a law's section, not the document's. */
const OF_A_LAW =
  /^[\w.()-]+\s+of\s+(?:the\s+)?[\w ,'’&-]{0,60}?\b(?:Code|Act|Regulations?|Law|Ordinance|Statutes?|Rules)\b/i;
/** "Article 10 of the General Conditions (Section 00 72 00) sets forth the requirements as to bonds." */
const PLACE_SETS_FORTH =
  /^(?:[A-Z0-9]{1,3}[.)]\s+)?(?:Article|Section|Document|Paragraph|Part)\s+[\dIVX][\w.]*\b[^.]{0,80}?\b(?:sets? forth|governs?|describes?|specif(?:y|ies)|contains?)\b/i;

/**
 * True for a sentence that sends the reader to another section or article of the document instead of stating the
 * fact itself ("Name as additional insured the parties as specified in Section 00 73 16"): the place it points to
 * answers, the pointer does not.
 */
export function isCrossReference(text: string): boolean {
  const pointer = POINTER_TO_PLACE.exec(text);
  // "as specified in Section 2908 of the Police Code" cites a law, whose requirement the sentence itself states.
  if (pointer !== null && !OF_A_LAW.test(text.slice(pointer.index + pointer[0].length - 1, pointer.index + 140)))
    return true;
  return PLACE_SETS_FORTH.test(text);
}
