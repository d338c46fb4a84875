/**
 * Markdown: title, status (PARTIAL banner), statistics (with review progress), one table per section (a
 * reviewer's marker under each reviewed answer), footnotes.
 * Cell text from the PDF is escaped so it can neither break a table nor inject HTML when rendered — with
 * Markdown's own backslash escapes, never HTML entities: a file read as plain text (or by a renderer that shows
 * entities literally) must say "Bonds & Insurance", not "Bonds &amp; Insurance".
 */
import type { ExportInput } from './export-input.js';
import { describePartialBanner } from './export-input.js';
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

/**
 * Escapes Markdown syntax in inline text with backslashes (CommonMark: any ASCII punctuation may be escaped).
 * `<` is escaped only where it could open HTML or an autolink, `&` only where it could start an entity
 * reference, so ordinary text ("a < b", "Bonds & Insurance") stays as written. Newlines become <br>, the only
 * HTML we emit (a table cell cannot hold a line break otherwise).
 */
export function escapeMarkdownInline(text: string): string {
  return text
    .replace(/([\\`*_[\]|#~!])/g, '\\$1')
    .replace(/<(?=[A-Za-z/!?])/g, '\\<')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&')
    .replace(/\r\n|\r|\n/g, '<br>');
}

interface FootnoteEntry {
  label: number;
  text: string;
}

export function writeMarkdown(input: ExportInput): Buffer {
  const { session, result } = input;
  const totals = computeTotals(result);
  const banner = describePartialBanner(input);
  const footnotes: FootnoteEntry[] = [];
  const addFootnote = (text: string): string => {
    const label = footnotes.length + 1;
    footnotes.push({ label, text });
    return `[^${label}]`;
  };

  const lines: string[] = [];
  lines.push(`# Spec analysis: ${escapeMarkdownInline(session.documentName)}`, '');
  lines.push(banner ? `> **${escapeMarkdownInline(banner)}**` : '**Status:** Completed', '');
  lines.push('## Statistics', '');
  lines.push('| Measure | Value |', '|---|---|');
  const stats: Array<[string, string]> = [
    ['Run date', formatUtc(session.createdAt)],
    ['Engine', formatEngine(session.engine, session.model)],
    ['Total pages', String(result.total_pages)],
    ['Questions', String(totals.totalQuestions)],
    ['Answered', String(totals.answered)],
    ['Answer rate', formatPercent(totals.answerRate)],
    ['Average confidence', formatPercent(totals.averageConfidence)],
    ['Processing time', formatDuration(totals.processingTimeS)],
    ['Tokens', String(totals.totalTokens)],
    ['Estimated cost', formatCostUsd(totals.costUsd)],
    ['Review progress', describeReviewProgress(computeReviewProgress(result))],
  ];
  for (const [label, value] of stats) lines.push(`| ${label} | ${escapeMarkdownInline(value)} |`);
  lines.push('');

  for (const section of result.sections) {
    const summary = summariseSection(section);
    lines.push(`## ${escapeMarkdownInline(section.section_name)} (${summary.answered}/${summary.total} answered)`, '');
    lines.push('| ID | Question | Answer | Pages | Confidence |', '|---|---|---|---|---|');
    for (const answer of section.answers) {
      const answered = isAnswered(answer);
      let answerCell = answered ? escapeMarkdownInline(answer.answer) : `*${unansweredText(answer)}*`;
      if (answered && answer.footnote) answerCell += addFootnote(answer.footnote);
      for (const variant of answer.variants) {
        answerCell += `<br>Variant: ${escapeMarkdownInline(variant.answer)} (${formatPageRef(variant.pages)})`;
        if (variant.footnote) answerCell += addFootnote(variant.footnote);
      }
      const marker = reviewMarker(answer);
      if (marker) answerCell += `<br>*${escapeMarkdownInline(marker)}*`;
      lines.push(
        `| ${escapeMarkdownInline(answer.question_id)} | ${escapeMarkdownInline(answer.question)} | ${answerCell} | ${formatPages(answer.pages)} | ${
          answered ? formatPercent(answer.confidence) : ''
        } |`,
      );
    }
    lines.push('');
  }

  if (footnotes.length > 0) {
    lines.push('## Footnotes', '');
    for (const footnote of footnotes) lines.push(`[^${footnote.label}]: ${escapeMarkdownInline(footnote.text)}`);
    lines.push('');
  }
  return Buffer.from(lines.join('\n'), 'utf8');
}
