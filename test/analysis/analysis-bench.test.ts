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
    // 0.8 since answers are bound to the question's subject and value kind (issue 13 items 3-4): the generator
    // also plants a length for a duration, a method or a pipe-size question ("Required curing duration shall be
    // 3.2 mm", "Installation method is specified shall be 8.8 mm") and a form reference for a requirement ("shall
    // be in the form included in Appendix C"); the engine now abstains on those (0.847 on the merged engine).
    expect(r.page_accuracy as number).toBeGreaterThanOrEqual(0.8);
    expect(r.abstention_on_unplanted as number).toBeGreaterThanOrEqual(0.7);
  });
});
