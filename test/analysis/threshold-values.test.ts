/** A value that scopes a rule is not the amount the rule requires (issue 13, item 4: abstain on near-misses). */
import { describe, expect, it } from 'vitest';
import { withoutThresholds } from '../../src/analysis/threshold-values.js';
import { answerOne, createFiller, createLinesPage } from './page-factory.js';

describe('a threshold value', () => {
  const asked = 'What is the performance bond amount?';

  it('is blanked out when it scopes a rule', () => {
    const text = 'A bank draft may be used (for contract amounts less than or equal to $40,000) in lieu of a bond.';
    expect(withoutThresholds(text, asked)).not.toMatch(/40,000/);
    expect(withoutThresholds(text, asked)).toHaveLength(text.length);
    expect(withoutThresholds('Bonds are required on contracts exceeding $250,000.', asked)).not.toMatch(/250,000/);
  });

  it('is kept when it is the requirement or the question asks for the limit', () => {
    const requirement = 'The bond shall be in an amount not less than $500,000.';
    expect(withoutThresholds(requirement, asked)).toBe(requirement);
    const text = 'A bank draft may be used (for contract amounts less than or equal to $40,000) in lieu of a bond.';
    expect(withoutThresholds(text, 'What is the maximum contract amount for which a bank draft may be used?')).toBe(
      text,
    );
  });

  it('does not answer a question about the amount itself', async () => {
    const pages = [
      createLinesPage(1, [
        '2.04 PERFORMANCE BOND',
        'A. The performance bond may take the form of a surety bond or an irrevocable letter of credit (for performance bond amounts less than or equal to $40,000) issued by a chartered bank.',
        `B. ${createFiller(2)}`,
      ]),
    ];
    expect((await answerOne(pages, 'What is the performance bond amount in dollars?', 'number')).answer).toBeNull();
    expect(
      (
        await answerOne(
          pages,
          'What is the maximum performance bond amount that may take the form of a letter of credit?',
          'number',
        )
      ).answer ?? '',
    ).toMatch(/40,000/);
  });
});
