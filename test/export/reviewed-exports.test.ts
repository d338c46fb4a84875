/**
 * Reviewed answers in every export format, read back the way users' tools read them (exceljs, csv-parse, the
 * docx's document.xml, the Markdown text), and the xlsx print settings.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import type { QuestionAnswer } from '../../src/analysis/types.js';
import { buildExport } from '../../src/export/build-export.js';
import { SHEET_NAMES, estimateRowHeight } from '../../src/export/write-xlsx.js';
import {
  bodyBuffer,
  loadWorkbook,
  readZipEntry,
  requireSheet,
  sheetRows,
  valueBesideLabel,
  wordText,
} from './read-back.js';
import { makeExportInput } from './result-factory.js';

const AT_ACCEPT = '2026-12-07T10:00:00.000Z';
const AT_EDIT = '2026-12-07T11:30:00.000Z';
const LONG_ANSWER = 'The contractor shall furnish and install a cured-in-place liner, '.repeat(10).trim();

const overrides: Record<string, Partial<QuestionAnswer>> = {
  S1Q1: {
    review: {
      status: 'accepted',
      by: 'alice@example.com',
      at: AT_ACCEPT,
      note: 'checked on the page',
      review_id: 1,
      verified: null,
    },
  },
  S1Q2: {
    answer: 'Edited thickness: 7.5 mm',
    pages: [12],
    confidence: 1,
    footnote: '"Edited thickness: 7.5 mm" (p. 12)',
    quotes: [{ page: 12, text: 'Edited thickness: 7.5 mm' }],
    answer_status: 'answered',
    review: { status: 'edited', by: 'bob@example.com', at: AT_EDIT, note: null, review_id: 2, verified: true },
    machine_answer: {
      answer: 'Answer 2: 5.0 mm',
      page_citations: [12, 13],
      confidence: 0.7,
      footnote: '"the liner for item 2 shall be 5.0 mm thick" (p. 12)',
    },
  },
  S1Q3: {
    answer: null,
    pages: [],
    confidence: 0,
    footnote: null,
    quotes: [],
    variants: [],
    answer_status: 'not_found',
    review: {
      status: 'rejected',
      by: 'alice@example.com',
      at: AT_EDIT,
      note: 'not in this spec',
      review_id: 3,
      verified: null,
    },
    machine_answer: { answer: 'Answer 3: 6.0 mm', page_citations: [13, 14], confidence: 0.8, footnote: null },
  },
  S2Q1: {
    answer: 'Polyester resin',
    pages: [20],
    confidence: 1,
    footnote: null,
    quotes: [],
    answer_status: 'answered',
    review: { status: 'edited', by: 'bob@example.com', at: AT_EDIT, note: null, review_id: 4, verified: false },
    machine_answer: { answer: 'Answer 5: 8.0 mm', page_citations: [15, 16], confidence: 0.5, footnote: null },
  },
  S2Q2: { answer: 'Bonds & Insurance: 10% of the bid; see <Section 7> &amp; its notes' },
  S2Q4: { answer: LONG_ANSWER },
};

function reviewedInput() {
  const input = makeExportInput({
    sections: 2,
    questionsPerSection: 4,
    unansweredEvery: 100,
    variantEvery: 100,
    overrides,
    documentName: 'Bonds & Insurance RFP.pdf',
  });
  input.result.sections[1]!.section_name = 'Bonds & Insurance';
  return input;
}

describe('reviewed exports', () => {
  it('xlsx: Detailed Results carry the reviewed answer, review status, reviewer, reviewed-at date, note and machine answer', async () => {
    const workbook = await loadWorkbook(bodyBuffer(await buildExport('xlsx', reviewedInput())));
    const sheet = requireSheet(workbook, SHEET_NAMES.details);
    const rows = sheetRows(sheet);
    const byId = (id: string) => rows.find((row) => row[2] === id)!;

    expect(byId('S1Q1').slice(9, 14)).toEqual([
      'Accepted',
      'alice@example.com',
      new Date(AT_ACCEPT),
      'checked on the page',
      null,
    ]);
    expect(byId('S1Q2')[4]).toBe('Edited thickness: 7.5 mm');
    expect(byId('S1Q2')[5]).toBe(12);
    expect(byId('S1Q2').slice(9, 14)).toEqual([
      'Edited',
      'bob@example.com',
      new Date(AT_EDIT),
      null,
      'Answer 2: 5.0 mm (pp. 12, 13)',
    ]);
    expect(byId('S1Q3').slice(4, 5)).toEqual(['Not found in document']);
    expect(byId('S1Q3').slice(9, 14)).toEqual([
      'Rejected',
      'alice@example.com',
      new Date(AT_EDIT),
      'not in this spec',
      'Answer 3: 6.0 mm (pp. 13, 14)',
    ]);
    expect(byId('S2Q1')[9]).toBe('Edited (unverified)');
    expect(byId('S2Q3').slice(9, 14)).toEqual(['Not reviewed', null, null, null, null]);
    const reviewedAt = sheet.getRow(rows.indexOf(byId('S1Q1')) + 1).getCell(12);
    expect(reviewedAt.numFmt).toBe('yyyy-mm-dd hh:mm');

    const summary = requireSheet(workbook, SHEET_NAMES.summary);
    expect(valueBesideLabel(summary, 'Review progress')).toBe('4 of 8 reviewed (1 accepted, 2 edited, 1 rejected)');
    expect(valueBesideLabel(summary, 'Reviewed')).toBe(4);
    expect(valueBesideLabel(summary, 'Reviewed (share of questions)')).toBe(0.5);
    expect(valueBesideLabel(summary, 'Not reviewed')).toBe(4);

    const bySection = sheetRows(requireSheet(workbook, SHEET_NAMES.bySection));
    expect(bySection.find((row) => row[0] === 'S1Q2')?.slice(2, 6)).toEqual([
      'Edited thickness: 7.5 mm',
      12,
      1,
      'Edited',
    ]);
  });

  it('xlsx: every sheet prints landscape, one page wide, with page x of y; list sheets repeat their header row', async () => {
    const workbook = await loadWorkbook(bodyBuffer(await buildExport('xlsx', reviewedInput())));
    for (const name of Object.values(SHEET_NAMES)) {
      const sheet = requireSheet(workbook, name);
      expect(sheet.pageSetup, name).toMatchObject({
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
      });
      expect(sheet.headerFooter.oddFooter, name).toBe('&CPage &P of &N');
    }
    expect(requireSheet(workbook, SHEET_NAMES.details).pageSetup.printTitlesRow).toBe('1:1');
    expect(requireSheet(workbook, SHEET_NAMES.footnotes).pageSetup.printTitlesRow).toBe('1:1');
  });

  it('xlsx: rows of wrapped text are tall enough for it, and quote pages are numbers', async () => {
    const workbook = await loadWorkbook(bodyBuffer(await buildExport('xlsx', reviewedInput())));
    const sheet = requireSheet(workbook, SHEET_NAMES.details);
    const rows = sheetRows(sheet);
    const longRow = sheet.getRow(rows.findIndex((row) => row[2] === 'S2Q4') + 1);
    const answerWidth = sheet.getColumn(5).width!;
    const linesNeeded = Math.ceil(LONG_ANSWER.length / (answerWidth - 1));
    expect(linesNeeded).toBeGreaterThan(5);
    expect(longRow.height).toBeGreaterThanOrEqual(linesNeeded * 15);
    // A short row keeps Excel's default height.
    expect(estimateRowHeight(['short', 1, null], [20, 10, 10])).toBeUndefined();
    expect(estimateRowHeight(['x'.repeat(10_000)], [10])).toBe(409);

    const footnotes = sheetRows(requireSheet(workbook, SHEET_NAMES.footnotes)).slice(1);
    expect(footnotes.length).toBeGreaterThan(0);
    for (const row of footnotes) expect(typeof row[4]).toBe('number');
    expect(footnotes.find((row) => row[0] === 'S1Q2')?.slice(3, 6)).toEqual(['Answer', 12, 'Edited thickness: 7.5 mm']);
  });

  it('csv: review status, reviewer, reviewed-at, note and machine answer columns beside the reviewed answer', async () => {
    const csv = bodyBuffer(await buildExport('csv', reviewedInput()));
    const rows = parse(csv, { bom: true, columns: true, record_delimiter: '\r\n' }) as Array<Record<string, string>>;
    const byId = (id: string) => rows.find((row) => row.question_id === id)!;
    expect(byId('S1Q2')).toMatchObject({
      answer: 'Edited thickness: 7.5 mm',
      pages: '12',
      review_status: 'Edited',
      reviewed_by: 'bob@example.com',
      reviewed_at: AT_EDIT,
      machine_answer: 'Answer 2: 5.0 mm (pp. 12, 13)',
    });
    expect(byId('S1Q3')).toMatchObject({
      answer: '',
      status: 'Not found',
      review_status: 'Rejected',
      review_note: 'not in this spec',
    });
    expect(byId('S1Q1')).toMatchObject({
      review_status: 'Accepted',
      reviewed_by: 'alice@example.com',
      reviewed_at: AT_ACCEPT,
      machine_answer: '',
    });
    expect(byId('S2Q3')).toMatchObject({ review_status: 'Not reviewed', reviewed_by: '', reviewed_at: '' });
    expect(Object.keys(rows[0]!).at(-1)).toBe('run_status');
  });

  it('markdown: a marker under each reviewed answer, review progress, and no HTML entities', async () => {
    const md = bodyBuffer(await buildExport('md', reviewedInput())).toString('utf8');
    const row = (id: string) => md.split('\n').find((line) => line.startsWith(`| ${id} |`)) ?? '';
    expect(row('S1Q1')).toContain('✔ Accepted by alice@example.com, 2026-12-07 — note: checked on the page');
    expect(row('S1Q2')).toContain('Edited thickness: 7.5 mm');
    expect(row('S1Q2')).toContain(
      '✎ Edited by bob@example.com, 2026-12-07 (machine said: Answer 2: 5.0 mm (pp. 12, 13))',
    );
    expect(row('S1Q3')).toContain(
      '✘ Rejected by alice@example.com, 2026-12-07 (machine said: Answer 3: 6.0 mm (pp. 13, 14)) — note: not in this spec',
    );
    expect(row('S2Q1')).toContain('(unverified: not found on its pages; machine said: Answer 5: 8.0 mm (pp. 15, 16))');
    expect(row('S2Q3')).not.toMatch(/[✔✎✘]/);
    expect(md).toContain('| Review progress | 4 of 8 reviewed (1 accepted, 2 edited, 1 rejected) |');
    expect(md).toContain('# Spec analysis: Bonds & Insurance RFP.pdf');
    expect(md).toContain('## Bonds & Insurance (4/4 answered)');
    // Text stays as written; only what could open a tag or an entity is backslash-escaped.
    expect(row('S2Q2')).toContain('Bonds & Insurance: 10% of the bid; see \\<Section 7> \\&amp; its notes');
    expect(md).not.toMatch(/(?<!\\)&(amp|lt|gt|quot);/);
  });

  it('docx: a marker per reviewed answer, review progress, and column widths that keep "Confidence" whole', async () => {
    const buffer = bodyBuffer(await buildExport('docx', reviewedInput()));
    const xml = await readZipEntry(buffer, 'word/document.xml');
    const text = wordText(xml);
    expect(text).toContain('✔ Accepted by alice@example.com, 2026-12-07 — note: checked on the page');
    expect(text).toContain('✎ Edited by bob@example.com, 2026-12-07 (machine said: Answer 2: 5.0 mm (pp. 12, 13))');
    expect(text).toContain('✘ Rejected by alice@example.com, 2026-12-07');
    expect(text).toContain('Edited thickness: 7.5 mm');
    expect(text).toMatch(/Review progress\n4 of 8 reviewed \(1 accepted, 2 edited, 1 rejected\)\n/);

    // Section tables: a fixed grid whose last column is wide enough for the bold word "Confidence" (~60 pt + margins).
    const grids = [...xml.matchAll(/<w:tblGrid>(.*?)<\/w:tblGrid>/g)].map((m) =>
      [...m[1]!.matchAll(/w:w="(\d+)"/g)].map((w) => Number(w[1])),
    );
    const sectionGrids = grids.filter((g) => g.length === 4);
    expect(sectionGrids).toHaveLength(2);
    for (const grid of sectionGrids) {
      expect(grid).toEqual([2900, 4060, 900, 1500]);
      expect(grid[3]! / 20).toBeGreaterThanOrEqual(72); // points
    }
    const confidenceHeader =
      /<w:tc>(?:(?!<\/w:tc>).)*?<w:tcW w:type="dxa" w:w="(\d+)"\/>(?:(?!<\/w:tc>).)*?>Confidence<\/w:t>/s.exec(xml);
    expect(Number(confidenceHeader?.[1])).toBe(1500);
    expect(xml).toMatch(/<w:tblLayout w:type="fixed"\/>/);
  });
});
