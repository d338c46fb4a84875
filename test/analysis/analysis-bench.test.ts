/**
 * Guards the quality side of bench/analysis.bench.ts (500-page synthetic spec, 100 questions, extractive
 * engine). Speed is measured by `npm run bench`, never asserted here: the machine is shared and noisy.
 */
import { describe, expect, it } from 'vitest';
import { runAnalysisBench } from '../../bench/analysis.bench.js';

describe('analysis bench', () => {
  it('cites the planted pages and abstains on unplanted questions on a 500-page spec', async () => {
    const r = await runAnalysisBench();
    // 0.85, not 0.9 (issue 13): the generator plants some sentences that name the topic but not the asked
    // value ("Total project duration or timeline shall be by the Contractor at no extra cost", "Required curing
    // duration shall be 3.2 mm"); the engine now abstains on such near misses, and answers the project name
    // from the running header instead of a planted "as described in Section 33 01 30".
    expect(r.page_accuracy as number).toBeGreaterThanOrEqual(0.85);
    expect(r.abstention_on_unplanted as number).toBeGreaterThanOrEqual(0.7);
  });
});
