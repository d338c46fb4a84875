/**
 * Word (docx 9): a title page with the statistics (and the PARTIAL banner), then one table per section
 * (question, answer, pages, confidence). Every quote is a real Word footnote on its answer.
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
} from './export-model.js';
import { removeXmlInvalidChars } from './text-safety.js';

const SHADE_HEADER = 'D9E1F2';
const SHADE_NOT_FOUND = 'EDEDED';
const COLOR_PARTIAL = 'C00000';
/** Column shares of the section tables, in percent of the page width. */
const SECTION_COLUMN_WIDTHS_PCT = [35, 45, 10, 10];

function clean(text: string): string {
  return removeXmlInvalidChars(text);
}

function cell(children: Paragraph[], widthPct: number, shade?: string): TableCell {
  return new TableCell({
    children,
    width: { size: widthPct, type: WidthType.PERCENTAGE },
    shading: shade ? { type: ShadingType.CLEAR, fill: shade, color: 'auto' } : undefined,
  });
}

function textCell(text: string, widthPct: number, options: { bold?: boolean; italics?: boolean; shade?: string } = {}): TableCell {
  return cell([new Paragraph({ children: [new TextRun({ text: clean(text), bold: options.bold, italics: options.italics })] })], widthPct, options.shade);
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
  ];
  const blocks: Array<Paragraph | Table> = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(clean('Spec Analysis Report'))] }),
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(clean(session.documentName))] }),
  ];
  if (banner) {
    blocks.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: clean(banner), bold: true, color: COLOR_PARTIAL, size: 28 })] }));
  }
  blocks.push(
    new Table({
      width: { size: 100, type: WidthType.PERCENTAGE },
      rows: stats.map(([label, value]) => new TableRow({ children: [textCell(label, 35, { bold: true, shade: SHADE_HEADER }), textCell(value, 65)] })),
    }),
    new Paragraph({ children: [new PageBreak()] }),
  );
  return blocks;
}

function buildSectionBlocks(input: ExportInput, footnotes: FootnoteCollector): Array<Paragraph | Table> {
  const blocks: Array<Paragraph | Table> = [];
  const [questionWidth = 35, answerWidth = 45, pagesWidth = 10, confidenceWidth = 10] = SECTION_COLUMN_WIDTHS_PCT;
  for (const section of input.result.sections) {
    const summary = summariseSection(section);
    blocks.push(
      new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(clean(`${section.section_name} (${summary.answered}/${summary.total} answered)`))] }),
    );
    const header = new TableRow({
      tableHeader: true,
      children: ['Question', 'Answer', 'Pages', 'Confidence'].map((title, index) =>
        textCell(title, SECTION_COLUMN_WIDTHS_PCT[index] ?? 10, { bold: true, shade: SHADE_HEADER }),
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
                new TextRun({ text: clean(`Variant: ${variant.answer} (${formatPageRef(variant.pages)})`), italics: true }),
                ...(variant.footnote ? [footnotes.add(variant.footnote)] : []),
              ],
            }),
        ),
      ];
      const shade = answered ? undefined : SHADE_NOT_FOUND;
      return new TableRow({
        children: [
          textCell(`${answer.question_id}. ${answer.question}`, questionWidth, { shade }),
          cell(answerParagraphs, answerWidth, shade),
          textCell(formatPages(answer.pages), pagesWidth, { shade }),
          textCell(answered ? formatPercent(answer.confidence) : '', confidenceWidth, { shade }),
        ],
      });
    });
    blocks.push(new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows: [header, ...rows] }));
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
