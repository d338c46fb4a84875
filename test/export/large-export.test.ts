import { describe, expect, it } from 'vitest';
import { buildExport } from '../../src/export/build-export.js';
import { bodyBuffer, loadWorkbook, requireSheet } from './read-back.js';
import { makeExportInput } from './result-factory.js';

// The time and memory are printed for information only (~1–3 s when idle); the test's timeout is the bound.
const MB = 1024 * 1024;

async function measure<T>(
  run: () => Promise<T>,
): Promise<{ value: T; seconds: number; heapDeltaMb: number; rssDeltaMb: number }> {
  const before = process.memoryUsage();
  const started = performance.now();
  const value = await run();
  const seconds = (performance.now() - started) / 1000;
  const after = process.memoryUsage();
  return {
    value,
    seconds,
    heapDeltaMb: (after.heapUsed - before.heapUsed) / MB,
    rssDeltaMb: (after.rss - before.rss) / MB,
  };
}

describe('a 2,000-question result', () => {
  const input = makeExportInput({ sections: 20, questionsPerSection: 100, unansweredEvery: 4, variantEvery: 7 });
  const variantCount = input.result.sections.reduce(
    (sum, section) => sum + section.answers.reduce((inner, answer) => inner + answer.variants.length, 0),
    0,
  );

  it('exports to xlsx with every row present', async () => {
    const { value: file, ...numbers } = await measure(() => buildExport('xlsx', input));
    const size = bodyBuffer(file).length;
    console.log(
      `xlsx 2,000 questions: ${numbers.seconds.toFixed(2)} s, ${(size / 1024).toFixed(0)} KB, heap Δ ${numbers.heapDeltaMb.toFixed(1)} MB, RSS Δ ${numbers.rssDeltaMb.toFixed(1)} MB`,
    );

    const details = requireSheet(await loadWorkbook(bodyBuffer(file)), 'Detailed Results');
    expect(details.actualRowCount).toBe(1 + 2_000 + variantCount);
    expect(details.getRow(2_001 + variantCount).getCell(3).value).toBe('S20Q100');
  });

  it('exports to csv with one record per question', async () => {
    const { value: file, ...numbers } = await measure(() => buildExport('csv', input));
    const text = bodyBuffer(file).toString('utf8');
    console.log(
      `csv 2,000 questions: ${numbers.seconds.toFixed(2)} s, ${(text.length / 1024).toFixed(0)} KB, heap Δ ${numbers.heapDeltaMb.toFixed(1)} MB, RSS Δ ${numbers.rssDeltaMb.toFixed(1)} MB`,
    );
    // No field in this result holds a line break, so every record is exactly one CRLF-terminated line.
    expect(text.split('\r\n').filter((line) => line.length > 0)).toHaveLength(1 + 2_000);
  });
});
