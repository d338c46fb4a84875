// Finding an answer's quote among the text pieces of a PDF page (pdf.js text-layer items), and reading the
// per-page quotes out of an answer's footnote. Pure functions, no DOM: the viewer and vitest both import this.
//
// The comparison forgives what differs between a quote and the page's text layer without changing meaning,
// as the server's citation check does (src/analysis/normalize-text.ts): case, ligatures (NFKC), curly and
// straight quote marks, dash forms, soft hyphens. It goes further in one way: whitespace and hyphens are
// ignored altogether, because the text layer splits a line into pieces with or without a space item between
// them and breaks words with a hyphen at a line end ("con-" / "tractor") that the quote may not have.

const SINGLE_QUOTES = /[\u2018\u2019\u201A\u201B\u2032\u0060\u00B4]/g;
const DOUBLE_QUOTES = /[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g;
const DASHES = /[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE58\uFE63\uFF0D]/g;
const IGNORED = /[\s\u00A0\u2000-\u200B\u202F\u205F\u3000\u00AD-]/;
const ELLIPSIS = /\s*(?:\.\.\.|\u2026)\s*/;
/** A fragment whose key is shorter than this (a lone "." after an ellipsis) is not looked for. */
export const MIN_FRAGMENT_KEY_CHARS = 3;
/** A partial match (the start or the end of a quote that runs over a page break) must be at least this long. */
export const MIN_PARTIAL_KEY_CHARS = 12;
/**
 * ...and must sit at the page's edge: the start of a quote within this many key characters of the end of the
 * page's text, its end within as many of the start (room for a running header or footer). Elsewhere a shared
 * opening ("The contractor shall") is a coincidence, not the quote.
 */
export const PAGE_EDGE_KEY_CHARS = 120;
/**
 * A quote whose pieces are all on the page but not in the text layer's order (table cells whose wrapped
 * lines come in another order, columns) counts when pieces of at least MIN_PARTIAL_KEY_CHARS, each within
 * this many key characters of the previous one, cover at least MIN_COVERED_SHARE of it.
 */
export const PIECE_WINDOW_KEY_CHARS = 300;
export const MIN_COVERED_SHARE = 0.6;

/** One character → its comparable form ('' when it is ignored). */
function keyOf(ch) {
  const out = ch
    .normalize('NFKC')
    .replace(SINGLE_QUOTES, "'")
    .replace(DOUBLE_QUOTES, '"')
    .replace(DASHES, '-')
    .toLowerCase();
  let kept = '';
  for (const c of out) if (!IGNORED.test(c)) kept += c;
  return kept;
}

/**
 * The comparison key of a list of text pieces, with, for each key character, the piece and the character
 * offset it came from. `items` are strings (a page's text-layer items, in order).
 */
export function buildMatchKey(items) {
  const chars = [];
  const item = [];
  const offset = [];
  items.forEach((text, i) => {
    const s = String(text ?? '');
    for (let j = 0; j < s.length; j++) {
      const k = keyOf(s[j]);
      for (const c of k) {
        chars.push(c);
        item.push(i);
        offset.push(j);
      }
    }
  });
  return { key: chars.join(''), item, offset };
}

/** The comparison key of one string (no positions). */
export function matchKey(text) {
  return buildMatchKey([text]).key;
}

/** A quote as written in a footnote, without the quote marks around it, split at ellipses into fragments. */
export function quoteFragments(quote) {
  const bare = String(quote ?? '')
    .trim()
    .replace(/^["'\u201C\u201D\u2018\u2019]+|["'\u201C\u201D\u2018\u2019]+$/g, '')
    .trim();
  return bare
    .split(ELLIPSIS)
    .map((f) => f.trim())
    .filter((f) => matchKey(f).length >= MIN_FRAGMENT_KEY_CHARS);
}

/** Key positions [from, to) → ranges per item: [{item, start, end}] with end exclusive (source offsets). */
function toRanges(items, index, from, to) {
  const ranges = [];
  for (let k = from; k < to; k++) {
    const it = index.item[k];
    const off = index.offset[k];
    const last = ranges[ranges.length - 1];
    if (last && last.item === it) {
      last.end = Math.max(last.end, off + 1);
      continue;
    }
    // The match goes on in a later piece: the ignored characters ending this one (the hyphen of "con-")
    // belong to it.
    if (last) {
      const text = String(items[last.item] ?? '');
      let end = last.end;
      while (end < text.length && keyOf(text[end]) === '') end++;
      if (end === text.length) last.end = end;
    }
    ranges.push({ item: it, start: off, end: off + 1 });
  }
  return ranges;
}

/** The longest prefix (or suffix) of `needle` found in `key`, at least `min` long: {at, length} or null. */
function longestPart(key, needle, min, fromEnd) {
  const partOf = (n) => (fromEnd ? needle.slice(needle.length - n) : needle.slice(0, n));
  if (needle.length < min || key.indexOf(partOf(min)) < 0) return null;
  let lo = min; // found
  let hi = needle.length; // the whole needle is known not to be found (or is the answer when lo reaches it)
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (key.indexOf(partOf(mid)) >= 0) lo = mid;
    else hi = mid - 1;
  }
  // A quote's start is looked for at the page's end, its end at the page's start: the nearest occurrence.
  return { at: fromEnd ? key.indexOf(partOf(lo)) : key.lastIndexOf(partOf(lo)), length: lo };
}

/**
 * The needle cut into the longest pieces found near each other in `key`: [[from, to], ...] key positions,
 * and how many needle characters they cover. Bounded: one search per needle position at most.
 */
function coverInPieces(key, needle) {
  const pieces = [];
  let covered = 0;
  let pos = 0;
  let lastEnd = -1;
  while (pos + MIN_PARTIAL_KEY_CHARS <= needle.length) {
    const from = lastEnd < 0 ? 0 : Math.max(0, lastEnd - PIECE_WINDOW_KEY_CHARS);
    const near = (at) => at >= 0 && (lastEnd < 0 || at <= lastEnd + PIECE_WINDOW_KEY_CHARS);
    if (!near(key.indexOf(needle.slice(pos, pos + MIN_PARTIAL_KEY_CHARS), from))) {
      pos++;
      continue;
    }
    let lo = MIN_PARTIAL_KEY_CHARS;
    let hi = needle.length - pos;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (near(key.indexOf(needle.slice(pos, pos + mid), from))) lo = mid;
      else hi = mid - 1;
    }
    const at = key.indexOf(needle.slice(pos, pos + lo), from);
    pieces.push([at, at + lo]);
    covered += lo;
    lastEnd = at + lo;
    pos += lo;
  }
  return { pieces, covered };
}

/**
 * Where `quote` is among `items` (a page's text pieces, in order).
 * Returns {status, ranges, fragments, found}:
 *   status 'full'    every fragment of the quote is on the page;
 *          'partial' only some fragments; or most of one, in pieces near each other (the text layer has the
 *                    page's words in another order, as in tables); or only the start or end of one at the
 *                    page's edge (a quote running over a page break);
 *          'none'    nothing of it (or the page has no text: an image-only page);
 *   ranges  [{item, start, end}] the characters to highlight (end exclusive), in page order;
 *   fragments / found: how many ellipsis-separated fragments the quote has and how many were found whole.
 */
export function findQuote(items, quote) {
  const fragments = quoteFragments(quote);
  const index = buildMatchKey(items || []);
  const result = { status: 'none', ranges: [], fragments: fragments.length, found: 0 };
  if (fragments.length === 0 || index.key.length === 0) return result;
  let partial = false;
  const spans = [];
  for (const fragment of fragments) {
    const needle = matchKey(fragment);
    const at = index.key.indexOf(needle);
    if (at >= 0) {
      result.found++;
      spans.push([at, at + needle.length]);
      continue;
    }
    // Not whole, but most of it in pieces close together (the page's text in another order).
    const cover = coverInPieces(index.key, needle);
    if (cover.covered >= MIN_COVERED_SHARE * needle.length) {
      partial = true;
      spans.push(...cover.pieces);
      continue;
    }
    // Perhaps the page holds its start (the quote goes on overleaf) or its end (it began before).
    let head = longestPart(index.key, needle, MIN_PARTIAL_KEY_CHARS, false);
    let tail = longestPart(index.key, needle, MIN_PARTIAL_KEY_CHARS, true);
    if (head && index.key.length - (head.at + head.length) > PAGE_EDGE_KEY_CHARS) head = null;
    if (tail && tail.at > PAGE_EDGE_KEY_CHARS) tail = null;
    const best = head && (!tail || head.length >= tail.length) ? head : tail;
    if (best) {
      partial = true;
      spans.push([best.at, best.at + best.length]);
    }
  }
  if (spans.length === 0) return result;
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = spans.length - 1; i > 0; i--) {
    const [prev, cur] = [spans[i - 1], spans[i]];
    if (cur[0] <= prev[1]) {
      prev[1] = Math.max(prev[1], cur[1]);
      spans.splice(i, 1);
    }
  }
  for (const [from, to] of spans) result.ranges.push(...toRanges(items, index, from, to));
  result.status = result.found === fragments.length && !partial ? 'full' : 'partial';
  return result;
}

/**
 * An answer's footnote → its quotes with their pages. Footnotes are written by the server as
 * `"<quote>" (p. 12)` or `"<quote>" (pp. 12–13)`, several joined with "; ". Returns [{text, from, to}].
 */
export function parseFootnote(footnote) {
  const out = [];
  if (typeof footnote !== 'string') return out;
  const re = /"([\s\S]*?)"\s*\((?:p\.\s*(\d+)|pp\.\s*(\d+)\s*[\u2013\u2014-]\s*(\d+))\)(?=\s*;|\s*$)/g;
  for (const m of footnote.matchAll(re)) {
    const from = Number(m[2] ?? m[3]);
    const to = Number(m[2] ?? m[4]);
    if (Number.isInteger(from) && Number.isInteger(to) && to >= from) out.push({ text: m[1], from, to });
  }
  return out;
}

/** The quote(s) a footnote gives for one page (joined with " … ", as fragments, when several), or null when none. */
export function quoteForPage(footnote, page) {
  const texts = parseFootnote(footnote)
    .filter((q) => q.from <= page && page <= q.to)
    .map((q) => q.text);
  return texts.length ? texts.join(' \u2026 ') : null;
}
