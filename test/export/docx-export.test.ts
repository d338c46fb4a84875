import { describe, expect, it } from 'vitest';
import { buildExport } from '../../src/export/build-export.js';
import { bodyBuffer, readZipEntry, wordText } from './read-back.js';
import { makeExportInput } from './result-factory.js';

async function exportDocx(
  input: ReturnType<typeof makeExportInput>,
): Promise<{ documentXml: string; footnotesXml: string; body: string; notes: string }> {
  const buffer = bodyBuffer(await buildExport('docx', input));
  const documentXml = await readZipEntry(buffer, 'word/document.xml');
  const footnotesXml = await readZipEntry(buffer, 'word/footnotes.xml');
  return { documentXml, footnotesXml, body: wordText(documentXml), notes: wordText(footnotesXml) };
}

describe('docx export', () => {
  it('has a title page with the statistics and a table row for every question', async () => {
    const input = makeExportInput({ sections: 2, questionsPerSection: 4 });
    const { body } = await exportDocx(input);
    expect(body).toContain('Spec Analysis Report');
    expect(body).toContain('Penhold RFP.pdf');
    expect(body).toMatch(/Questions\n8\n/);
    expect(body).toMatch(/Estimated cost\n\$0\.1234\n/);
    for (const section of input.result.sections) {
      expect(body).toContain(section.section_name);
      for (const answer of section.answers) {
        expect(body).toContain(`${answer.question_id}. ${answer.question}`);
        if (answer.answer !== null) expect(body).toContain(answer.answer);
      }
    }
    expect(body).toContain('Not found in document');
  });

  it('puts every quote in a real Word footnote referenced from its answer, variants included', async () => {
    const input = makeExportInput({ sections: 2, questionsPerSection: 5, variantEvery: 2 });
    const { documentXml, notes } = await exportDocx(input);
    const expected = input.result.sections.flatMap((section) =>
      section.answers.flatMap((answer) => [
        ...(answer.answer && answer.footnote ? [answer.footnote] : []),
        ...answer.variants.flatMap((variant) => (variant.footnote ? [variant.footnote] : [])),
      ]),
    );
    expect(expected.some((footnote) => footnote.includes('variant clause'))).toBe(true);
    for (const footnote of expected) expect(notes).toContain(footnote);
    const references = documentXml.match(/<w:footnoteReference w:id="\d+"\/>/g) ?? [];
    expect(references).toHaveLength(expected.length);
  });

  it('shows a PARTIAL banner with the failure reason only for runs that did not complete', async () => {
    expect((await exportDocx(makeExportInput({ status: 'failed', error: 'Disk full' }))).body).toContain(
      'PARTIAL RESULT — Failed: Disk full',
    );
    expect((await exportDocx(makeExportInput({ status: 'queued' }))).body).toContain('PARTIAL RESULT — Queued');
    expect((await exportDocx(makeExportInput())).body).not.toContain('PARTIAL');
  });

  it('escapes markup and drops XML-invalid characters from PDF text', async () => {
    const input = makeExportInput({ overrides: { S1Q1: { answer: '<w:t>6 mm & more</w:t>\u0001' } } });
    const { body, documentXml } = await exportDocx(input);
    expect(body).toContain('<w:t>6 mm & more</w:t>');
    expect(documentXml).not.toContain('\u0001');
  });
});
