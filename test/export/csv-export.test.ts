import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { buildExport } from '../../src/export/build-export.js';
import { CSV_COLUMNS } from '../../src/export/write-csv.js';
import { bodyBuffer } from './read-back.js';
import { makeExportInput } from './result-factory.js';

type CsvRecord = Record<(typeof CSV_COLUMNS)[number], string>;

async function exportCsv(input: ReturnType<typeof makeExportInput>): Promise<{ raw: Buffer; records: CsvRecord[] }> {
  const raw = bodyBuffer(await buildExport('csv', input));
  // Strict RFC 4180 reading: records end with CRLF only, so a stray bare LF between records would merge them.
  const records = parse(raw, {
    bom: true,
    columns: true,
    record_delimiter: '\r\n',
    relax_quotes: false,
  }) as CsvRecord[];
  return { raw, records };
}

describe('csv export', () => {
  it('starts with a UTF-8 BOM and the header row, and ends every record with CRLF', async () => {
    const { raw } = await exportCsv(makeExportInput());
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = raw.toString('utf8').slice(1);
    expect(text.split('\r\n')[0]).toBe(CSV_COLUMNS.join(','));
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('writes one row per question with the values of the result', async () => {
    const input = makeExportInput({ sections: 3, questionsPerSection: 4 });
    const { records } = await exportCsv(input);
    const rows = input.result.sections.flatMap((section) => section.answers.map((answer) => ({ section, answer })));
    expect(records).toHaveLength(rows.length);
    rows.forEach(({ section, answer }, index) => {
      const record = records[index]!;
      expect(record.section_id).toBe(section.section_id);
      expect(record.section_name).toBe(section.section_name);
      expect(record.question_id).toBe(answer.question_id);
      expect(record.question).toBe(answer.question);
      expect(record.answer).toBe(answer.answer ?? '');
      expect(record.pages).toBe(answer.pages.join(', '));
      expect(record.confidence).toBe(answer.answer === null ? '' : String(answer.confidence));
      expect(record.footnote).toBe(answer.footnote ?? '');
      expect(record.status).toBe(answer.answer === null ? 'Not found' : 'Answered');
      expect(record.run_status).toBe('completed');
    });
  });

  it('round-trips fields with commas, quotes, CR/LF and non-ASCII text', async () => {
    const tricky = 'Liner "Type A", 6.0 mm;\r\nsee §3.2 — Straße\nline three';
    const input = makeExportInput({ overrides: { S1Q1: { answer: tricky, footnote: `"${tricky}" (p. 11)` } } });
    const { records } = await exportCsv(input);
    expect(records[0]?.answer).toBe(tricky);
    expect(records[0]?.footnote).toBe(`"${tricky}" (p. 11)`);
    expect(records).toHaveLength(12);
  });

  it('prefixes formula-like text with a single quote and keeps numbers as numbers', async () => {
    const hostile = ['=1+1', '+SUM(A1)', '-2+3', '@A1', '\tcmd', '\r=1'];
    const input = makeExportInput({
      sections: 1,
      questionsPerSection: hostile.length,
      unansweredEvery: 1000,
      variantEvery: 1000,
      overrides: Object.fromEntries(
        hostile.map((text, index) => [`S1Q${index + 1}`, { answer: text, question: text, confidence: -0.5 }]),
      ),
    });
    input.result.sections[0]!.section_name = '=HYPERLINK("http://evil.example")';
    const { records } = await exportCsv(input);
    hostile.forEach((text, index) => {
      expect(records[index]?.answer).toBe(`'${text}`);
      expect(records[index]?.question).toBe(`'${text}`);
      expect(records[index]?.section_name).toBe(`'=HYPERLINK("http://evil.example")`);
      expect(records[index]?.confidence).toBe('-0.5');
    });
  });

  it('lists variants in the variants column with their pages', async () => {
    const input = makeExportInput({ sections: 1, questionsPerSection: 5, variantEvery: 5, unansweredEvery: 1000 });
    const { records } = await exportCsv(input);
    const variant = input.result.sections[0]!.answers[4]!.variants[0]!;
    expect(records[4]?.variants).toBe(`${variant.answer} (p. ${variant.pages[0]})`);
    expect(records[0]?.variants).toBe('');
  });

  it('marks every row of a partial run in run_status, keeping the same columns', async () => {
    const { records } = await exportCsv(makeExportInput({ status: 'failed', error: 'LLM timed out' }));
    expect(Object.keys(records[0]!)).toEqual([...CSV_COLUMNS]);
    for (const record of records) {
      expect(record.run_status).toMatch(/^PARTIAL RESULT — Failed: LLM timed out/);
    }
  });
});
