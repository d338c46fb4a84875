/** Another kind of the asked thing elsewhere in the passage does not excuse the sentence's own (issue 13, item 4). */
import { describe, expect, it } from 'vitest';
import { answerOne, createLinesPage } from './page-factory.js';

describe('a sentence stating the value for another kind of the asked thing', () => {
  const pages = [
    createLinesPage(1, [
      'SUPPLEMENTARY CONDITIONS',
      'SC-2 Contract Time. Substantial Performance of the Work shall be achieved by May 29, 2026, and Total Performance of the Work by June 30, 2026.',
      'SC-3 Liquidated Damages. If Substantial Performance is not achieved by the date in SC-2, the Contractor shall pay the Owner $900 for each day of delay.',
    ]),
  ];

  it('does not answer for the kind named only in a neighbouring sentence', async () => {
    const a = await answerOne(
      pages,
      'What liquidated damages per day must the Contractor pay for delay of total performance?',
      'number',
    );
    expect(a.answer).toBeNull();
  });

  it('still answers for its own kind', async () => {
    const a = await answerOne(
      pages,
      'What liquidated damages per day must the Contractor pay for delay of substantial performance?',
      'number',
    );
    expect(a.answer ?? '').toMatch(/900/);
  });
});
