/**
 * The structure of one page: which lines are headings (with their numbering and level), which are list
 * items and table rows, and what the page is for (cover, table of contents, form, blank, bid schedule or
 * body). Built at ingest from the page's lines and, where pdf.js gave them, each line's font size and
 * number of cells; stored with the page (plain JSON in the pages column). Pages stored before this
 * existed have no structure: the analysis calls the same function on their text (no layout hints).
 *
 * Line indexes refer to `IngestedPage.text.split('\n')`.
 */

/**
 * Version of the structure algorithm. Stored with each document's structures (page_structure column):
 * structures of another version are ignored when read back and computed again from the text. Bump it when
 * a change here would give a stored document a different structure.
 */
export const STRUCTURE_VERSION = 2;

export type PageRole = 'cover' | 'toc' | 'form' | 'blank' | 'bid_schedule' | 'body';

/** Heading levels: 1 section/document, 2 part, 3 article, 4 paragraph "A.", 5 subparagraph "1.", 6 "a." / "(a)". */
export interface PageHeading {
  line: number;
  level: number;
  /** The numbering as written: "SECTION 33 01 30.73", "PART 2", "2.03", "A.", "1." (null for an unnumbered title). */
  number: string | null;
  /** The heading's words without the numbering ("" for a bare paragraph label). */
  title: string;
}

export interface PageStructure {
  role: PageRole;
  headings: PageHeading[];
  /** Lines that start a list item ("1.", "a)", "•"). */
  listItems: number[];
  /** Lines read as table rows (several cells on one baseline, or label + value columns). */
  tableRows: number[];
  /** Cells of each table row (same order as `tableRows`), where pdf.js positions gave them; absent otherwise. */
  tableCells?: number[];
}

/** What pdf.js positions tell about each line (same indexes as the lines); absent for OCR'd or old pages. */
export interface LineHints {
  /** Font size of the line, points. */
  size: number;
  /** Cells: runs of text separated by wide horizontal gaps. */
  cells: number;
}

export const CSI_SECTION = /^(SECTION|DOCUMENT)\s+(\d{2}\s?\d{2}\s?\d{2}(?:\.\d{2})?)\b\s*[-–—:]?\s*(.*)$/i;
const PART = /^PART\s+(\d{1,2}|[IVX]{1,4})\b\s*[-–—:.]?\s*(.*)$/i;
/** "2.03 SUBMITTALS", "1.1 Scope of Work", "4.2. Bonding" (an article: at most three numbered levels). */
const ARTICLE = /^(\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)\.?\s+(\S.*)$/;
const PARAGRAPH = /^([A-Z])\.\s+(\S.*)$/;
const SUBPARAGRAPH = /^(\d{1,2})[.)]\s+(\S.*)$/;
const SUBSUB = /^(\(?[a-z]{1,3}\)|[a-z]\.)\s+(\S.*)$/;
const BULLET = /^[•\u2022\u25AA\u25CF\u2023\u25E6\uF0B7\-–*·▪]\s*\S/;
const DOT_LEADER = /(?:\.\s?){5,}\s*\S{0,6}\s*$/;
const BLANK_NOTICE =
  /\b(intentionally\s+(left\s+)?blank|left\s+blank\s+intentionally|this\s+page\s+(is\s+)?blank|blank\s+page)\b/i;
const FILL_IN = /_{4,}|\.{8,}\s*$/;
/**
 * A form's empty field: a capitalised label with nothing after its colon ("BIDDER'S NAME:", "CONTRACT AMOUNT: $"),
 * or straight followed by the next label ("TITLE: TELEPHONE:"). A lead-in sentence ending in a colon is in
 * sentence case and has words before it, so it is not taken for one.
 */
const EMPTY_FIELD =
  /^(?:\(?[0-9a-z]{1,3}[.)]\s+)?[A-Z][A-Z0-9 .,'’/()&-]{1,60}:\s*(?:\$\s*)?$|\b[A-Z][A-Z.'’]{1,20}(?: [A-Z][A-Z.'’]{1,20}){0,3}:\s+(?:\d{1,2}\.\s+)?[A-Z][A-Z.'’]{1,20}(?: [A-Z][A-Z.'’]{1,20}){0,4}:/;
const FORM_LABEL =
  /^(?:signed|signature|name|title|date|company(?: name)?|firm(?: name)?|address|phone|telephone|email|e-mail|by|witness|notary(?: public)?|print(?:ed)? name|authorized (?:signature|representative)|its|seal)\b[^.]{0,30}:?\s*$|\b(?:signature|signed|notary public|subscribed and sworn|authority to bind)\b/i;
const SCHEDULE_HEADER =
  /\bitem\b.{0,40}\bunit\b.{0,20}\b(quantity|qty)\b|\b(bid\s+item|item\s+no\.?|unit\s+price|extension|est(?:imated)?\.?\s+quantity|schedule\s+of\s+(?:bid\s+)?(?:prices|items|quantities)|total\s+bid\s+price|lump\s+sum)\b/i;
const MONEY_OR_UNIT_ROW = /(\$\s?[\d,]+|\b(?:LS|LF|SF|SY|CY|EA|TON|AC|L\.F\.|L\.S\.)\b)/;
/** An all-capital title line: words of capitals, digits and joining punctuation only. */
const ALL_CAPS_TITLE = /^[A-Z0-9][A-Z0-9 ,&/'’()\-–—:.]*[A-Z)]$/;

/** Headings are short: longer lines are sentences that happen to start with a number. */
const HEADING_MAX_WORDS = 14;
/** A title-case article heading has no sentence inside it. */
const TITLE_CASE_MAX_WORDS = 10;
/** A line this much larger than the page's body text is a heading, whatever its wording. */
const LARGE_FONT_RATIO = 1.2;
/** Share of content lines that must look like contents entries for a table-of-contents page. */
const TOC_LINE_SHARE = 0.35;
/** Share of content lines that must be form labels or fill-in blanks for a form page. */
const FORM_LINE_SHARE = 0.25;
/** Share of content lines that must be priced rows ("42 EA $ ___") on a page with a bid-item header. */
const SCHEDULE_ROW_SHARE = 0.08;
/** Content words under which a page is blank (only its notice and furniture left). */
const BLANK_MAX_WORDS = 25;
/** A cover page is short. */
const COVER_MAX_WORDS = 160;
/** Pages that can be a cover (physical, 1-based). */
const COVER_MAX_PAGE = 3;

/**
 * A short line holding a label and an amount, without sentence punctuation: "Widget Liability $3,000,000 each
 * occurrence".
 */
const TEXT_ROW_MAX_WORDS = 12;
function isTextRow(text: string): boolean {
  return (
    wordCount(text) <= TEXT_ROW_MAX_WORDS &&
    /^[A-Z][A-Za-z'’&/ -]+\s/.test(text) &&
    /(\$\s?[\d,]+|\b\d[\d,.]*\s?(%|psi|pcf|mm|in\.?|ft|days?|years?|LF|EA|LS)(?![A-Za-z]))/.test(text) &&
    !/[.;:]$/.test(text) &&
    !/\b(shall|will|must)\b/i.test(text)
  );
}

function wordCount(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

function isTitleCase(text: string): boolean {
  const words = text.split(/\s+/).filter((w) => /^[A-Za-z]/.test(w));
  if (words.length === 0) return false;
  const small = new Set(['a', 'an', 'and', 'or', 'of', 'the', 'to', 'for', 'in', 'on', 'by', 'with', 'at', 'from']);
  return words.every((w, i) => /^[A-Z]/.test(w) || (i > 0 && small.has(w.toLowerCase())));
}

/**
 * A heading's title ends without sentence punctuation (a colon is allowed: "A. Work Included:" is a paragraph lead),
 * and holds no sentence end: "7.03 Progress Payments. The" is a run-in title with its paragraph's first words (the
 * sentence splitter makes the title a heading of that paragraph).
 */
function looksLikeTitle(text: string): boolean {
  return (
    wordCount(text) <= HEADING_MAX_WORDS &&
    !/[.;,]$/.test(text.trim()) &&
    !/[a-z]{2}[.;]\s+[A-Z]/.test(text) &&
    !/\b(shall|will|must|is|are)\b/i.test(text)
  );
}

/**
 * The words after a CSI section number: none, all capitals, or a short title-case title without sentence punctuation.
 */
function isSectionTitle(title: string): boolean {
  if (title === '') return true;
  if (/^[a-z]/.test(title)) return false;
  return (ALL_CAPS_TITLE.test(title) || isTitleCase(title)) && looksLikeTitle(title);
}

/** "PROJECT TITLE: RIVER ROAD PAVING", "BID DUE: JUNE 3": a label and its value, a field rather than a heading. */
const LABELLED_FIELD = /^[A-Z][A-Z .'’&/-]{1,40}:\s+\S/;

/** Classify one line as a heading (or not). `large` = set in a font clearly larger than the page's body text. */
export function classifyHeading(text: string, large = false): Omit<PageHeading, 'line'> | null {
  const line = text.trim();
  if (line.length === 0 || DOT_LEADER.test(line)) return null;
  let m = CSI_SECTION.exec(line);
  // "SECTION 00 73 16 – INSURANCE" is a heading; a wrapped sentence's line "Section 00 43 20 for additional
  // instructions." is a reference: the words after the number must read as a title (or be absent).
  if (m !== null && wordCount(line) <= HEADING_MAX_WORDS + 2 && isSectionTitle((m[3] ?? '').trim()))
    return { level: 1, number: `${(m[1] as string).toUpperCase()} ${m[2]}`, title: (m[3] ?? '').trim() };
  if (m !== null) return null;
  m = PART.exec(line);
  if (
    m !== null &&
    (m[2] === '' || ALL_CAPS_TITLE.test(m[2] as string) || isTitleCase(m[2] as string)) &&
    wordCount(line) <= 8
  )
    return { level: 2, number: `PART ${m[1]}`, title: (m[2] ?? '').trim() };
  m = ARTICLE.exec(line);
  if (m !== null) {
    const title = (m[2] as string).trim();
    if (ALL_CAPS_TITLE.test(title) && wordCount(title) <= HEADING_MAX_WORDS)
      return { level: 3, number: m[1] as string, title };
    if (isTitleCase(title) && wordCount(title) <= TITLE_CASE_MAX_WORDS && looksLikeTitle(title))
      return { level: 3, number: m[1] as string, title };
  }
  m = PARAGRAPH.exec(line);
  if (m !== null) {
    const rest = m[2] as string;
    // "A. Work Included: The work ..." — the label before the colon is the paragraph's title.
    const lead = /^([^.:]{2,60}):/.exec(rest)?.[1];
    const whole = rest.replace(/:\s*$/, '');
    const title =
      lead !== undefined && isTitleCase(lead)
        ? lead
        : (ALL_CAPS_TITLE.test(whole) && wordCount(whole) <= HEADING_MAX_WORDS) ||
            (isTitleCase(whole) && wordCount(whole) <= TITLE_CASE_MAX_WORDS && looksLikeTitle(whole))
          ? whole
          : '';
    return { level: 4, number: `${m[1]}.`, title };
  }
  m = SUBPARAGRAPH.exec(line);
  if (m !== null) return { level: 5, number: `${m[1]}.`, title: '' };
  m = SUBSUB.exec(line);
  if (m !== null) return { level: 6, number: m[1] as string, title: '' };
  // Unnumbered titles: all capitals (a section's name under its number, "INSTRUCTIONS TO BIDDERS"), or set large.
  if (
    wordCount(line) <= HEADING_MAX_WORDS &&
    /[A-Z]{3}/.test(line) &&
    ALL_CAPS_TITLE.test(line) &&
    !LABELLED_FIELD.test(line) &&
    !/\d{3,}/.test(line.replace(/\d{2} \d{2} \d{2}/, ''))
  )
    return { level: 3, number: null, title: line };
  // Set large and worded like a title (a large font alone is not enough: a page's body size can be misread).
  if (
    large &&
    looksLikeTitle(line) &&
    isTitleCase(line) &&
    wordCount(line) <= TITLE_CASE_MAX_WORDS &&
    /[A-Za-z]{3}/.test(line)
  )
    return { level: 3, number: null, title: line };
  return null;
}

/** The size most of the page's characters are set in (rounded to half points), 0 without hints. */
function bodyFontSize(lines: Array<{ size: number; chars: number }>): number {
  const weight = new Map<number, number>();
  for (const l of lines)
    if (l.size > 0) weight.set(Math.round(l.size * 2) / 2, (weight.get(Math.round(l.size * 2) / 2) ?? 0) + l.chars);
  let best = 0;
  let bestWeight = -1;
  for (const [size, w] of weight) if (w > bestWeight) [best, bestWeight] = [size, w];
  return best;
}

/**
 * The page's structure from its lines. `boilerplate` lines (running headers/footers) are skipped;
 * `hints` (one per line) add font sizes and cell counts where pdf.js positions were available.
 */
export function buildPageStructure(
  lines: string[],
  boilerplate: readonly string[],
  pageNumber: number,
  hints?: ReadonlyArray<LineHints | null>,
): PageStructure {
  const furniture = new Set(boilerplate.map((l) => l.replace(/\s+/g, ' ').trim()));
  const content: number[] = [];
  lines.forEach((raw, i) => {
    const t = raw.replace(/\s+/g, ' ').trim();
    // A section's number line repeats on every first page of a section, so it looks like a running header
    // to detect-boilerplate (digits are ignored there); it is still the section's heading.
    if (
      t === '' ||
      (furniture.has(t) && !CSI_SECTION.test(t)) ||
      /^\s*(?:page\s+)?[-–]?\s*\d{1,4}\s*[-–]?\s*(?:of\s+\d{1,4})?\s*$/i.test(t)
    )
      return;
    content.push(i);
  });
  const usableHints = hints !== undefined && hints.length === lines.length ? hints : undefined;
  const bodySize = bodyFontSize(
    content.map((i) => ({ size: usableHints?.[i]?.size ?? 0, chars: (lines[i] as string).length })),
  );
  const headings: PageHeading[] = [];
  const listItems: number[] = [];
  const tableRows: number[] = [];
  const textRows: number[] = [];
  let tocLines = 0;
  let formLines = 0;
  let scheduleHeader = false;
  let scheduleRows = 0;
  let words = 0;
  let blankNotice = false;
  let previousEndsSentence = true;
  const nextStartsLower = new Set<number>();
  for (let k = 0; k + 1 < content.length; k++)
    if (/^[a-z]/.test((lines[content[k + 1] as number] as string).trim())) nextStartsLower.add(content[k] as number);
  for (const i of content) {
    const text = (lines[i] as string).trim();
    words += wordCount(text);
    if (BLANK_NOTICE.test(text)) blankNotice = true;
    const hint = usableHints?.[i] ?? null;
    // A large line in mid-sentence is a column's continuation set oddly, not a heading.
    const large =
      hint !== null &&
      bodySize > 0 &&
      hint.size >= LARGE_FONT_RATIO * bodySize &&
      previousEndsSentence &&
      !nextStartsLower.has(i);
    const heading = classifyHeading(text, large);
    previousEndsSentence = heading !== null || /[.:;!?)]["'’”]?$/.test(text);
    if (heading !== null) {
      headings.push({ line: i, ...heading });
      if (heading.level >= 5) listItems.push(i);
    } else if (BULLET.test(text)) listItems.push(i);
    // A line the next one continues in lower case ("... not less than $1,000,000 each" / "occurrence, and $2,000,000
    // general aggregate") is a sentence wrapped in the middle, whatever gaps pdf.js saw between its words.
    if (
      ((hint !== null && hint.cells >= 3) || (hint !== null && hint.cells === 2 && MONEY_OR_UNIT_ROW.test(text))) &&
      !nextStartsLower.has(i)
    )
      tableRows.push(i);
    else if (usableHints === undefined && isTextRow(text)) textRows.push(i);
    // Contents entries: dot leaders, or a CSI number / article number starting a short all-caps line. A priced or
    // measured row ("4 CIPP Lining, 24-inch LF 1,850") ends in a number too, but is no contents entry.
    const contentsEntry =
      DOT_LEADER.test(text) ||
      (/^(\d{2} \d{2} \d{2}(\.\d{2})?|[A-Z]?\d{1,2}(\.\d{1,2})?)\s+[A-Z][A-Z0-9 ,&/'’()\-–—]+(\s+\d{1,4})?$/.test(
        text,
      ) &&
        !/^\d{1,2}\.\d/.test(text)) ||
      (/\s\.?\s?\d{1,3}$/.test(text) && wordCount(text) <= 10 && /^[A-Z0-9]/.test(text) && !/[.;:]\s/.test(text));
    if (contentsEntry && !MONEY_OR_UNIT_ROW.test(text)) tocLines++;
    if (FILL_IN.test(text) || FORM_LABEL.test(text) || EMPTY_FIELD.test(text)) formLines++;
    if (SCHEDULE_HEADER.test(text)) scheduleHeader = true;
    if (MONEY_OR_UNIT_ROW.test(text) && /\d/.test(text)) scheduleRows++;
  }
  // Without positions (OCR'd or older pages): runs of two or more short "label value" lines read as table rows.
  for (let k = 0; k < textRows.length; k++) {
    const i = textRows[k] as number;
    const prev = textRows[k - 1];
    const next = textRows[k + 1];
    const neighbour = (j: number | undefined) =>
      j !== undefined && Math.abs(content.indexOf(j) - content.indexOf(i)) === 1;
    if (neighbour(prev) || neighbour(next)) tableRows.push(i);
  }
  tableRows.sort((a, b) => a - b);
  const tableCells = usableHints === undefined ? undefined : tableRows.map((i) => usableHints[i]?.cells ?? 1);
  const n = content.length;
  const hasTocTitle = content
    .slice(0, 6)
    .some((i) =>
      /^(table\s+of\s+contents|contents|index)$/i.test(
        (lines[i] as string).replace(/^(SECTION|DOCUMENT)\s+[\d .]+/i, '').trim(),
      ),
    );
  let role: PageRole = 'body';
  if (n === 0 || (blankNotice && words <= BLANK_MAX_WORDS)) role = 'blank';
  else if (hasTocTitle || (n >= 6 && tocLines / n >= TOC_LINE_SHARE)) role = 'toc';
  else if (scheduleHeader && scheduleRows >= 4 && scheduleRows / n >= SCHEDULE_ROW_SHARE) role = 'bid_schedule';
  else if (n >= 4 && formLines / n >= FORM_LINE_SHARE) role = 'form';
  // A page that opens a numbered section ("SECTION 00 01 03") or holds numbered articles is the document's body.
  else if (
    pageNumber <= COVER_MAX_PAGE &&
    words <= COVER_MAX_WORDS &&
    !headings.some((h) => h.number !== null && (h.level === 1 || h.level >= 3))
  )
    role = 'cover';
  return tableCells === undefined
    ? { role, headings, listItems, tableRows }
    : { role, headings, listItems, tableRows, tableCells };
}
