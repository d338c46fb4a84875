/**
 * Text normalisation shared by tokenising and citation verification: the same quote must match whether
 * the PDF (or a model) wrote “curly” or "straight" quotes, an en dash or a hyphen, a ligature or two letters.
 */

const QUOTE_MARKS = /[\u2018\u2019\u201A\u201B\u2032\u0060\u00B4]/g;
const DOUBLE_QUOTE_MARKS = /[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g;
const DASHES = /[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE58\uFE63\uFF0D]/g;
const SPACES = /[\s\u00A0\u2000-\u200B\u202F\u205F\u3000]+/g;
const SPACE_CHAR = /[\s\u00A0\u2000-\u200B\u202F\u205F\u3000]/;

/** One character → its normalised form (may be several characters for ligatures; '' for soft hyphens). */
function normalizeChar(ch: string): string {
  if (ch === '\u00AD') return ''; // soft hyphen: invisible in the PDF, absent from a quote
  let out = ch.normalize('NFKC'); // ligatures ﬁ → fi, full-width forms, superscripts
  out = out.replace(QUOTE_MARKS, "'").replace(DOUBLE_QUOTE_MARKS, '"').replace(DASHES, '-');
  return out.toLowerCase();
}

/** Normalise for comparison: ligatures, quote marks, dashes, whitespace runs → one space, lower case. */
export function normalizeForMatch(text: string): string {
  // Same result as mapNormalized(text).text, without the index bookkeeping (this runs on every passage).
  return text
    .replace(/\u00AD/g, '')
    .normalize('NFKC')
    .replace(QUOTE_MARKS, "'")
    .replace(DOUBLE_QUOTE_MARKS, '"')
    .replace(DASHES, '-')
    .toLowerCase()
    .replace(SPACES, ' ')
    .trim();
}

export interface NormalizedText {
  text: string;
  /**
   * For each character of `text`, the index of the source character it came from (typed: 4 bytes a character, kept for
   * every page of a run).
   */
  sourceIndex: Int32Array;
}

/** Normalise and keep, for every output character, the index of its source character (to cut exact quotes). */
export function mapNormalized(source: string): NormalizedText {
  // Characters collected in an array and joined once: `+=` per character leaves a deep rope in memory.
  const out: string[] = [];
  const sourceIndex: number[] = [];
  let pendingSpace = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    if (SPACE_CHAR.test(ch)) {
      pendingSpace = out.length > 0;
      continue;
    }
    const code = ch.charCodeAt(0);
    // ASCII fast path: only letters change (lower case); quote marks and dashes here are already plain.
    const norm =
      code < 128 && ch !== '`' ? (code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : ch) : normalizeChar(ch);
    if (norm === '') continue;
    if (pendingSpace) {
      out.push(' ');
      sourceIndex.push(i);
      pendingSpace = false;
    }
    for (const c of norm) {
      out.push(c);
      sourceIndex.push(i);
    }
  }
  return { text: out.join(''), sourceIndex: Int32Array.from(sourceIndex) };
}

/** Collapse whitespace runs for display (footnotes, answers) without changing anything else. */
export function collapseWhitespace(text: string): string {
  return text.replace(SPACES, ' ').trim();
}
