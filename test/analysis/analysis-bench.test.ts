/** Guards the targets of bench/analysis.bench.ts (500-page synthetic spec, 100 questions, extractive engine). */
import { describe, expect, it } from 'vitest';
import { runAnalysisBench } from '../../bench/analysis.bench.js';

describe('analysis bench', () => {
  it('answers the 100-question config on a 500-page spec within 15 s, citing planted pages and abstaining on unplanted questions', async () => {
    const r = await runAnalysisBench();
    expect(r.seconds as number).toBeLessThanOrEqual(15);
    expect(r.page_accuracy as number).toBeGreaterThanOrEqual(0.9);
    expect(r.abstention_on_unplanted as number).toBeGreaterThanOrEqual(0.7);
  });
});
