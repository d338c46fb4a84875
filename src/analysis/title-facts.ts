/**
 * Title-page facts: who the owner is and what the project is called. Estimators ask these first, and
 * documents state them in a few set places, not in a sentence that repeats the question's words: the
 * cover ("TOWN OF PENHOLD / Public Services Building"), a defining phrase ("Camrose County (the
 * "Owner")", "Public Services Building (the "Project")"), or the running header of a specification
 * section. Each finding carries the verbatim line it came from and its page.
 */
import type { IngestedPage } from '../ingest/types.js';
import type { PageRole } from '../ingest/page-structure.js';
import type { DocumentOutline } from './outline.js';

export type TitleFactKind = 'owner' | 'project_name';

export interface TitleFact {
  answer: string;
  /** Verbatim text on `page` (one line or two adjacent lines). */
  quote: string;
  page: number;
  /** How sure the place is: a defining phrase > a cover line > a running header > a frequent party name. */
  confidence: number;
}

/** Pages searched for defining phrases ("X (the "Owner")"). */
const DEFINING_MAX_PAGE = 20;
/** A cover is looked for in the first pages. */
const COVER_MAX_PAGE = 3;
/** Confidence by the kind of place. */
const DEFINING_CONFIDENCE = 0.86;
const COVER_CONFIDENCE = 0.82;
const HEADER_CONFIDENCE = 0.6;
const PARTY_CONFIDENCE = 0.5;
/** A party word ("the City") must recur this often to be taken as the owner when nothing names it. */
const PARTY_MIN_MENTIONS = 5;

const PUBLIC_BODY =
  /\b(city|town|county|village|township|borough|district|municipality|municipal district|authority|commission|board|department|regional|region|state|province|agency|utility|public works)\b/i;
/**
 * "Town of Penhold", "CITY OF HARBOR VIEW", "City and County of San Francisco", "LAKESHORE COUNTY", "SAN FRANCISCO
 * PUBLIC WORKS".
 */
const ENTITY_LINE = new RegExp(
  String.raw`^(?:the\s+)?(?:(?:city|town|county|village|township|borough|district|municipality|state|province|region|regional municipality)(?:\s+and\s+county)?\s+of\s+[A-Z][\w.'’ -]{1,40}|[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4}\s+(?:county|city|town|district|authority|commission|public works|utilities|utility district|sanitary district|water district))$`,
  'i',
);
/** Lines that name the kind of document, not the project. */
const DOCUMENT_TYPE =
  /\b(request for (proposals?|quotations?|tenders?|qualifications?)|invitation to (bid|tender)|contract documents|project manual|specifications?|bid (documents|package|form)|tender documents|addendum|volume|design[- ]build service|rfp|rfq|itb)\b/i;
const NOT_A_TITLE =
  /(^(board|department|office|division|bureau|commission|ministry) of\b|\d{4}-\d{2,}|^(contract|bid|project|solicitation|sourcing|event|file|rfp|rfq|tender|itb|job)\b.*\b(no\.?|number|id)\b|\bprepared (by|for)\b|\bdate\b|\bissued\b|\bclosing\b|\btime\b|\bnote\b|@|\bwww\.|\bphone\b|\btel\b|\bsuite\b|^\(|\b(january|february|march|april|may|june|july|august|september|october|november|december)\b|^\d+$|\bpage\b|\bsection\b|\b(inc|ltd|llc|engineering|engineers|architects?|consultants?)\b)/i;
const DEFINED_AS = (term: string) =>
  new RegExp(
    String.raw`([A-Z][\w&.'’ \n-]{2,120}?)\s*,?\s*\((?:the\s+|hereinafter\s+(?:called\s+|referred to as\s+)?(?:the\s+)?)?["“”'‘’]{1,2}${term}["“”'‘’]{1,2}\)`,
    'g',
  );

interface PageView {
  page: IngestedPage;
  role: PageRole;
  lines: string[];
  content: string[];
}

function views(pages: IngestedPage[], outline: DocumentOutline): PageView[] {
  return [...pages]
    .sort((a, b) => a.pageNumber - b.pageNumber)
    .map((page) => {
      const lines = page.text.split('\n').map((l) => l.trim());
      const furniture = new Set(page.boilerplateLines.map((l) => l.replace(/\s+/g, ' ').trim()));
      return {
        page,
        role: outline.pages.get(page.pageNumber)?.role ?? 'body',
        lines,
        content: lines.filter((l) => l !== '' && !furniture.has(l.replace(/\s+/g, ' '))),
      };
    });
}

function clean(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/^[\s"“”'‘’,.;:-]+|[\s"“”'‘’,.;:-]+$/g, '')
    .trim();
}

/** "Camrose County (the "Owner")" on an early page: the name right before the defining parenthesis. */
function definedTerm(views: PageView[], terms: string[]): TitleFact | null {
  for (const v of views) {
    if (v.page.pageNumber > DEFINING_MAX_PAGE) break;
    if (v.role === 'toc' || v.role === 'blank') continue;
    for (let i = 0; i < v.lines.length; i++) {
      // A defining phrase may wrap: "X (the Owner)" is read with the line before, "Owner means X" with the line after.
      const pair = v.lines.slice(Math.max(0, i - 1), i + 1).join('\n');
      const ahead = v.lines.slice(i, i + 3).join('\n');
      for (const term of terms) {
        // '"Owner" is Camrose County.', 'Owner means the Town of Penhold' (wrapped over two lines).
        const means = new RegExp(
          String.raw`["“”'‘’]?\b${term}\b["“”'‘’]?\s+(?:is|means|shall mean|refers to)\s+(?:the\s+)?((?:[A-Z][\w.'’-]*|of|and|&)(?:\s+(?:[A-Z][\w.'’-]*|of|and|&)){0,8})`,
        ).exec((v.lines[i] as string).match(new RegExp(`\\b${term}\\b`)) === null ? '' : ahead.replace(/\n/g, ' '));
        if (means !== null) {
          const answer = clean((means[1] as string).split(/\.\s/)[0]!.replace(/\s+(of|and|&)$/i, ''));
          if (answer.length >= 3 && /[A-Z][a-z]{2}|[A-Z]{3}/.test(answer))
            return { answer, quote: ahead, page: v.page.pageNumber, confidence: DEFINING_CONFIDENCE };
        }
        for (const m of pair.matchAll(DEFINED_AS(term))) {
          // Keep the name's last capitalised words ("... services to Camrose County" → "Camrose County"); a name
          // wrapped from the line before joins it, unless that line is a heading of its own (all capitals).
          const parts = (m[1] as string).split('\n').map((l) => clean(l));
          let answer = capitalisedTail(parts[parts.length - 1] ?? '');
          const previous = parts[parts.length - 2];
          if (
            previous !== undefined &&
            answer === parts[parts.length - 1] &&
            !/^[^a-z]*$/.test(previous) &&
            !DOCUMENT_TYPE.test(previous)
          )
            answer = clean(`${capitalisedTail(previous)} ${answer}`);
          if (answer.length < 3 || !/[A-Za-z]{3}/.test(answer)) continue;
          const line = pair.split('\n').find((l) => l.includes(answer)) ?? pair;
          return { answer, quote: line, page: v.page.pageNumber, confidence: DEFINING_CONFIDENCE };
        }
      }
    }
  }
  return null;
}

/** The run of capitalised words (with of / and / the / & between them) that ends the text. */
function capitalisedTail(text: string): string {
  const words = text.split(/\s+/).filter((w) => w !== '');
  let start = words.length;
  while (start > 0 && /^([A-Z0-9]|of$|and$|the$|&$)/.test(words[start - 1] as string)) start--;
  return clean(
    words
      .slice(start)
      .join(' ')
      .replace(/^((of|and|the)\s+)+/i, ''),
  );
}

function coverViews(all: PageView[]): PageView[] {
  const covers = all.filter((v) => v.page.pageNumber <= COVER_MAX_PAGE && v.role === 'cover');
  if (covers.length > 0) return covers;
  return [];
}

/** The owner: a defining phrase, else a public body named on the cover, else a party word the document keeps using. */
export function findOwner(pages: IngestedPage[], outline: DocumentOutline): TitleFact | null {
  const all = views(pages, outline);
  const defined = definedTerm(all, ['Owner', 'Purchaser', 'City', 'County', 'Town', 'District', 'Authority']);
  if (defined !== null && PUBLIC_BODY.test(defined.answer)) return defined;
  for (const v of [...coverViews(all), ...all.filter((x) => x.page.pageNumber <= COVER_MAX_PAGE)]) {
    // All lines: a cover's owner line often repeats as the running header of every page.
    for (const line of v.lines) {
      const text = clean(line);
      if (ENTITY_LINE.test(text) && !DOCUMENT_TYPE.test(text))
        return { answer: text, quote: line, page: v.page.pageNumber, confidence: COVER_CONFIDENCE };
    }
  }
  if (defined !== null) return { ...defined, confidence: HEADER_CONFIDENCE };
  // Nothing names it: a specification section says "the City" throughout.
  const counts = new Map<string, { n: number; page: number; line: string }>();
  for (const v of all) {
    for (const line of v.content) {
      for (const m of line.matchAll(/\bthe (City|County|Town|Village|District|Authority|Owner)\b/g)) {
        const key = m[1] as string;
        const c = counts.get(key) ?? { n: 0, page: v.page.pageNumber, line };
        c.n++;
        counts.set(key, c);
      }
    }
  }
  const party = [...counts].filter(([k]) => k !== 'Owner').sort((a, b) => b[1].n - a[1].n)[0];
  if (party !== undefined && party[1].n >= PARTY_MIN_MENTIONS)
    return { answer: `the ${party[0]}`, quote: party[1].line, page: party[1].page, confidence: PARTY_CONFIDENCE };
  return null;
}

/**
 * The project's name: "X (the "Project")", else the title lines of the cover, else a specification's running header.
 */
export function findProjectName(pages: IngestedPage[], outline: DocumentOutline): TitleFact | null {
  const all = views(pages, outline);
  const defined = definedTerm(all, ['Project', 'Work', 'Works']);
  if (defined !== null && !PUBLIC_BODY.test(defined.answer.split(' ')[0] ?? '')) return defined;
  // The line right above a bare '(the "Project")' line.
  for (const v of all.slice(0, COVER_MAX_PAGE)) {
    const k = v.content.findIndex((l) => /^\((the\s+)?["“”'‘’]{1,2}project["“”'‘’]{1,2}\)$/i.test(l.trim()));
    if (k > 0)
      return {
        answer: clean(v.content[k - 1] as string),
        quote: v.content[k - 1] as string,
        page: v.page.pageNumber,
        confidence: DEFINING_CONFIDENCE,
      };
  }
  for (const v of coverViews(all)) {
    const picked: string[] = [];
    for (const line of v.lines.filter((l) => l !== '')) {
      const text = clean(line);
      const candidate =
        text.length >= 8 &&
        /[A-Za-z]{3}/.test(text) &&
        !ENTITY_LINE.test(text) &&
        !DOCUMENT_TYPE.test(text) &&
        !NOT_A_TITLE.test(text);
      // A title may wrap over two lines ("ROUTE 9 CULVERT REPLACEMENT" / "AND STORM SEWER LINING").
      if (
        picked.length > 0 &&
        candidate &&
        (/^(and|&|of|for|with|at|to|-|–)\b/i.test(text) ||
          /\b(of|and|for|&)$/i.test(picked[picked.length - 1] as string) ||
          picked.length === 1)
      ) {
        picked.push(line.trim());
        break;
      }
      if (picked.length > 0) break;
      if (candidate) picked.push(line.trim());
    }
    if (picked.length > 0)
      return {
        answer: clean(picked.join(' ')),
        quote: picked.join('\n'),
        page: v.page.pageNumber,
        confidence: COVER_CONFIDENCE,
      };
  }
  // A specification section: the project is named in the running header above every page.
  const first = all.find((v) => v.page.boilerplateLines.length > 0);
  if (first !== undefined) {
    const header = first.page.boilerplateLines.filter(
      (l) =>
        !/\d{2} \d{2} \d{2}/.test(l) &&
        !/\b(page|vol|register|january|february|march|april|may|june|july|august|september|october|november|december)\b|\//i.test(
          l,
        ) &&
        /[A-Za-z]{3}/.test(l) &&
        first.lines.indexOf(l.trim()) >= 0 &&
        first.lines.indexOf(l.trim()) < 3,
    );
    if (header.length > 0) {
      const lines = header.slice(0, 2).map((l) => l.trim());
      return {
        answer: clean(lines.join(' ')),
        quote: lines.join('\n'),
        page: first.page.pageNumber,
        confidence: HEADER_CONFIDENCE,
      };
    }
  }
  return null;
}

/** Which title-page fact a question asks for, if any. */
export function titleFactKind(questionText: string): TitleFactKind | null {
  if (
    /\b(project (name|title)|name of (the|this) project|title of (the|this) project|what is the project called)\b/i.test(
      questionText,
    )
  )
    return 'project_name';
  if (
    /^\s*who\b/i.test(questionText) &&
    /\b(owner|contracting (authority|agency)|client|purchaser)\b/i.test(questionText) &&
    !/\b(representative|engineer|contact|manager)\b/i.test(questionText)
  )
    return 'owner';
  return null;
}
