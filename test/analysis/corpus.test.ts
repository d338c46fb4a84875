/**
 * Quality trial on real documents (../shared/corpus): questions a new user would ask, some answerable, some
 * not. Skips when the corpus is absent (it is not part of the repository).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR, loadQuestionSets, runTrial } from './corpus-trial.js';

const sets = await loadQuestionSets();
const available = sets.filter((s) => existsSync(`${CORPUS_DIR}${s.document}`));

describe.skipIf(available.length === 0)('extractive engine on the real corpus', () => {
  for (const set of available) {
    it(`cites a page holding the answer for at least 3 of 4 answerable questions and abstains on most others: ${set.document}`, async () => {
      const trial = await runTrial(set);
      const summary = JSON.stringify(trial.rows);
      expect(trial.citedRightPage / trial.answerable, summary).toBeGreaterThanOrEqual(0.75);
      expect(trial.abstained / trial.unanswerable, summary).toBeGreaterThan(0.5);
    });
  }
});
