/**
 * Word (docx 9): a title page with the statistics (and the PARTIAL banner), then one table per section
 * (question, answer, pages, confidence). Every quote is a real Word footnote on its answer; a reviewed answer
 * carries the reviewer's marker ("✔ Accepted by …, 2026-12-07") under it.
 */
import {
  AlignmentType,
  Document,
  FootnoteReferenceRun,
  HeadingLevel,
  Packer,
  PageBreak,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TableLayoutType,
  TextRun,
  WidthType,
} from 'docx';
import type { ExportInput } from './export-input.js';
import { describePartialBanner, describeRunStatus } from './export-input.js';
import {
  computeTotals,
  formatCostUsd,
  formatDuration,
  formatEngine,
  formatPageRef,
  formatPages,
  formatPercent,
  formatUtc,
  isAnswered,
  unansweredText,
  summariseSection,
  computeReviewProgress,
  describeReviewProgress,
  reviewMarker,
} from './export-model.js';
import { removeXmlInvalidChars } from './text-safety.js';

const SHADE_HEADER = 'D9E1F2';
const SHADE_NOT_FOUND = 'EDEDED';
const COLOR_PARTIAL = 'C00000';
const COLOR_REVIEW = '375623'; // dark green: a person's verdict, set apart from the machine's text
/**
 * Column widths of the section tables in twentieths of a point, summing to the text width of a Letter/A4 page
 * with 1-inch margins (6.5 in = 9,360). Fixed, not percentages: Word and LibreOffice then agree, and the
 * Confidence column (1,500 = 75 pt) holds the bold header word "Confidence" (~60 pt with the cell margins) on one
 * line instead of breaking it as "Confidenc/e".
 */
const SECTION_COLUMN_WIDTHS_DXA = [2_900, 4_060, 900, 1_500];

function clean(text: string): string {
  return removeXmlInvalidChars(text);
}

function cell(
  children: Paragraph[],
  width: number,
  shade?: string,
  type: (typeof WidthType)[keyof typeof WidthType] = WidthType.PERCENTAGE,
): TableCell {
  return new TableCell({
    children,
    width: { size: width, type },
    shading: shade ? { type: ShadingType.CLEAR, fill: shade, color: 'auto' } : undefined,
  });
}

function textCell(
  text: string,
  width: number,
  options: { bold?: boolean; italics?: boolean; shade?: string; dxa?: boolean } = {},
): TableCell {
  return cell(
    [new Paragraph({ children: [new TextRun({ text: clean(text), bold: options.bold, italics: options.italics })] })],
    width,
    options.shade,
    options.dxa ? WidthType.DXA : WidthType.PERCENTAGE,
  );
}

/** Numbered footnotes collected while the body is built; ids start at 1 (Word reserves lower ids for separators). */
class FootnoteCollector {
  readonly notes: Record<number, { children: Paragraph[] }> = {};
  private nextId = 1;

  add(text: string): FootnoteReferenceRun {
    const id = this.nextId;
    this.nextId += 1;
    this.notes[id] = { children: [new Paragraph({ children: [new TextRun(clean(text))] })] };
    return new FootnoteReferenceRun(id);
  }
}

function buildTitlePage(input: ExportInput): Array<Paragraph | Table> {
  const { session, result } = input;
  const totals = computeTotals(result);
  const banner = describePartialBanner(input);
  const stats: Array<[string, string]> = [
    ['Document', session.documentName],
    ['Run date', formatUtc(session.createdAt)],
    ['Engine', formatEngine(session.engine, session.model)],
    ['Status', describeRunStatus(input)],
    ['Total pages', String(result.total_pages)],
    ['Questions', String(totals.totalQuestions)],
    ['Answered', String(totals.answered)],
    ['Answer rate', formatPercent(totals.answerRate)],
    ['Average confidence', formatPercent(totals.averageConfidence)],
    ['Processing time', formatDuration(totals.processingTimeS)],
    ['Tokens', totals.totalTokens.toLocaleString('en-US')],
    ['Estimated cost', formatCostUsd(totals.costUsd)],
    ['Review progress', describeReviewProgress(computeReviewProgress(result))],
  ];
  const blocks: Array<Paragraph | Table> = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(clean('Spec Analysis Report'))] }),
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(clean(session.documentName))] }),
  ];
  if (banner) {
    blocks.push(
      new Paragraph({
        alignment: AlignmentType.CENTER,
        children: [new TextRun({ text: clean(banner), bold: true, color: COLOR_PARTIAL, size: 28 })],
      }),
    );
  }
  blocks.push(
    new Table({
      width: { size: 100, type: WidthType.PERCENTAGE },
      rows: stats.map(
        ([label, value]) =>
          new TableRow({ children: [textCell(label, 35, { bold: true, shade: SHADE_HEADER }), textCell(value, 65)] }),
      ),
    }),
    new Paragraph({ children: [new PageBreak()] }),
  );
  return blocks;
}

function buildSectionBlocks(input: ExportInput, footnotes: FootnoteCollector): Array<Paragraph | Table> {
  const blocks: Array<Paragraph | Table> = [];
  const [questionWidth = 2_900, answerWidth = 4_060, pagesWidth = 900, confidenceWidth = 1_500] =
    SECTION_COLUMN_WIDTHS_DXA;
  for (const section of input.result.sections) {
    const summary = summariseSection(section);
    blocks.push(
      new Paragraph({
        heading: HeadingLevel.HEADING_2,
        children: [new TextRun(clean(`${section.section_name} (${summary.answered}/${summary.total} answered)`))],
      }),
    );
    const header = new TableRow({
      tableHeader: true,
      children: ['Question', 'Answer', 'Pages', 'Confidence'].map((title, index) =>
        textCell(title, SECTION_COLUMN_WIDTHS_DXA[index] ?? 900, { bold: true, shade: SHADE_HEADER, dxa: true }),
      ),
    });
    const rows = section.answers.map((answer) => {
      const answered = isAnswered(answer);
      const answerParagraphs = [
        new Paragraph({
          children: answered
            ? [new TextRun(clean(answer.answer)), ...(answer.footnote ? [footnotes.add(answer.footnote)] : [])]
            : [new TextRun({ text: unansweredText(answer), italics: true })],
        }),
        ...answer.variants.map(
          (variant) =>
            new Paragraph({
              children: [
                new TextRun({
                  text: clean(`Variant: ${variant.answer} (${formatPageRef(variant.pages)})`),
                  italics: true,
                }),
                ...(variant.footnote ? [footnotes.add(variant.footnote)] : []),
              ],
            }),
        ),
      ];
      const marker = reviewMarker(answer);
      if (marker)
        answerParagraphs.push(
          new Paragraph({
            children: [new TextRun({ text: clean(marker), italics: true, color: COLOR_REVIEW, size: 18 })],
          }),
        );
      const shade = answered ? undefined : SHADE_NOT_FOUND;
      return new TableRow({
        children: [
          textCell(`${answer.question_id}. ${answer.question}`, questionWidth, { shade, dxa: true }),
          cell(answerParagraphs, answerWidth, shade, WidthType.DXA),
          textCell(formatPages(answer.pages), pagesWidth, { shade, dxa: true }),
          textCell(answered ? formatPercent(answer.confidence) : '', confidenceWidth, { shade, dxa: true }),
        ],
      });
    });
    blocks.push(
      new Table({
        width: { size: SECTION_COLUMN_WIDTHS_DXA.reduce((a, b) => a + b, 0), type: WidthType.DXA },
        columnWidths: SECTION_COLUMN_WIDTHS_DXA,
        layout: TableLayoutType.FIXED,
        rows: [header, ...rows],
      }),
    );
  }
  return blocks;
}

export async function writeDocx(input: ExportInput): Promise<Buffer> {
  const footnotes = new FootnoteCollector();
  const body = [...buildTitlePage(input), ...buildSectionBlocks(input, footnotes)];
  const document = new Document({
    creator: 'Spec Analyzer',
    title: clean(`Spec analysis: ${input.session.documentName}`),
    footnotes: footnotes.notes,
    sections: [{ children: body }],
  });
  return Packer.toBuffer(document);
}
