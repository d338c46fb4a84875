/** A bidder's past-work quantities are not the project's (issue 13, item 3: extraction bound to the subject). */
import { describe, expect, it } from 'vitest';
import { statesQualificationOnly } from '../../src/analysis/past-experience.js';
import { answerOne, createFiller, createLinesPage } from './page-factory.js';

describe('a quantity stated as a qualification requirement', () => {
  it('is recognised by its wording or its article title', () => {
    const asked = 'How many linear feet of storm drain will be relined?';
    expect(
      statesQualificationOnly(
        asked,
        'The installer shall have installed not less than 80,000 linear feet of liner.',
        '',
      ),
    ).toBe(true);
    expect(statesQualificationOnly(asked, 'Successful installation of at least 9,000 feet of 15-inch pipe.', '')).toBe(
      true,
    );
    expect(
      statesQualificationOnly(asked, 'A minimum of 9,000 feet of 15-inch pipe.', '1.04 Bidder Qualifications'),
    ).toBe(true);
    expect(statesQualificationOnly(asked, 'The Work consists of relining 2,600 linear feet of storm drain.', '')).toBe(
      false,
    );
  });

  it('still answers a question about the qualification itself', () => {
    const sentence = 'The installer shall have installed not less than 80,000 linear feet of liner.';
    expect(statesQualificationOnly('How much lining experience must the installer have?', sentence, '')).toBe(false);
    expect(statesQualificationOnly('How many feet must the bidder have installed?', sentence, '')).toBe(false);
  });

  it('does not answer how much work the project holds', async () => {
    const pages = [
      createLinesPage(1, [
        '1.01 SUMMARY',
        `A. The Work consists of rehabilitating sanitary sewers by the cured-in-place method. ${createFiller(2)}`,
        '1.02 QUALIFICATIONS',
        'A. The lining installer shall have successfully installed at least 75,000 linear feet of cured-in-place pipe in pipe rehabilitation work in the last five years.',
        `B. ${createFiller(2, 3)}`,
      ]),
    ];
    const asked = await answerOne(pages, 'How many linear feet of pipe will be rehabilitated?', 'number');
    expect(asked.answer).toBeNull();
    const experience = await answerOne(
      pages,
      'How many linear feet of CIPP must the lining installer have installed?',
      'number',
    );
    expect(experience.answer ?? '').toMatch(/75,000/);
  });
});
