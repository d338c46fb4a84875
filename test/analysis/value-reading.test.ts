/** The asked attribute and the values of a sentence or table row (issue 13, reading): generated text only. */
import { describe, expect, it } from 'vitest';
import { holdsAttribute } from '../../src/analysis/engines/extractive-engine.js';
import { findQuantities, isConditionBound, pickQuantity } from '../../src/analysis/extract-value.js';
import { readQuestionIntent } from '../../src/analysis/question-intent.js';
import { isValuesOnlyLine, rowWithLabels } from '../../src/analysis/table-rows.js';
import { answerOne, createFiller, createLinesPage } from './page-factory.js';

const attributeOf = (q: string, type: 'string' | 'number' = 'string') => readQuestionIntent(q, type).attribute;
const units = (text: string) => findQuantities(text).map((q) => [q.raw, q.unitClass]);

describe('the attribute a question asks', () => {
  it('reads "how much" before a thing that is not money as a quantity in any unit', () => {
    expect(attributeOf('How much dewatering experience must the foreman have?')).toBe('quantity');
    expect(attributeOf('How much geotextile must be stockpiled before paving?')).toBe('quantity');
    expect(
      holdsAttribute('The foreman shall have completed at least 12,000 linear feet of wellpoint work.', 'quantity'),
    ).toBe(true);
    expect(holdsAttribute('The foreman shall have completed at least $12,000 of wellpoint work.', 'quantity')).toBe(
      false,
    );
  });

  it('keeps money for "how much" before a fee, a bond or a price', () => {
    expect(attributeOf('How much is the bid bond?')).toBe('money');
    expect(attributeOf('How much liquidated damages per day are charged?')).toBe('money');
    expect(attributeOf('How much product cost is reimbursed?')).toBe('money');
  });

  it('reads "how much may" with no thing named as any amount, a multiple of another amount included', () => {
    expect(attributeOf('How much may the engineer withhold for defects?')).toBe('amount');
    expect(holdsAttribute('The Engineer may withhold up to 3 times the value of the defective work.', 'amount')).toBe(
      true,
    );
    expect(holdsAttribute('The aggregate limit shall be two times the occurrence limit.', 'money')).toBe(false);
  });

  it('reads a weighting or score as a percentage or points, whatever the criterion', () => {
    expect(attributeOf('What is the weighting of the price proposal?', 'number')).toBe('weighting');
    expect(attributeOf('What weighting does the safety record carry?', 'number')).toBe('weighting');
    expect(holdsAttribute('Price Proposal C 40', 'weighting')).toBe(true);
    expect(holdsAttribute('Price Proposal C 40%', 'weighting')).toBe(true);
    expect(holdsAttribute('Price Proposal C $400,000', 'weighting')).toBe(false);
  });
});

describe('a value bounding a condition set aside in parentheses', () => {
  const text =
    'Bid security may be a surety bond or a cashier check (for bid security amounts less than or equal to $25,000).';

  it('is no amount the sentence requires, unless the question asks a bound', () => {
    expect(isConditionBound(text, text.indexOf('$25,000'))).toBe(true);
    expect(holdsAttribute(text, 'dollars', false)).toBe(false);
    expect(holdsAttribute(text, 'dollars', true)).toBe(true);
  });

  it('keeps a minimum the rule itself sets', () => {
    const limit = 'Provide coverage (for each occurrence not less than $2,000,000).';
    expect(isConditionBound(limit, limit.indexOf('$2,000,000'))).toBe(false);
  });

  it('reads "how soon" as a duration', () => {
    expect(attributeOf('How soon after approval will the engineer respond?')).toBe('duration');
  });
});

describe('the hours of the day work may go on', () => {
  it('reads "working hours" as a time-of-day range, "how many hours" as a count', () => {
    expect(attributeOf('What are the permitted construction hours?')).toBe('hours');
    expect(attributeOf('How many working hours are in a shift?')).not.toBe('hours');
    expect(holdsAttribute('Work is permitted between 8:00 a.m. and 6:00 p.m. on weekdays.', 'hours')).toBe(true);
    expect(holdsAttribute('Apprentices shall perform 20% of the Project Work Hours.', 'hours')).toBe(false);
  });
});

describe('values a sentence states', () => {
  it('reads the unit column of a schedule before its quantity', () => {
    expect(units('5 Manhole Rehabilitation, 48-inch VF 212')).toEqual([
      ['5', null],
      ['48-inch', 'length'],
      ['212', null],
    ]);
    expect(units('5 CIPP Lining, 18-inch Sanitary Sewer LF 2,340')).toEqual([
      ['5', null],
      ['18-inch', 'length'],
      ['2,340', 'length'],
    ]);
    expect(
      pickQuantity('5 CIPP Lining, 18-inch Sanitary Sewer LF 2,340', 'How many linear feet of 18-inch sewer?')?.raw,
    ).toBe('2,340');
  });

  it('reads stacked duration qualifiers with their unit', () => {
    expect(units('Closeout shall end within 45 consecutive calendar days after acceptance.')).toEqual([
      ['45 consecutive calendar days', 'time'],
    ]);
  });

  it('reads a file size as a measure', () => {
    expect(units('Submit one PDF file (not over 25 MB in size).')).toEqual([['25 MB', 'other']]);
  });

  it('reads a degree sign extracted as the letter o as a temperature', () => {
    expect(units('Heat the resin to 180oF before curing.')).toEqual([['180°F', 'temperature']]);
    expect(units('Provide 180 of the units.')).toEqual([['180', null]]);
  });

  it('reads a multiple of a named amount, not a count of repetitions', () => {
    expect(units('withhold 1.5 times the cost of the repair')).toEqual([['1.5 times', 'ratio']]);
    expect(units('inspected three times per shift')).toEqual([]);
  });

  it('reads a window of days without a year as a date', () => {
    expect(holdsAttribute('Blasting is permitted only from April 1 to October 15.', 'date')).toBe(true);
    expect(holdsAttribute('Blasting is permitted only on weekdays.', 'date')).toBe(false);
  });

  it('does not take the number of a section, table or page a sentence points to as a value', () => {
    expect(units('Coupons shall be cut as described in Sections 4 and 5 of the test method.')).toEqual([]);
    expect(units('Submit 3 copies of the log, as listed in Table 2.')).toEqual([['3 copies', 'count']]);
  });

  it('does not take the number of an item code as a value', () => {
    expect(units('ST-14 WITH FUSED JOINTS 310 LF')).toEqual([['310 LF', 'length']]);
  });

  it('does not answer with the value the question itself names', () => {
    expect(pickQuantity('LINE EXISTING 24-INCH PIPE ST-3 410 LF', 'How many linear feet of 24-inch pipe?')?.raw).toBe(
      '410 LF',
    );
  });
});

describe('a table row whose cells wrap over several lines', () => {
  const line = (text: string, tableRow = false) => ({ text, pages: [1], tableRow });

  it('tells a line of values from a label', () => {
    expect(isValuesOnlyLine('C 40')).toBe(true);
    expect(isValuesOnlyLine('ST-2 --- AL --- $ 20,000.00')).toBe(true);
    expect(isValuesOnlyLine('Price Proposal')).toBe(false);
  });

  it('reads a values line with the label line above it', () => {
    const rows = [line('Proposals will be favored over others with less.'), line('Price Proposal'), line('C 40')];
    expect(rowWithLabels(rows, 2)?.text).toBe('Price Proposal C 40');
  });

  it('splits the wrapped lines between two rows at the middle, never inside a phrase', () => {
    const rows = [
      line('ST-1 --- LS --- $ ____', true),
      line('PAVEMENT MARKINGS'),
      line('ALLOWANCE FOR'),
      line('TREE'),
      line('ST-2 --- AL --- $ 20,000.00', true),
      line('PROTECTION AND'),
      line('RELATED COSTS'),
      line('TRAFFIC CONTROL FOR'),
      line('ST-3 --- LS --- $ ____', true),
    ];
    expect(rowWithLabels(rows, 4)?.text).toBe(
      'ALLOWANCE FOR TREE ST-2 --- AL --- $ 20,000.00 PROTECTION AND RELATED COSTS',
    );
  });

  it('reads a wrapped label line with the row it belongs to', () => {
    const rows = [
      line('ST-1 --- LS --- $ ____', true),
      line('WRAPPED IN'),
      line('GEOTEXTILE'),
      line('24-INCH PIPE ON'),
      line('GRAVEL BEDDING'),
      line('ST-2 410 LF $ ____', true),
      line('WRAPPED IN'),
      line('GEOTEXTILE'),
    ];
    expect(rowWithLabels(rows, 3)?.text).toBe(
      '24-INCH PIPE ON GRAVEL BEDDING ST-2 410 LF $ ____ WRAPPED IN GEOTEXTILE',
    );
    expect(rowWithLabels(rows, 1)?.text).toBe('ST-1 --- LS --- $ ____ WRAPPED IN GEOTEXTILE');
  });

  it('answers with the clause of a wrapped sentence that names the asked limit', async () => {
    const pages = [
      createLinesPage(1, [
        '1.2 CONTRACTOR LIABILITY INSURANCE',
        `A. ${createFiller(2)}`,
        '2. Umbrella Liability insurance with limits not less than $5,000,000 each',
        'occurrence, and $10,000,000 general aggregate, for the term of the Contract.',
        `B. ${createFiller(3, 2)}`,
      ]),
    ];
    const a = await answerOne(pages, 'What is the general aggregate limit of the insurance?');
    expect(a.answer ?? '').toMatch(/10,000,000/);
    expect(a.answer ?? '').not.toMatch(/5,000,000 each/);
  });

  it('answers from the row a question names through its wrapped label', async () => {
    const pages = [
      createLinesPage(1, [
        '5.1 Evaluation',
        `5.1.1 ${createFiller(2)}`,
        'Proposals will be evaluated against the following criteria, with the following weightings:',
        'Item Criteria Weighting',
        'Staff Qualifications',
        'A 25',
        'Teams with more relevant experience will be favored over those with less.',
        'Price Proposal',
        'C 40',
        'Proponents with lower prices will be favored over proponents with higher prices.',
        `5.1.2 ${createFiller(3, 2)}`,
      ]),
    ];
    const a = await answerOne(pages, 'What is the weighting of the price proposal?', 'number');
    expect(a.answer ?? '').toMatch(/^(C )?40$/);
  });
});
