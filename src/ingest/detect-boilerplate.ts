/**
 * Running headers and footers: lines near the top or bottom of a page that repeat on many pages once
 * digits are ignored ("Page 3 of 72" and "Page 4 of 72" are the same line). They stay in the page text
 * (quotes may legitimately include them) but are listed so the analysis can discount them.
 */

// How many lines at each end of a page can belong to a running header or footer.
const EDGE_LINES = 3;
// A line is boilerplate when it repeats on at least this share of the pages...
const MIN_SHARE_OF_PAGES = 0.2;
// ...or on at least this many pages within a short stretch (section-specific footers in a long spec book).
const LOCAL_REPEAT_PAGES = 3;
const LOCAL_WINDOW_PAGES = 5;
// Documents shorter than this have no meaningful repetition.
const MIN_PAGES = 3;

/** Digits, roman page numbers and spacing do not make two header lines different. */
export function boilerplateKey(line: string): string {
  let key = line.toLowerCase().replace(/\d+/g, '#');
  // A trailing roman page number ("Contents ii", "- xiv -"); i/v/x only, which front matter never exceeds.
  // (The cheap test first: the full pattern is tried at every position and most lines end otherwise.)
  if (ENDS_WITH_IVX.test(key)) key = key.replace(/(^|[\s\-–—|])(?=[ivx])x{0,3}(ix|iv|v?i{0,3})(?=[\s\-–—|]*$)/, '$1#');
  return key.replace(/\s+/g, ' ').trim();
}

const ENDS_WITH_IVX = /[ivx][\s\-–—|]*$/;

function edgeIndexes(count: number): number[] {
  const idx = new Set<number>();
  for (let i = 0; i < Math.min(EDGE_LINES, count); i++) {
    idx.add(i);
    idx.add(count - 1 - i);
  }
  return [...idx].sort((a, b) => a - b);
}

/** For each page (lines in reading order), the lines identified as repeated headers/footers. */
export function detectBoilerplate(pages: string[][]): string[][] {
  if (pages.length < MIN_PAGES) return pages.map(() => []);
  // Keys of each page's edge lines, computed once (the roman-numeral rule makes boilerplateKey the costly part).
  const edges = pages.map((lines) =>
    edgeIndexes(lines.length).map((i) => ({ line: lines[i]!, key: boilerplateKey(lines[i]!) })),
  );
  const pagesByKey = new Map<string, number[]>();
  edges.forEach((edge, pageIndex) => {
    for (const key of new Set(edge.map((e) => e.key))) {
      if (key.length === 0) continue;
      const list = pagesByKey.get(key) ?? [];
      list.push(pageIndex);
      pagesByKey.set(key, list);
    }
  });

  const minPages = Math.max(MIN_PAGES, Math.ceil(MIN_SHARE_OF_PAGES * pages.length));
  const boilerplate = new Set<string>();
  for (const [key, pageIndexes] of pagesByKey) {
    if (pageIndexes.length >= minPages || repeatsLocally(pageIndexes)) boilerplate.add(key);
  }

  return edges.map((edge) => {
    const found: string[] = [];
    for (const { line, key } of edge) {
      if (boilerplate.has(key) && !found.includes(line)) found.push(line);
    }
    return found;
  });
}

function repeatsLocally(sortedPageIndexes: number[]): boolean {
  for (let i = 0; i + LOCAL_REPEAT_PAGES - 1 < sortedPageIndexes.length; i++) {
    if (sortedPageIndexes[i + LOCAL_REPEAT_PAGES - 1]! - sortedPageIndexes[i]! < LOCAL_WINDOW_PAGES) return true;
  }
  return false;
}
