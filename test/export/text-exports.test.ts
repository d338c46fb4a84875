import { describe, expect, it } from 'vitest';
import { buildExport } from '../../src/export/build-export.js';
import type { JsonExport } from '../../src/export/write-json.js';
import { bodyBuffer } from './read-back.js';
import { makeExportInput } from './result-factory.js';

describe('json export', () => {
  it('holds the full result, the session metadata and the partial flag', async () => {
    const input = makeExportInput({ status: 'active' });
    const text = bodyBuffer(await buildExport('json', input)).toString('utf8');
    const parsed = JSON.parse(text) as JsonExport;
    expect(parsed.partial).toBe(true);
    // Every question carries answer_status, also when the stored result predates it (as this factory's does).
    const withStatus = input.result.sections.map((s) => ({
      ...s,
      answers: s.answers.map((a) => ({ ...a, answer_status: a.answer === null ? 'not_found' : 'answered' })),
    }));
    expect(parsed.result).toEqual({ ...input.result, sections: withStatus });
    expect(parsed.session).toEqual({
      id: input.session.id,
      status: 'active',
      status_label: 'In progress (answers found so far)',
      document_name: 'Penhold RFP.pdf',
      created_at: '2026-11-26T04:00:00.000Z',
      completed_at: null,
      engine: 'extractive',
      model: null,
      error: null,
    });
    expect(text).toContain('\n  "session": {');
  });

  it('is not partial for a completed run and leaves the owner out', async () => {
    const text = bodyBuffer(await buildExport('json', makeExportInput())).toString('utf8');
    expect((JSON.parse(text) as JsonExport).partial).toBe(false);
    expect(text).not.toContain('estimator@example.com');
  });
});

describe('markdown export', () => {
  async function exportMarkdown(input: ReturnType<typeof makeExportInput>): Promise<string> {
    return bodyBuffer(await buildExport('md', input)).toString('utf8');
  }

  it('has a title, statistics and a table row for every question', async () => {
    const input = makeExportInput({ sections: 2, questionsPerSection: 3 });
    const markdown = await exportMarkdown(input);
    expect(markdown.startsWith('# Spec analysis: Penhold RFP.pdf\n')).toBe(true);
    expect(markdown).toContain('**Status:** Completed');
    expect(markdown).toContain('| Questions | 6 |');
    expect(markdown).toContain('| Tokens | 123456 |');
    for (const section of input.result.sections) {
      expect(markdown).toContain(`## ${section.section_name} (`);
      for (const answer of section.answers) {
        const row = markdown.split('\n').find((line) => line.startsWith(`| ${answer.question_id} |`));
        expect(row).toContain(answer.answer ?? '*Not found in document*');
      }
    }
  });

  it('shows a PARTIAL banner only for runs that did not complete', async () => {
    expect(await exportMarkdown(makeExportInput({ status: 'partial' }))).toContain(
      '> **PARTIAL RESULT — Stopped by the user',
    );
    expect(await exportMarkdown(makeExportInput())).not.toContain('PARTIAL');
  });

  it('escapes pipes, newlines and HTML so a cell cannot break its table', async () => {
    const input = makeExportInput({ overrides: { S1Q1: { answer: 'a | b\nc <script>alert(1)</script>' } } });
    const row = (await exportMarkdown(input)).split('\n').find((line) => line.startsWith('| S1Q1 |'));
    expect(row).toBeDefined();
    const unescapedPipes = (row ?? '').match(/(?<!\\)\|/g) ?? [];
    expect(unescapedPipes).toHaveLength(6);
    // Markdown's backslash escapes, not HTML entities: no `<` left that could open a tag.
    expect(row).toContain('a \\| b<br>c \\<script>alert(1)\\</script>');
    expect(row).not.toMatch(/(?<!\\)<(?!br>)/);
    expect(row).not.toContain('&lt;');
  });

  it('lists every footnote, variants included, under Footnotes', async () => {
    const input = makeExportInput({ sections: 2, questionsPerSection: 5, variantEvery: 2 });
    const markdown = await exportMarkdown(input);
    const footnotesPart = markdown.slice(markdown.indexOf('## Footnotes'));
    const expected = input.result.sections.flatMap((section) =>
      section.answers.flatMap((answer) => [
        ...(answer.answer && answer.footnote ? [answer.footnote] : []),
        ...answer.variants.flatMap((variant) => (variant.footnote ? [variant.footnote] : [])),
      ]),
    );
    const definitions = footnotesPart.split('\n').filter((line) => /^\[\^\d+\]: /.test(line));
    expect(definitions.map((line) => line.replace(/^\[\^\d+\]: /, ''))).toEqual(expected);
    expect(expected.some((footnote) => footnote.includes('variant clause'))).toBe(true);
  });
});
