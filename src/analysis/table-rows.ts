/**
 * Table rows whose cells wrap over several lines. A bid schedule's description ("LINE EXISTING 15-INCH / INSIDE
 * DIAMETER PIPE / SW-12 WITH STYRENE-FREE 264 LF $ ___ / CURED-IN-PLACE LINER / (CIPL)") or an evaluation table's
 * criterion ("Cost Estimate" / "H 30") arrives as short lines around the line that holds the row's values: the
 * values line alone names nothing of what it is the value of. The row is read with its label lines.
 */

interface RowLine {
  text: string;
  pages: number[];
  spans?: unknown[];
  tableRow?: boolean;
}

/** Wrapped lines of one cell looked at on either side of a row. */
const MAX_WRAPPED_LINES = 6;
/** A label line is short: a sentence of prose is not a wrapped cell. */
const LABEL_MAX_WORDS = 6;
/** One cell of a values line: a number, an amount, a blank, a dash, a short code or unit ("H", "EA", "SW-12"). */
const VALUE_CELL = /^(?:[A-Z]{1,4}\.?|[A-Z]{1,4}-\d+[A-Z]?|\(?\$?[\d.,]+%?\)?|[$%_\-—–.()/]+)$/;
/** A line ending mid-phrase continues on the next line of its cell ("TRAFFIC CONTROL FOR", "GRADE (CONTINGENCY"). */
const CONTINUES = /(?:\b(?:for|and|or|of|with|to|by|in|on|at|the|a|an|per)|[-–(,])\s*$/i;

/** A line of values only ("H 30", "G-2 --- AL --- $ 15,000.00"): the row's values, without what they are of. */
export function isValuesOnlyLine(text: string): boolean {
  const cells = text.trim().split(/\s+/);
  return cells.length <= 10 && /\d/.test(text) && cells.every((c) => VALUE_CELL.test(c));
}

function isRow(s: RowLine): boolean {
  return (s.tableRow === true && /\d/.test(s.text)) || isValuesOnlyLine(s.text);
}

/** A short line that is no sentence of its own (no end stop, few words): a wrapped piece of a cell. */
function isLabelLine(s: RowLine): boolean {
  const text = s.text.trim();
  return (
    s.tableRow !== true &&
    text.length > 0 &&
    !/[.:;!?]$/.test(text) &&
    text.split(/\s+/).length <= LABEL_MAX_WORDS &&
    !isValuesOnlyLine(text)
  );
}

function unbalanced(text: string): boolean {
  return (text.match(/\(/g) ?? []).length > (text.match(/\)/g) ?? []).length;
}

/**
 * How many of the lines between two rows belong to the row above: a cell is centred on its row, so about half;
 * never splitting a phrase that runs on from one line to the next.
 */
function linesOfRowAbove(lines: RowLine[]): number {
  let p = Math.floor(lines.length / 2);
  while (
    p > 0 &&
    p < lines.length &&
    (CONTINUES.test(lines[p - 1]?.text ?? '') || unbalanced(lines[p - 1]?.text ?? ''))
  )
    p++;
  return p;
}

/** The first and last sentence of the row at `i` with its wrapped label lines; undefined when it is no row. */
function rowBlock(sentences: readonly RowLine[], i: number): { first: number; last: number } | undefined {
  const row = sentences[i];
  if (row === undefined || !isRow(row)) return undefined;
  let j = i - 1;
  while (j >= 0 && i - j <= MAX_WRAPPED_LINES && isLabelLine(sentences[j] as RowLine)) j--;
  const above = sentences.slice(j + 1, i);
  const rowAbove = j >= 0 && isRow(sentences[j] as RowLine);
  const before = above.length - (rowAbove ? linesOfRowAbove(above) : 0);
  let k = i + 1;
  while (k < sentences.length && k - i <= MAX_WRAPPED_LINES && isLabelLine(sentences[k] as RowLine)) k++;
  const below = sentences.slice(i + 1, k);
  const rowBelow = k < sentences.length && isRow(sentences[k] as RowLine);
  // The last row's cell ends as many lines below it as it began above it.
  const after = Math.min(below.length, rowBelow ? linesOfRowAbove(below) : before);
  return { first: i - before, last: i + after };
}

/**
 * The row at `i`, or the row whose wrapped cell the label line at `i` is part of, read with all its label lines;
 * undefined when there is no such row or the row has no label lines.
 */
export function rowWithLabels<T extends RowLine>(sentences: readonly T[], i: number): T | undefined {
  const at = sentences[i];
  if (at === undefined) return undefined;
  let rowAt = isRow(at) ? i : -1;
  // A label line: the row it wraps around is the nearest one below or above it across label lines only.
  if (rowAt < 0 && isLabelLine(at))
    for (const step of [1, -1]) {
      let k = i + step;
      while (Math.abs(k - i) <= MAX_WRAPPED_LINES && sentences[k] !== undefined && isLabelLine(sentences[k] as T))
        k += step;
      const block = sentences[k] !== undefined && isRow(sentences[k] as T) ? rowBlock(sentences, k) : undefined;
      if (block !== undefined && block.first <= i && i <= block.last) {
        rowAt = k;
        break;
      }
    }
  const block = rowAt < 0 ? undefined : rowBlock(sentences, rowAt);
  if (block === undefined || block.first === block.last) return undefined;
  const parts = sentences.slice(block.first, block.last + 1);
  const row = sentences[rowAt] as T;
  const pages = [...new Set(parts.flatMap((p) => p.pages))].sort((a, b) => a - b);
  const spans = parts.every((p) => p.spans !== undefined) ? parts.flatMap((p) => p.spans ?? []) : undefined;
  return { ...row, text: parts.map((p) => p.text.trim()).join(' '), pages, spans, tableRow: true } as T;
}
