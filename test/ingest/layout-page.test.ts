import { describe, expect, it } from 'vitest';
import { layoutPage } from '../../src/ingest/layout-page.js';
import type { RawTextItem } from '../../src/ingest/run-parse-worker.js';

const SIZE = 10;
const CHAR_W = 5; // points per character at 10 pt, close enough for Helvetica

function item(s: string, x: number, y: number): RawTextItem {
  return { s, x, y, w: s.length * CHAR_W, h: SIZE };
}

function column(lines: string[], x: number, top: number): RawTextItem[] {
  return lines.map((s, i) => item(s, x, top + i * 12));
}

const prose = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${tag} line ${i + 1} of running prose text`);

describe('layoutPage', () => {
  it('reads a single column top to bottom and joins items on one baseline with spaces', () => {
    const lines = layoutPage({
      width: 612,
      height: 792,
      items: [item('second', 72, 112), item('first', 72, 100), item('line', 110, 100.4)],
    });
    expect(lines).toEqual(['first line', 'second']);
  });

  it('reads a two-column page column by column, even when baselines align', () => {
    const items = [...column(prose('left', 6), 72, 100), ...column(prose('right', 6), 320, 100)];
    const lines = layoutPage({ width: 612, height: 792, items });
    expect(lines).toEqual([...prose('left', 6), ...prose('right', 6)]);
  });

  it('reads three columns in order and keeps a full-width title and a footer in place', () => {
    const items = [
      item('A FULL WIDTH TITLE THAT SPANS EVERY COLUMN OF THE PAGE FROM LEFT TO RIGHT', 40, 60),
      ...column(prose('one', 8), 40, 100).map((i) => ({ ...i, s: i.s.slice(0, 30) })),
      ...column(prose('two', 8), 230, 100).map((i) => ({ ...i, s: i.s.slice(0, 30) })),
      ...column(prose('three', 8), 420, 100).map((i) => ({ ...i, s: i.s.slice(0, 30) })),
      item('Page 7', 40, 760),
    ];
    const lines = layoutPage({ width: 612, height: 792, items });
    expect(lines[0]).toMatch(/^A FULL WIDTH TITLE/);
    expect(lines.slice(1, 9).every((l) => l.startsWith('one'))).toBe(true);
    expect(lines.slice(9, 17).every((l) => l.startsWith('two'))).toBe(true);
    expect(lines.slice(17, 25).every((l) => l.startsWith('three'))).toBe(true);
    expect(lines.at(-1)).toBe('Page 7');
  });

  it('reads a table with short cells row by row instead of as columns', () => {
    const rows = [
      ['1', '8-inch CIPP lining', 'LF', '1200'],
      ['2', '10-inch CIPP lining', 'LF', '800'],
      ['3', 'Service reinstatement', 'EA', '45'],
      ['4', 'Manhole rehabilitation', 'EA', '12'],
    ];
    const items = rows.flatMap((cells, r) => [
      item(cells[0]!, 72, 100 + r * 12),
      item(cells[1]!, 110, 100 + r * 12),
      item(cells[2]!, 330, 100 + r * 12),
      item(cells[3]!, 400, 100 + r * 12),
    ]);
    const lines = layoutPage({ width: 612, height: 792, items });
    expect(lines).toEqual([
      '1 8-inch CIPP lining LF 1200',
      '2 10-inch CIPP lining LF 800',
      '3 Service reinstatement EA 45',
      '4 Manhole rehabilitation EA 12',
    ]);
  });

  it('does not let a space item stretched across the gutter glue two columns together', () => {
    const items = [...column(prose('left', 5), 72, 100), ...column(prose('right', 5), 320, 100)];
    items.push({ s: ' ', x: 72 + 35 * CHAR_W, y: 100, w: 80, h: SIZE });
    const lines = layoutPage({ width: 612, height: 792, items });
    expect(lines.slice(0, 5)).toEqual(prose('left', 5));
  });

  it('returns no lines for a page without text items', () => {
    expect(layoutPage({ width: 612, height: 792, items: [item('   ', 72, 100)] })).toEqual([]);
  });
});
