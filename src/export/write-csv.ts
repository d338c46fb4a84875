/**
 * CSV (RFC 4180): CRLF line ends, fields quoted when they hold a comma, quote, CR or LF, quotes doubled,
 * UTF-8 with a BOM so Excel detects the encoding. One row per question; variants in their own column.
 */
import type { QuestionAnswer, SectionResult } from '../analysis/types.js';
import type { ExportInput } from './export-input.js';
import { describePartialBanner } from './export-input.js';
import {
  describeMachineAnswer,
  formatPageRef,
  formatPages,
  isAnswered,
  reviewStatusText,
  statusText,
} from './export-model.js';
import { neutraliseFormula } from './text-safety.js';

export const CSV_COLUMNS = [
  'section_id',
  'section_name',
  'question_id',
  'question',
  'answer',
  'pages',
  'confidence',
  'footnote',
  'status',
  'variants',
  // Review: "Not reviewed" / "Accepted" / "Edited" / "Edited (unverified)" / "Rejected"; `answer` is the reviewed
  // value.
  'review_status',
  'reviewed_by',
  'reviewed_at',
  'review_note',
  // What the engine said, when a reviewer edited or rejected it.
  'machine_answer',
  // Last, and on every row, so complete and PARTIAL files share one schema and no banner row breaks parsers.
  'run_status',
] as const;

const UTF8_BOM = '\uFEFF';
const CRLF = '\r\n';
const NEEDS_QUOTING = /[",\r\n]/;

/** Text from the PDF or config: formula-neutralised, then quoted as RFC 4180 requires. */
function textField(value: string): string {
  const safe = neutraliseFormula(value);
  return NEEDS_QUOTING.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Numbers stay numbers (a negative confidence would be a bug upstream, but it is still data, not a formula). */
function numberField(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '' : String(value);
}

function formatVariantsField(answer: QuestionAnswer): string {
  return answer.variants.map((variant) => `${variant.answer} (${formatPageRef(variant.pages)})`).join('\n');
}

function formatRow(section: SectionResult, answer: QuestionAnswer, runStatus: string): string {
  const answered = isAnswered(answer);
  return [
    textField(section.section_id),
    textField(section.section_name),
    textField(answer.question_id),
    textField(answer.question),
    textField(answered ? (answer.answer ?? '') : ''),
    textField(formatPages(answer.pages)),
    answered ? numberField(answer.confidence) : '',
    textField(answer.footnote ?? ''),
    textField(statusText(answer)),
    textField(formatVariantsField(answer)),
    textField(reviewStatusText(answer)),
    textField(answer.review?.by ?? ''),
    textField(answer.review?.at ?? ''),
    textField(answer.review?.note ?? ''),
    textField(describeMachineAnswer(answer) ?? ''),
    textField(runStatus),
  ].join(',');
}

/** Builds the whole file as one string: a 2,000-question CSV is a few MB at most. */
export function writeCsv(input: ExportInput): Buffer {
  const runStatus = describePartialBanner(input) ?? 'completed';
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const section of input.result.sections) {
    for (const answer of section.answers) lines.push(formatRow(section, answer, runStatus));
  }
  return Buffer.from(UTF8_BOM + lines.join(CRLF) + CRLF, 'utf8');
}
