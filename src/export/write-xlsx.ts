/**
 * The xlsx "Report Package": Executive Summary, Detailed Results, By Section, Footnotes.
 * Reviewed answers are what the rows show; Detailed Results adds who reviewed each answer, when, the note and
 * what the machine said, and the summary shows review progress. Every sheet prints: landscape, one page wide
 * (as many pages down as needed), the header row repeated on each page, rows tall enough for their wrapped text,
 * "Page x of y" in the footer. Page numbers are numbers (a single page) so they sort and filter as numbers.
 * Written with exceljs's streaming WorkbookWriter: each row is committed (serialised and compressed) as soon as
 * it is built, so a 2,000-question report never exists as an in-memory workbook model.
 */
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { QuestionAnswer, SectionResult } from '../analysis/types.js';
import type { ExportInput } from './export-input.js';
import { describePartialBanner, describeRunStatus } from './export-input.js';
import {
  STATUS_VARIANT,
  computeTotals,
  formatEngine,
  formatPages,
  formatUtc,
  isAnswered,
  statusText,
  unansweredText,
  summariseSection,
  computeReviewProgress,
  describeMachineAnswer,
  describeReviewProgress,
  reviewStatusText,
} from './export-model.js';
import { findKeyRequirements } from './key-requirements.js';
import { neutraliseFormula, removeXmlInvalidChars } from './text-safety.js';

export const SHEET_NAMES = {
  summary: 'Executive Summary',
  details: 'Detailed Results',
  bySection: 'By Section',
  footnotes: 'Footnotes',
} as const;

/** Excel refuses to open a file with a longer cell (it reports the workbook as corrupt). */
const EXCEL_MAX_CELL_CHARS = 32_767;
const TRUNCATION_NOTE = ' … [truncated: Excel cell limit]';

const FILL_HEADER = 'FF1F4E78';
const FILL_ANSWERED = 'FFE2EFDA'; // light green
const FILL_NOT_FOUND = 'FFEDEDED'; // light grey
const FILL_VARIANT = 'FFFFF2CC'; // light yellow: a second answer the reader must weigh
const FILL_SECTION = 'FFD9E1F2';
const FILL_PARTIAL = 'FFC00000';

const PERCENT_FORMAT = '0%';
const SECONDS_FORMAT = '0.0';
const INTEGER_FORMAT = '#,##0';
const USD_FORMAT = '"$"#,##0.0000';
const DATE_TIME_FORMAT = 'yyyy-mm-dd hh:mm';

type Cell = string | number | Date | null;

// Row heights for wrapped text, which Excel does not compute for rows written by a program (without them a long
// answer overlaps the rows below it when printed). Estimated from the text: a column `width` units wide holds
// about `width - 1` characters of the 11-pt default font per line (conservative: most letters are narrower than
// the "0" the unit is defined by); each line is 15 pt; Excel's maximum row height is 409 pt.
const LINE_HEIGHT_PT = 15;
const ROW_PADDING_PT = 3;
const MAX_ROW_HEIGHT_PT = 409;

/** Estimated height (pt) of a row of wrapped cells, or undefined when every cell fits on one line. */
export function estimateRowHeight(values: readonly Cell[], widths: readonly number[]): number | undefined {
  let lines = 1;
  values.forEach((value, index) => {
    if (typeof value !== 'string' || value === '') return;
    const perLine = Math.max(1, Math.floor((widths[index] ?? 10) - 1));
    const cellLines = value.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil(line.length / perLine)), 0);
    lines = Math.max(lines, cellLines);
  });
  return lines > 1 ? Math.min(MAX_ROW_HEIGHT_PT, lines * LINE_HEIGHT_PT + ROW_PADDING_PT) : undefined;
}

/**
 * Print settings shared by every sheet: landscape, fit to one page wide and any number of pages tall
 * (fitToHeight 0), narrow margins, `titleRows` (e.g. "1:1") repeated at the top of each printed page, and
 * "Page x of y" centred in the footer.
 */
function printOptions(titleRows?: string): Pick<Partial<ExcelJS.AddWorksheetOptions>, 'pageSetup' | 'headerFooter'> {
  return {
    pageSetup: {
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      paperSize: 9, // A4; Letter printers scale it to fit
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.6, header: 0.3, footer: 0.3 },
      ...(titleRows ? { printTitlesRow: titleRows } : {}),
    },
    headerFooter: { oddFooter: '&CPage &P of &N', evenFooter: '&CPage &P of &N' },
  };
}

/** A page list as a cell: one page is a number; several are text ("12, 13"); none is empty. */
function pagesCell(pages: readonly number[]): number | string | null {
  if (pages.length === 0) return null;
  return pages.length === 1 ? (pages[0] as number) : formatPages(pages);
}

/**
 * Every string cell goes through here: XML-safe, within Excel's limit, LF line ends, and never evaluated as a formula.
 */
function text(value: string): string {
  const clean = removeXmlInvalidChars(value);
  const fitted =
    clean.length > EXCEL_MAX_CELL_CHARS
      ? clean.slice(0, EXCEL_MAX_CELL_CHARS - TRUNCATION_NOTE.length - 1) + TRUNCATION_NOTE
      : clean;
  // XML parsers turn a raw CR into LF anyway; normalising here keeps what we write equal to what Excel reads.
  return neutraliseFormula(fitted).replace(/\r\n?/g, '\n');
}

function solidFill(argb: string): ExcelJS.Fill {
  return { type: 'pattern', pattern: 'solid', fgColor: { argb } };
}

interface RowStyle {
  fill?: string;
  bold?: boolean;
  white?: boolean;
  numFmts?: Record<number, string>;
  /** Merge columns 1..mergeTo of this row (must happen before the row is committed). */
  mergeTo?: number;
}

function addRow(sheet: ExcelJS.Worksheet, values: Cell[], style?: RowStyle): void {
  const cells = values.map((value) => (typeof value === 'string' ? text(value) : value));
  const row = sheet.addRow(cells);
  const widths = sheet.columns?.map((c) => c.width ?? 10) ?? [];
  const height = style?.mergeTo ? undefined : estimateRowHeight(cells, widths);
  if (height !== undefined) row.height = height;
  if (style) {
    row.eachCell({ includeEmpty: true }, (cell, column) => {
      if (style.fill) cell.fill = solidFill(style.fill);
      if (style.bold || style.white)
        cell.font = { bold: style.bold ?? false, color: style.white ? { argb: 'FFFFFFFF' } : undefined };
      const numFmt = style.numFmts?.[column];
      if (numFmt) cell.numFmt = numFmt;
    });
  }
  if (style?.mergeTo) sheet.mergeCells(row.number, 1, row.number, style.mergeTo);
  row.commit();
}

function configureColumns(sheet: ExcelJS.Worksheet, widths: number[]): void {
  sheet.columns = widths.map((width) => ({ width, style: { alignment: { wrapText: true, vertical: 'top' } } }));
}

function writeSummarySheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, input: ExportInput): void {
  const { session, result } = input;
  const totals = computeTotals(result);
  const sheet = workbook.addWorksheet(SHEET_NAMES.summary, printOptions());
  configureColumns(sheet, [30, 60, 14, 50]);

  addRow(sheet, ['Spec Analysis — Report Package'], { bold: true });
  addRow(sheet, ['Document', session.documentName]);
  addRow(sheet, ['Run date', formatUtc(session.createdAt)]);
  addRow(sheet, ['Completed', session.completedAt ? formatUtc(session.completedAt) : '—']);
  addRow(sheet, ['Engine', formatEngine(session.engine, session.model)]);
  addRow(sheet, ['Question set', result.config_name]);
  addRow(sheet, ['Status', describeRunStatus(input)], { bold: true });
  const banner = describePartialBanner(input);
  if (banner) {
    addRow(sheet, [banner, null, null, null], { fill: FILL_PARTIAL, bold: true, white: true, mergeTo: 4 });
  }
  addRow(sheet, []);

  addRow(sheet, ['Totals', 'Value'], { fill: FILL_HEADER, bold: true, white: true });
  addRow(sheet, ['Questions', totals.totalQuestions], { numFmts: { 2: INTEGER_FORMAT } });
  addRow(sheet, ['Answered', totals.answered], { numFmts: { 2: INTEGER_FORMAT } });
  addRow(sheet, ['Answer rate', totals.answerRate], { numFmts: { 2: PERCENT_FORMAT } });
  addRow(sheet, ['Average confidence (answered)', totals.averageConfidence], { numFmts: { 2: PERCENT_FORMAT } });
  addRow(sheet, ['Variants (other answers found)', totals.variantCount], { numFmts: { 2: INTEGER_FORMAT } });
  addRow(sheet, ['Total pages', result.total_pages], { numFmts: { 2: INTEGER_FORMAT } });
  addRow(sheet, ['Processing time (s)', totals.processingTimeS], { numFmts: { 2: SECONDS_FORMAT } });
  addRow(sheet, ['Tokens', totals.totalTokens], { numFmts: { 2: INTEGER_FORMAT } });
  addRow(sheet, ['Estimated cost (USD)', totals.costUsd], { numFmts: { 2: USD_FORMAT } });
  addRow(sheet, []);

  const review = computeReviewProgress(result);
  addRow(sheet, ['Review progress', describeReviewProgress(review)], { fill: FILL_HEADER, bold: true, white: true });
  addRow(sheet, ['Reviewed', review.reviewed], { numFmts: { 2: INTEGER_FORMAT } });
  addRow(sheet, ['Reviewed (share of questions)', review.ratio], { numFmts: { 2: PERCENT_FORMAT } });
  addRow(sheet, ['Accepted', review.accepted], { numFmts: { 2: INTEGER_FORMAT } });
  addRow(sheet, ['Edited', review.edited], { numFmts: { 2: INTEGER_FORMAT } });
  addRow(sheet, ['Rejected', review.rejected], { numFmts: { 2: INTEGER_FORMAT } });
  addRow(sheet, ['Not reviewed', review.total - review.reviewed], { numFmts: { 2: INTEGER_FORMAT } });
  addRow(sheet, []);

  addRow(sheet, ['Answer rate by section', 'Answered', 'Total', 'Answer rate'], {
    fill: FILL_HEADER,
    bold: true,
    white: true,
  });
  for (const section of result.sections) {
    const summary = summariseSection(section);
    addRow(sheet, [section.section_name, summary.answered, summary.total, summary.answerRate], {
      numFmts: { 4: PERCENT_FORMAT },
    });
  }
  addRow(sheet, []);

  const requirements = findKeyRequirements(result);
  if (requirements.length > 0) {
    addRow(sheet, ['Key project requirements', 'Answer', 'PDF pages', 'From question'], {
      fill: FILL_HEADER,
      bold: true,
      white: true,
    });
    for (const { label, answer } of requirements) {
      const answered = isAnswered(answer);
      addRow(
        sheet,
        [
          label,
          answered ? answer.answer : unansweredText(answer),
          pagesCell(answer.pages),
          `${answer.question_id}: ${answer.question}`,
        ],
        {
          fill: answered ? FILL_ANSWERED : FILL_NOT_FOUND,
        },
      );
    }
  }
  sheet.commit();
}

export const DETAIL_HEADERS = [
  '#',
  'Section',
  'Question ID',
  'Question',
  'Answer',
  'PDF pages',
  'Confidence',
  'Footnote',
  'Status',
  'Review',
  'Reviewed by',
  'Reviewed at',
  'Review note',
  'Machine answer',
];
const DETAIL_CONFIDENCE_COLUMN = 7;
const DETAIL_REVIEWED_AT_COLUMN = 12;

/** The review columns of a question's row: status, reviewer, when (a real date), note, what the machine said. */
function reviewCells(answer: QuestionAnswer): Cell[] {
  const review = answer.review;
  return [
    reviewStatusText(answer),
    review?.by ?? null,
    review ? new Date(review.at) : null,
    review?.note ?? null,
    describeMachineAnswer(answer),
  ];
}

function writeDetailsSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, input: ExportInput): void {
  const sheet = workbook.addWorksheet(SHEET_NAMES.details, {
    views: [{ state: 'frozen', ySplit: 1 }],
    ...printOptions('1:1'),
  });
  configureColumns(sheet, [5, 16, 10, 40, 45, 9, 11, 50, 11, 12, 22, 16, 24, 30]);
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: DETAIL_HEADERS.length } };
  addRow(sheet, DETAIL_HEADERS, { fill: FILL_HEADER, bold: true, white: true });
  const percent = { [DETAIL_CONFIDENCE_COLUMN]: PERCENT_FORMAT, [DETAIL_REVIEWED_AT_COLUMN]: DATE_TIME_FORMAT };

  let number = 0;
  for (const section of input.result.sections) {
    for (const answer of section.answers) {
      number += 1;
      const answered = isAnswered(answer);
      addRow(
        sheet,
        [
          number,
          section.section_name,
          answer.question_id,
          answer.question,
          answered ? answer.answer : unansweredText(answer),
          pagesCell(answer.pages),
          answered ? answer.confidence : null,
          answer.footnote,
          statusText(answer),
          ...reviewCells(answer),
        ],
        { fill: answered ? FILL_ANSWERED : FILL_NOT_FOUND, numFmts: percent },
      );
      // Variants get their own rows (same #, so sorting keeps them with their question; filterable by Status).
      for (const variant of answer.variants) {
        addRow(
          sheet,
          [
            number,
            section.section_name,
            answer.question_id,
            answer.question,
            variant.answer,
            pagesCell(variant.pages),
            variant.confidence,
            variant.footnote,
            STATUS_VARIANT,
          ],
          { fill: FILL_VARIANT, numFmts: percent },
        );
      }
    }
  }
  sheet.commit();
}

function writeBySectionSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, input: ExportInput): void {
  const sheet = workbook.addWorksheet(SHEET_NAMES.bySection, printOptions());
  configureColumns(sheet, [11, 50, 60, 11, 11, 14]);
  const percent = { 5: PERCENT_FORMAT };
  for (const section of input.result.sections) {
    const summary = summariseSection(section);
    addRow(
      sheet,
      [section.section_name, `${summary.answered}/${summary.total} answered`, null, null, summary.answerRate],
      {
        fill: FILL_SECTION,
        bold: true,
        numFmts: percent,
      },
    );
    addRow(sheet, ['Question ID', 'Question', 'Answer', 'PDF pages', 'Confidence', 'Review'], {
      fill: FILL_HEADER,
      bold: true,
      white: true,
    });
    for (const answer of section.answers) {
      const answered = isAnswered(answer);
      addRow(
        sheet,
        [
          answer.question_id,
          answer.question,
          answered ? answer.answer : unansweredText(answer),
          pagesCell(answer.pages),
          answered ? answer.confidence : null,
          reviewStatusText(answer),
        ],
        {
          fill: answered ? FILL_ANSWERED : FILL_NOT_FOUND,
          numFmts: percent,
        },
      );
      for (const variant of answer.variants) {
        addRow(
          sheet,
          [
            answer.question_id,
            `${STATUS_VARIANT} of: ${answer.question}`,
            variant.answer,
            pagesCell(variant.pages),
            variant.confidence,
          ],
          {
            fill: FILL_VARIANT,
            numFmts: percent,
          },
        );
      }
    }
    addRow(sheet, []);
  }
  sheet.commit();
}

function writeFootnoteRows(sheet: ExcelJS.Worksheet, section: SectionResult, answer: QuestionAnswer): void {
  const emit = (
    kind: string,
    pages: number[],
    footnote: string | null,
    quotes: Array<{ page: number; text: string }>,
  ): void => {
    if (quotes.length > 0) {
      for (const quote of quotes)
        addRow(sheet, [answer.question_id, section.section_name, answer.question, kind, quote.page, quote.text]);
    } else if (footnote) {
      // An answer whose quotes were not itemised still has its footnote text: never drop it.
      addRow(sheet, [answer.question_id, section.section_name, answer.question, kind, pagesCell(pages), footnote]);
    }
  };
  if (isAnswered(answer)) emit('Answer', answer.pages, answer.footnote, answer.quotes);
  for (const variant of answer.variants) emit(STATUS_VARIANT, variant.pages, variant.footnote, variant.quotes);
}

function writeFootnotesSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, input: ExportInput): void {
  const headers = ['Question ID', 'Section', 'Question', 'Kind', 'PDF page(s)', 'Quote'];
  const sheet = workbook.addWorksheet(SHEET_NAMES.footnotes, {
    views: [{ state: 'frozen', ySplit: 1 }],
    ...printOptions('1:1'),
  });
  configureColumns(sheet, [11, 20, 45, 10, 11, 80]);
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: headers.length } };
  addRow(sheet, headers, { fill: FILL_HEADER, bold: true, white: true });
  for (const section of input.result.sections) {
    for (const answer of section.answers) writeFootnoteRows(sheet, section, answer);
  }
  sheet.commit();
}

/** Streams the workbook into `output` (ended when done). Rejects, without ending `output`, if writing fails. */
export async function writeXlsx(input: ExportInput, output: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Spec Analyzer';
  workbook.created = input.session.createdAt;
  writeSummarySheet(workbook, input);
  writeDetailsSheet(workbook, input);
  writeBySectionSheet(workbook, input);
  writeFootnotesSheet(workbook, input);
  await workbook.commit();
}

/** The workbook as one Buffer: the compressed file only (~0.5 KB per question), never a workbook model. */
export async function buildXlsxBuffer(input: ExportInput): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  await writeXlsx(input, sink);
  return Buffer.concat(chunks);
}
