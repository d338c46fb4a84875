import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { QuestionAnswer } from '../../src/analysis/types.js';
import { buildExport } from '../../src/export/build-export.js';
import type { SessionStatus } from '../../src/export/export-input.js';
import { PARTIAL_LABEL } from '../../src/export/export-input.js';
import { SHEET_NAMES } from '../../src/export/write-xlsx.js';
import { allCells, bodyBuffer, loadWorkbook, requireSheet, sheetRows, valueBesideLabel } from './read-back.js';
import { makeExportInput } from './result-factory.js';

const ALL_ANSWERS = (input: ReturnType<typeof makeExportInput>): QuestionAnswer[] =>
  input.result.sections.flatMap((section) => section.answers);

async function exportWorkbook(input: ReturnType<typeof makeExportInput>): Promise<ExcelJS.Workbook> {
  return loadWorkbook(bodyBuffer(await buildExport('xlsx', input)));
}

describe('xlsx report package', () => {
  it('writes the four sheets in order', async () => {
    const workbook = await exportWorkbook(makeExportInput());
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      'Executive Summary',
      'Detailed Results',
      'By Section',
      'Footnotes',
    ]);
  });

  it('puts totals on the executive summary that match the result', async () => {
    const input = makeExportInput({ sections: 4, questionsPerSection: 5, unansweredEvery: 4 });
    const answers = ALL_ANSWERS(input);
    const answered = answers.filter((answer) => answer.answer !== null);
    const summary = requireSheet(await exportWorkbook(input), SHEET_NAMES.summary);

    expect(valueBesideLabel(summary, 'Questions')).toBe(20);
    expect(valueBesideLabel(summary, 'Answered')).toBe(answered.length);
    expect(valueBesideLabel(summary, 'Answer rate')).toBeCloseTo(answered.length / 20, 10);
    const averageConfidence = answered.reduce((sum, answer) => sum + answer.confidence, 0) / answered.length;
    expect(valueBesideLabel(summary, 'Average confidence (answered)')).toBeCloseTo(averageConfidence, 10);
    expect(valueBesideLabel(summary, 'Processing time (s)')).toBe(input.result.stats.processing_time);
    expect(valueBesideLabel(summary, 'Tokens')).toBe(input.result.stats.total_tokens);
    expect(valueBesideLabel(summary, 'Estimated cost (USD)')).toBe(input.result.stats.estimated_cost);
    expect(valueBesideLabel(summary, 'Document')).toBe('Penhold RFP.pdf');
  });

  it('shows the answer rate of every section on the summary and a block per section on By Section', async () => {
    const input = makeExportInput({ sections: 3, questionsPerSection: 4, unansweredEvery: 3 });
    const workbook = await exportWorkbook(input);
    const summaryRows = sheetRows(requireSheet(workbook, SHEET_NAMES.summary));
    const bySectionRows = sheetRows(requireSheet(workbook, SHEET_NAMES.bySection));
    for (const section of input.result.sections) {
      const answered = section.answers.filter((answer) => answer.answer !== null).length;
      const summaryRow = summaryRows.find((row) => row[0] === section.section_name);
      expect(summaryRow?.slice(1, 4)).toEqual([answered, section.answers.length, answered / section.answers.length]);
      const blockHeader = bySectionRows.find((row) => row[0] === section.section_name);
      expect(blockHeader?.[1]).toBe(`${answered}/${section.answers.length} answered`);
    }
    for (const answer of ALL_ANSWERS(input)) {
      const row = bySectionRows.find(
        (candidate) => candidate[0] === answer.question_id && candidate[1] === answer.question,
      );
      expect(row?.[2]).toBe(answer.answer ?? 'Not found in document');
    }
  });

  it('lists every question on Detailed Results with its answer, pages, confidence, footnote and status', async () => {
    const input = makeExportInput({ sections: 3, questionsPerSection: 5, unansweredEvery: 3, variantEvery: 100 });
    const sheet = requireSheet(await exportWorkbook(input), SHEET_NAMES.details);
    const rows = sheetRows(sheet);
    expect(rows[0]?.slice(0, 9)).toEqual([
      '#',
      'Section',
      'Question ID',
      'Question',
      'Answer',
      'PDF pages',
      'Confidence',
      'Footnote',
      'Status',
    ]);
    expect(rows[0]?.slice(9)).toEqual(['Review', 'Reviewed by', 'Reviewed at', 'Review note', 'Machine answer']);
    expect(rows).toHaveLength(15 + 1);

    ALL_ANSWERS(input).forEach((answer, index) => {
      const rowNumber = index + 2;
      const row = rows[index + 1];
      expect(row?.[0]).toBe(index + 1);
      expect(row?.[2]).toBe(answer.question_id);
      expect(row?.[3]).toBe(answer.question);
      const confidenceCell = sheet.getRow(rowNumber).getCell(7);
      if (answer.answer === null) {
        expect(row?.slice(4, 9)).toEqual(['Not found in document', null, null, null, 'Not found']);
        expect(sheet.getRow(rowNumber).getCell(5).fill).toMatchObject({ fgColor: { argb: 'FFEDEDED' } });
      } else {
        expect(row?.slice(4, 9)).toEqual([
          answer.answer,
          answer.pages.join(', '),
          answer.confidence,
          answer.footnote,
          'Answered',
        ]);
        expect(confidenceCell.numFmt).toBe('0%');
        expect(sheet.getRow(rowNumber).getCell(5).fill).toMatchObject({ fgColor: { argb: 'FFE2EFDA' } });
      }
      expect(sheet.getRow(rowNumber).getCell(5).alignment).toMatchObject({ wrapText: true });
    });
  });

  it('freezes the header row and puts an autofilter on Detailed Results', async () => {
    const sheet = requireSheet(await exportWorkbook(makeExportInput()), SHEET_NAMES.details);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBe('A1:N1');
    expect(sheet.getColumn(5).width).toBeGreaterThan(30);
  });

  it('keeps variants as extra rows marked Variant, never dropping them', async () => {
    const input = makeExportInput({ sections: 2, questionsPerSection: 5, unansweredEvery: 7, variantEvery: 2 });
    const rows = sheetRows(requireSheet(await exportWorkbook(input), SHEET_NAMES.details));
    const variantRows = rows.filter((row) => row[8] === 'Variant');
    const variants = ALL_ANSWERS(input).flatMap((answer) => answer.variants.map((variant) => ({ answer, variant })));
    expect(variants.length).toBeGreaterThan(0);
    expect(variantRows).toHaveLength(variants.length);
    for (const { answer, variant } of variants) {
      const row = variantRows.find((candidate) => candidate[4] === variant.answer);
      expect(row?.[2]).toBe(answer.question_id);
      // One page is stored as a number (sorts and filters as one); several as a list.
      expect(row?.[5]).toBe(variant.pages.length === 1 ? variant.pages[0] : variant.pages.join(', '));
      expect(row?.[7]).toBe(variant.footnote);
    }
  });

  it('lists every quote, variant quotes included, on the Footnotes sheet', async () => {
    const input = makeExportInput({ sections: 2, questionsPerSection: 5, variantEvery: 2 });
    const rows = sheetRows(requireSheet(await exportWorkbook(input), SHEET_NAMES.footnotes)).slice(1);
    const expected = ALL_ANSWERS(input).flatMap((answer) => [
      ...(answer.answer === null
        ? []
        : answer.quotes.map((quote) => [answer.question_id, 'Answer', quote.page, quote.text])),
      ...answer.variants.flatMap((variant) =>
        variant.quotes.map((quote) => [answer.question_id, 'Variant', quote.page, quote.text]),
      ),
    ]);
    expect(rows.map((row) => [row[0], row[3], row[4], row[5]])).toEqual(expected);
  });

  it.each<[SessionStatus, boolean]>([
    ['completed', false],
    ['queued', true],
    ['active', true],
    ['partial', true],
    ['failed', true],
  ])('shows a PARTIAL banner on the summary of a %s run: %s', async (status, expectBanner) => {
    const input = makeExportInput({ status, error: 'Worker lost its lease three times' });
    const summary = requireSheet(await exportWorkbook(input), SHEET_NAMES.summary);
    const bannerRows = sheetRows(summary).filter(
      (row) => typeof row[0] === 'string' && row[0].startsWith(PARTIAL_LABEL),
    );
    expect(bannerRows).toHaveLength(expectBanner ? 1 : 0);
    if (status === 'failed') expect(bannerRows[0]?.[0]).toContain('Worker lost its lease three times');
  });

  it('writes formula-like text as strings with a leading quote, never as formulas', async () => {
    const hostile = ['=HYPERLINK("http://evil.example","x")', '+1+2', '-2+3', '@SUM(A1:A2)', '\t=1+1', '\r=1+1'];
    const input = makeExportInput({
      sections: 1,
      questionsPerSection: hostile.length,
      unansweredEvery: 1000,
      variantEvery: 1000,
      overrides: Object.fromEntries(
        hostile.map((text, index) => [`S1Q${index + 1}`, { answer: text, question: text, footnote: text }]),
      ),
      documentName: '=WEBSERVICE("http://evil.example").pdf',
    });
    input.result.sections[0]!.section_name = '=cmd|" /C calc"!A0';
    const workbook = await exportWorkbook(input);

    for (const cell of allCells(workbook)) {
      expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
      expect(cell.formula).toBeUndefined();
    }
    const rows = sheetRows(requireSheet(workbook, SHEET_NAMES.details)).slice(1);
    hostile.forEach((text, index) => {
      // A leading CR comes back as LF (XML line-end normalisation); the quote prefix is what matters.
      const expected = `'${text}`.replace(/\r/g, '\n');
      expect(rows[index]?.[4]).toBe(expected);
      expect(rows[index]?.[3]).toBe(expected);
      expect(rows[index]?.[1]).toBe(`'=cmd|" /C calc"!A0`);
    });
    expect(valueBesideLabel(requireSheet(workbook, SHEET_NAMES.summary), 'Document')).toBe(
      `'=WEBSERVICE("http://evil.example").pdf`,
    );
    // Numbers are data, not text: they stay numbers.
    expect(typeof rows[0]?.[6]).toBe('number');
  });

  it('drops characters XML forbids instead of writing a file Excel calls corrupt', async () => {
    const input = makeExportInput({ overrides: { S1Q1: { answer: 'six\u0000 mm\u0007 liner \uD800thick' } } });
    const rows = sheetRows(requireSheet(await exportWorkbook(input), SHEET_NAMES.details));
    expect(rows[1]?.[4]).toBe('six mm liner thick');
  });

  it("truncates text longer than Excel's cell limit and says so", async () => {
    const input = makeExportInput({ overrides: { S1Q1: { footnote: 'x'.repeat(40_000) } } });
    const footnote = sheetRows(requireSheet(await exportWorkbook(input), SHEET_NAMES.details))[1]?.[7];
    expect(typeof footnote).toBe('string');
    expect((footnote as string).length).toBeLessThanOrEqual(32_767);
    expect(footnote).toMatch(/truncated/);
  });

  it('fills key project requirements from the questions that ask about them', async () => {
    const input = makeExportInput({
      sections: 1,
      questionsPerSection: 4,
      unansweredEvery: 4,
      questionTexts: {
        S1Q1: 'What warranty period is required?',
        S1Q2: 'What retention or liquidated damages provisions are included?',
        S1Q4: 'What insurance requirements are specified?',
      },
    });
    const rows = sheetRows(requireSheet(await exportWorkbook(input), SHEET_NAMES.summary));
    const start = rows.findIndex((row) => row[0] === 'Key project requirements');
    const requirementRows = rows.slice(start + 1);
    const [first, second, , fourth] = input.result.sections[0]!.answers;
    expect(requirementRows.map((row) => row.slice(0, 2))).toEqual([
      ['Warranty', first!.answer],
      ['Liquidated damages', second!.answer],
      ['Insurance', 'Not found in document'],
    ]);
    expect(fourth!.answer).toBeNull();
  });
});
