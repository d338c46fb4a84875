/** A sentence sending the reader to another section states nothing itself: the place it points to answers. */
import { describe, expect, it } from 'vitest';
import { isCrossReference } from '../../src/analysis/passages.js';
import { answerOne, createFiller, createLinesPage } from './page-factory.js';

describe('cross-references', () => {
  it('reads pointers to a section, article or paragraph of the document as cross-references', () => {
    expect(isCrossReference('b. Name as loss payee the parties as specified in Section 00 74 10, Article 4.')).toBe(
      true,
    );
    expect(isCrossReference('Refer to Paragraph 3.2 for the testing of joints.')).toBe(true);
    expect(
      isCrossReference(
        'A. Article 12 of the General Conditions (Section 00 72 00) sets forth the requirements as to surety bonds.',
      ),
    ).toBe(true);
  });

  it('does not read a requirement citing a law, or citing no place, as a cross-reference', () => {
    expect(
      isCrossReference(
        'Obtain a permit for work between 9:00 PM and 6:00 AM, as specified in Section 310 of the Municipal Code.',
      ),
    ).toBe(false);
    expect(isCrossReference('The liner shall be tested in accordance with ASTM D790 on field samples.')).toBe(false);
  });

  it('answers from the article that names the loss payees, not from the pointer to it', async () => {
    const pages = [
      createLinesPage(1, [
        '2.1 PROPERTY INSURANCE',
        'A. Name as loss payee on the builders risk policy the parties as specified in Section 00 74 10, Article 4.',
        createFiller(4),
      ]),
      createLinesPage(2, [createFiller(5, 10)]),
      createLinesPage(3, [
        '4. INSURANCE FOR OTHERS',
        'A. The builders risk policy shall name the Harbor Authority, its commissioners, officers and agents as loss payee.',
        createFiller(3, 20),
      ]),
    ];
    const a = await answerOne(pages, 'Who must be named as loss payee?');
    expect(a.answer, JSON.stringify(a)).not.toBeNull();
    expect(a.pages).toEqual([3]);
  });
});
