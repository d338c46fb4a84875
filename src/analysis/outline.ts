/**
 * The document's outline: every content line's heading path ("00 73 16 Insurance › 1.03 Limits › A.")
 * and every page's role, from the page structure stored at ingest (or derived from the text for pages
 * stored before structure existed). Headings carry over page breaks: a paragraph continued on the next
 * page keeps its article's path. A section titled as a form ("BID SECURITY FORM", "NONCOLLUSION
 * AFFIDAVIT") makes its pages form pages, so the second page of a form is a form too.
 */
import type { IngestedPage } from '../ingest/types.js';
import { buildPageStructure, type PageHeading, type PageRole, type PageStructure } from '../ingest/page-structure.js';

/** Heading levels kept in a path: section, part, article, paragraph. List items (5, 6) are content, not context. */
const PATH_MAX_LEVEL = 4;
/** Levels that close a passage when they change (a passage stays inside one article). */
export const PASSAGE_BREAK_LEVEL = 3;
/** Section titles that make the section a form to fill in rather than requirements to read. */
const FORM_TITLE =
  /\b(FORM|AFFIDAVIT|CERTIFICATE|CERTIFICATION|DECLARATION|CHECKLIST|QUESTIONNAIRE|ACKNOWLEDG(E)?MENT)\b/i;
export const PATH_SEPARATOR = ' › ';

export interface PageOutline {
  role: PageRole;
  structure: PageStructure;
  /** Heading path in force at each line of the page text (index = line index). */
  pathAt: string[];
  /** The article (levels ≤ 3) path at each line: passages break where it changes. */
  articleAt: string[];
  /** Heading level of each line that is a heading (level ≤ 4 with a title, or level ≤ 3), else 0. */
  headingLevel: Uint8Array;
}

export interface DocumentOutline {
  pages: Map<number, PageOutline>;
}

function display(h: PageHeading): string {
  const number = h.number === null ? '' : h.number.replace(/^(SECTION|DOCUMENT)\s+/i, '');
  const title = h.title.length > 60 ? `${h.title.slice(0, 59)}…` : h.title;
  return [number, titleCase(title)].filter((s) => s.length > 0).join(' ');
}

/** "CURED-IN-PLACE LINER PIPE" → "Cured-In-Place Liner Pipe": paths read better than shouted titles. */
function titleCase(text: string): string {
  if (/[a-z]/.test(text)) return text;
  const small = new Set(['a', 'an', 'and', 'or', 'of', 'the', 'to', 'for', 'in', 'on', 'by', 'with', 'at']);
  return text
    .toLowerCase()
    .split(' ')
    .map((w, i) =>
      i > 0 && small.has(w)
        ? w
        : w.replace(/(^|[-–(/])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase()),
    )
    .join(' ');
}

export function structureOf(page: IngestedPage): PageStructure {
  return page.structure ?? buildPageStructure(page.text.split('\n'), page.boilerplateLines, page.pageNumber);
}

/** The outline of a document (pages in any order; read in page order). */
export function buildOutline(pages: IngestedPage[]): DocumentOutline {
  const out = new Map<number, PageOutline>();
  const stack: Array<PageHeading | null> = new Array<PageHeading | null>(PATH_MAX_LEVEL + 1).fill(null);
  let sectionIsForm = false;
  for (const page of [...pages].sort((a, b) => a.pageNumber - b.pageNumber)) {
    const structure = structureOf(page);
    const sectionBefore = stack[1] !== null;
    const lines = page.text.split('\n');
    const lineCount = lines.length;
    const headingAt = new Map<number, PageHeading>();
    const titleLines = new Set<number>();
    // A contents page lists every heading of the document and a blank page has none: neither changes the path.
    const headings = structure.role === 'toc' || structure.role === 'blank' ? [] : structure.headings;
    for (let k = 0; k < headings.length; k++) {
      const h = headings[k] as PageHeading;
      // "SECTION 00 73 16" with its name on the next line: the name is the section's title, not an article.
      const next = headings[k + 1];
      if (h.level === 1 && h.title === '' && next !== undefined && next.number === null && next.line <= h.line + 2) {
        headingAt.set(h.line, { ...h, title: next.title });
        titleLines.add(next.line);
        k++;
        continue;
      }
      headingAt.set(h.line, h);
    }
    const pathAt: string[] = new Array<string>(lineCount);
    const articleAt: string[] = new Array<string>(lineCount);
    const headingLevel = new Uint8Array(lineCount);
    let path = pathOf(stack, PATH_MAX_LEVEL);
    let article = pathOf(stack, PASSAGE_BREAK_LEVEL);
    for (let i = 0; i < lineCount; i++) {
      const h = headingAt.get(i);
      // A section number repeated at the top of each of its pages does not start the section again.
      const repeated = h !== undefined && h.level === 1 && stack[1] !== null && stack[1]?.number === h.number;
      if (h !== undefined && h.level <= PATH_MAX_LEVEL && !repeated) {
        stack[h.level] = h;
        for (let l = h.level + 1; l <= PATH_MAX_LEVEL; l++) stack[l] = null;
        if (h.level === 1) sectionIsForm = FORM_TITLE.test(h.title);
        path = pathOf(stack, PATH_MAX_LEVEL);
        article = pathOf(stack, PASSAGE_BREAK_LEVEL);
        if (h.level <= PASSAGE_BREAK_LEVEL || (h.title !== '' && isTitleOnly(lines[i] ?? '', h)))
          headingLevel[i] = h.level;
      }
      if (titleLines.has(i)) headingLevel[i] = 1;
      pathAt[i] = path;
      articleAt[i] = article;
    }
    let role = structure.role;
    // A short page inside a section is the end of that section, not a cover.
    if (role === 'cover' && sectionBefore) role = 'body';
    if (role === 'body' && sectionIsForm) role = 'form';
    out.set(page.pageNumber, { role, structure, pathAt, articleAt, headingLevel });
  }
  return { pages: out };
}

/** The line is the heading and nothing else ("C. Physical Strength of Liner", not "A. Scope: The work ..."). */
function isTitleOnly(line: string, h: PageHeading): boolean {
  const rest = line
    .trim()
    .slice((h.number ?? '').length)
    .replace(/[:\s]+$/, '')
    .trim();
  return rest === h.title.trim();
}

function pathOf(stack: Array<PageHeading | null>, maxLevel: number): string {
  const parts: string[] = [];
  for (let l = 1; l <= maxLevel; l++) {
    const h = stack[l];
    if (h !== null && h !== undefined) parts.push(display(h));
  }
  return parts.join(PATH_SEPARATOR);
}
