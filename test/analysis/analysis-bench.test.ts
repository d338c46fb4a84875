/**
 * Guards the quality side of bench/analysis.bench.ts (500-page synthetic spec, 100 questions, extractive
 * engine). Speed is measured by `npm run bench`, never asserted here: the machine is shared and noisy.
 */
import { describe, expect, it } from 'vitest';
import { runAnalysisBench } from '../../bench/analysis.bench.js';

describe('analysis bench', () => {
  it('cites the planted pages and abstains on unplanted questions on a 500-page spec', async () => {
    const r = await runAnalysisBench();
    expect(r.page_accuracy as number).toBeGreaterThanOrEqual(0.9);
    expect(r.abstention_on_unplanted as number).toBeGreaterThanOrEqual(0.7);
  });
});
