/**
 * Positioned text items of one page → lines in reading order.
 *
 * Items are grouped into lines by baseline, lines are split into segments at wide horizontal gaps, and
 * column gutters are found as vertical bands that (almost) no column-width segment crosses. A page with
 * gutters is read column by column; lines that cross a gutter (titles, running headers, a full-width
 * paragraph between two column blocks) end the current column block and are read in place. Gutters are
 * only accepted between prose-like columns, so a table (short cells) is still read row by row, which keeps
 * "8-inch CIPP ... 1,200 LF" together.
 */
import type { RawTextItem } from './run-parse-worker.js';

export interface PageGeometry {
  width: number;
  height: number;
  items: RawTextItem[];
}

interface Segment {
  x0: number;
  x1: number;
  items: RawTextItem[];
  chars: number;
}

interface Line {
  y: number;
  size: number;
  segments: Segment[];
}

// Baselines closer than this fraction of the font size belong to the same line (sub/superscripts wobble).
const SAME_LINE_TOLERANCE_EM = 0.45;
// A horizontal gap wider than this (in ems) splits a line into segments: wider than any justified word
// space, narrower than a column gutter.
const SEGMENT_GAP_EM = 0.8;
// A gap between two items wider than this (in ems) stands for a space when neither item carries one.
const WORD_GAP_EM = 0.12;
// A vertical gap between consecutive lines larger than this (in ems) separates column blocks.
const BLOCK_GAP_EM = 2.5;
// Gutter search resolution, points.
const BUCKET_PT = 2;
// A gutter must be at least this wide, points (≈ 2 mm).
const MIN_GUTTER_PT = 6;
// Segments wider than this share of the text's width are full-width lines, not column material.
const COLUMN_SEGMENT_MAX_SHARE = 0.6;
// A column needs at least this many segments, averaging at least this many characters, to be prose.
const MIN_COLUMN_SEGMENTS = 3;
const MIN_COLUMN_MEAN_CHARS = 15;
// Column material must make up at least this share of the page's segments for gutters to count.
const MIN_COLUMN_MATERIAL_SHARE = 0.3;
// A band is empty enough for a gutter when at most this share of the busiest band's segments cross it.
const GUTTER_MAX_CROSSING_SHARE = 0.1;

/** A line in reading order with what its position says: font size (points) and cells (segments). */
export interface LaidOutLine {
  text: string;
  size: number;
  cells: number;
}

/** Lines of the page in reading order (not yet normalised). */
export function layoutPage(page: PageGeometry): string[] {
  return layoutPageLines(page).map((l) => l.text);
}

/** Lines of the page in reading order with their font size and cell count (for page structure). */
export function layoutPageLines(page: PageGeometry): LaidOutLine[] {
  const lines = groupLines(page.items);
  if (lines.length === 0) return [];
  const gutters = findGutters(lines);
  if (gutters.length === 0) return lines.map((line) => laidOut(line.segments, line.size));
  return readByColumns(lines, gutters);
}

function laidOut(segments: Segment[], size: number): LaidOutLine {
  return { text: joinSegments(segments), size, cells: segments.filter((s) => s.chars > 0).length };
}

function groupLines(items: RawTextItem[]): Line[] {
  const usable = items.filter((it) => it.s.length > 0 && Number.isFinite(it.x) && Number.isFinite(it.y));
  usable.sort((a, b) => a.y - b.y || a.x - b.x);
  const lines: Line[] = [];
  let current: { y: number; size: number; items: RawTextItem[] } | null = null;
  for (const item of usable) {
    const size = item.h > 0 ? item.h : 10;
    if (current && Math.abs(item.y - current.y) <= SAME_LINE_TOLERANCE_EM * Math.min(size, current.size)) {
      current.items.push(item);
      continue;
    }
    if (current) lines.push(toLine(current));
    current = { y: item.y, size, items: [item] };
  }
  if (current) lines.push(toLine(current));
  // Whitespace-only lines carry nothing to read.
  return lines.filter((line) => line.segments.some((seg) => seg.chars > 0));
}

function toLine(group: { y: number; size: number; items: RawTextItem[] }): Line {
  const items = [...group.items].sort((a, b) => a.x - b.x);
  const segments: Segment[] = [];
  let seg: Segment | null = null;
  for (const item of items) {
    const size = item.h > 0 ? item.h : group.size;
    const isBlank = item.s.trim().length === 0;
    if (seg && item.x - seg.x1 > SEGMENT_GAP_EM * size && !isBlank) {
      segments.push(seg);
      seg = null;
    }
    if (!seg) {
      if (isBlank) continue; // a leading space item never starts a segment
      seg = { x0: item.x, x1: item.x + Math.max(item.w, 0), items: [item], chars: 0 };
    } else {
      seg.items.push(item);
      // Space runs may be stretched across a gutter by justified layouts: they never widen a segment.
      if (!isBlank) seg.x1 = Math.max(seg.x1, item.x + Math.max(item.w, 0));
    }
    seg.chars += item.s.replace(/\s+/g, '').length;
  }
  if (seg) segments.push(seg);
  return { y: group.y, size: dominantSize(items, group.size), segments };
}

/** The font size most of the line's characters use (a leading superscript must not set the line's size). */
function dominantSize(items: RawTextItem[], fallback: number): number {
  const weight = new Map<number, number>();
  for (const it of items) if (it.h > 0) weight.set(it.h, (weight.get(it.h) ?? 0) + it.s.replace(/\s+/g, '').length);
  let best = fallback;
  let bestWeight = 0;
  for (const [size, w] of weight) if (w > bestWeight) [best, bestWeight] = [size, w];
  return best;
}

function findGutters(lines: Line[]): number[] {
  const all = lines.flatMap((l) => l.segments);
  const left = Math.min(...all.map((s) => s.x0));
  const right = Math.max(...all.map((s) => s.x1));
  const textWidth = right - left;
  if (!(textWidth > 0)) return [];
  const narrow = all.filter((s) => s.x1 - s.x0 <= COLUMN_SEGMENT_MAX_SHARE * textWidth);
  if (narrow.length < MIN_COLUMN_SEGMENTS * 2 || narrow.length < MIN_COLUMN_MATERIAL_SHARE * all.length) return [];

  const buckets = Math.ceil(textWidth / BUCKET_PT) + 1;
  const cover = new Array<number>(buckets).fill(0);
  for (const s of narrow) {
    const from = Math.floor((s.x0 - left) / BUCKET_PT);
    const to = Math.min(buckets - 1, Math.floor((s.x1 - left) / BUCKET_PT));
    for (let b = from; b <= to; b++) cover[b]! += 1;
  }
  const peak = Math.max(...cover);
  const limit = GUTTER_MAX_CROSSING_SHARE * peak;
  const candidates: number[] = [];
  let runStart = -1;
  for (let b = 0; b <= buckets; b++) {
    const low = b < buckets && cover[b]! <= limit;
    if (low && runStart < 0) runStart = b;
    if (!low && runStart >= 0) {
      const runEnd = b - 1;
      const touchesEdge = runStart === 0 || b === buckets;
      if (!touchesEdge && (runEnd - runStart + 1) * BUCKET_PT >= MIN_GUTTER_PT) {
        candidates.push(left + ((runStart + runEnd + 1) / 2) * BUCKET_PT);
      }
      runStart = -1;
    }
  }
  if (candidates.length === 0) return [];

  // Every column must look like prose; otherwise this is a table or a form, read row by row.
  const bounds = [left - 1, ...candidates, right + 1];
  for (let c = 0; c < bounds.length - 1; c++) {
    const inColumn = narrow.filter((s) => s.x0 >= bounds[c]! && s.x1 <= bounds[c + 1]!);
    const chars = inColumn.reduce((n, s) => n + s.chars, 0);
    if (inColumn.length < MIN_COLUMN_SEGMENTS || chars / inColumn.length < MIN_COLUMN_MEAN_CHARS) return [];
  }
  return candidates;
}

function readByColumns(lines: Line[], gutters: number[]): LaidOutLine[] {
  const out: LaidOutLine[] = [];
  const columns: Array<Array<{ segs: Segment[]; size: number }>> = gutters.map(() => []).concat([[]]);
  const flush = () => {
    for (const column of columns) {
      for (const { segs, size } of column) out.push(laidOut(segs, size));
      column.length = 0;
    }
  };
  const columnOf = (x: number) => {
    let c = 0;
    while (c < gutters.length && x > gutters[c]!) c++;
    return c;
  };
  let previous: Line | null = null;
  for (const line of lines) {
    const crosses = line.segments.some((s) => gutters.some((g) => s.x0 < g && s.x1 > g));
    // A horizontal band of white space across the whole page (lines are sorted over all columns) ends a
    // column block: a footer or a new block below it is read after every column above it.
    const band = previous !== null && line.y - previous.y > BLOCK_GAP_EM * Math.max(line.size, previous.size);
    previous = line;
    if (band) flush();
    if (crosses) {
      flush();
      out.push(laidOut(line.segments, line.size));
      continue;
    }
    const perColumn = new Map<number, Segment[]>();
    for (const seg of line.segments) {
      const c = columnOf((seg.x0 + seg.x1) / 2);
      perColumn.set(c, [...(perColumn.get(c) ?? []), seg]);
    }
    for (const [c, segs] of perColumn) columns[c]!.push({ segs, size: line.size });
  }
  flush();
  return out;
}

function joinSegments(segments: Segment[]): string {
  return segments
    .map((seg) => joinItems(seg.items))
    .filter((s) => s.length > 0)
    .join(' ');
}

function joinItems(items: RawTextItem[]): string {
  let text = '';
  let prevEnd = Number.NEGATIVE_INFINITY;
  for (const item of items) {
    const size = item.h > 0 ? item.h : 10;
    const gap = item.x - prevEnd;
    if (text.length > 0 && gap > WORD_GAP_EM * size && !/\s$/.test(text) && !/^\s/.test(item.s)) text += ' ';
    text += item.s;
    prevEnd = Math.max(prevEnd, item.x + Math.max(item.w, 0));
  }
  return text.replace(/\s+/g, ' ').trim();
}
