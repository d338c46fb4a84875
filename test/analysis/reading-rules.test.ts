/** Reading rules of the offline engine (issue 13, item 3) on generated text: values cut by sentence splits. */
import { describe, expect, it } from 'vitest';
import { findDates, inCondition, pickQuantity } from '../../src/analysis/extract-value.js';
import { clauseForQualifier } from '../../src/analysis/qualified-values.js';
import { continuesTimeOfDay, joinTimeContinuation } from '../../src/analysis/time-continuation.js';
import { askedLimits, statedLimitTokens } from '../../src/analysis/value-limits.js';
import { articleTitleOf, holdsAttribute } from '../../src/analysis/engines/extractive-engine.js';
import { answerOne, createFiller, createLinesPage } from './page-factory.js';

describe('a time of day cut from its clause at a sentence split', () => {
  it('recognises a clause that goes on after a time ending in a.m. or p.m.', () => {
    expect(
      continuesTimeOfDay('Tenders shall be delivered on or before 3:30 p.m.', '(Pacific Time) on May 4, 2027.'),
    ).toBe(true);
    expect(continuesTimeOfDay('The office opens at 8 a.m.', 'local time, Monday to Friday.')).toBe(true);
    expect(continuesTimeOfDay('The office opens at 8 a.m.', 'The Engineer may issue field directives.')).toBe(false);
    expect(continuesTimeOfDay('Tenders are due on May 4.', '(Pacific Time) applies.')).toBe(false);
  });

  it('joins the two sentences, their pages and their spans', () => {
    const joined = joinTimeContinuation(
      { text: 'Tenders close at 11:00 a.m.', pages: [3], spans: ['a'] },
      { text: '(local time) on June 9, 2027.', pages: [4], spans: ['b'] },
    );
    expect(joined).toEqual({
      text: 'Tenders close at 11:00 a.m. (local time) on June 9, 2027.',
      pages: [3, 4],
      spans: ['a', 'b'],
    });
    expect(joinTimeContinuation(undefined, { text: '(local time) on June 9.', pages: [4] })).toBeUndefined();
  });

  it('answers a time question with the time, not with the clause after the cut', async () => {
    const pages = [
      createLinesPage(1, [
        '2.1 Delivery of Tenders',
        `2.1.1 ${createFiller(2)}`,
        '2.1.2 Bidders shall deliver their Tender in a sealed envelope marked with the contract name on or before 3:30:00 p.m. (Pacific',
        'Daylight Time) on May 4, 2027, (the "Closing Time") to:',
        'Township of Alder Creek',
        '2.2 Site Access',
        `2.2.1 ${createFiller(3, 2)}`,
      ]),
    ];
    const a = await answerOne(pages, 'What time do tenders close?');
    expect(a.answer ?? '').toMatch(/3:30:00 p\.m\./);
  });
});

describe('values each stated for something', () => {
  const sentence =
    'The pumps shall be sized for a peak flow of 120 L/s for the north station and no less than 85 L/s for the harbour station.';

  it('answers with the clause whose purpose names the question subject', () => {
    expect(clauseForQualifier(sentence, 'What peak flow must the harbour station pumps handle?')).toBe(
      'no less than 85 L/s for the harbour station',
    );
    expect(clauseForQualifier(sentence, 'What peak flow is required for the north station?')).toMatch(
      /120 L\/s for the north station$/,
    );
  });

  it('keeps the sentence when no purpose, or every purpose, matches the question', () => {
    expect(clauseForQualifier(sentence, 'What peak flow must the pumps handle?')).toBeNull();
    expect(
      clauseForQualifier('The liner shall be 6 mm thick for all pipes.', 'How thick is the liner for all pipes?'),
    ).toBeNull();
  });

  it('answers a string question with the asked clause through the engine', async () => {
    const pages = [
      createLinesPage(1, [
        '3.4 Hydraulic Design',
        `A. ${createFiller(2)}`,
        `B. ${sentence}`,
        `C. ${createFiller(2, 3)}`,
      ]),
    ];
    const a = await answerOne(pages, 'What peak flow must the harbour station pumps handle?');
    expect(a.answer).toMatch(/85 L\/s/);
    expect(a.answer).not.toMatch(/120/);
  });
});

describe('an article titled with the whole question', () => {
  const pages = [
    createLinesPage(1, [
      'DOCUMENT 00 52 13 - AGREEMENT FORM',
      'ARTICLE 6 - CONTRACT TIME',
      '6.01 The Builder shall achieve completion of all Work within',
      '95 calendar days after the date of the Notice to Proceed.',
      'ARTICLE 7 - DELAYS',
      '7.01 Delays beyond the Contract Time shall be reported to the Engineer in writing.',
      `7.02 ${createFiller(2)}`,
    ]),
  ];

  it('names what its sentences state, though they repeat none of the question words', async () => {
    expect((await answerOne(pages, 'What is the contract time?')).answer).toMatch(/95 calendar days/);
  });

  it('does not stand in for an attribute its sentences do not hold', async () => {
    const a = await answerOne(pages, 'What is the contract time extension fee?');
    expect(a.answer ?? '').not.toMatch(/95 calendar days/);
  });
});

describe('a date written with a space before its comma', () => {
  it('reads "September 12 , 2025" as a date', () => {
    expect(findDates('Closing Date: September 12 , 2025 Closing Time: 15:00:00')).toEqual([
      { raw: 'September 12 , 2025', iso: '2025-09-12', index: 14 },
    ]);
  });
});

describe('a value inside a condition clause', () => {
  const sentence = 'The Authority will hold back 7% of each invoice until the building is 60% complete.';

  it('is not the value the sentence states', () => {
    expect(inCondition(sentence, sentence.indexOf('60%'))).toBe(true);
    expect(inCondition(sentence, sentence.indexOf('7%'))).toBe(false);
    expect(pickQuantity(sentence, 'What percentage is held back from each invoice?')?.raw).toBe('7%');
  });

  it('answers a question about the condition itself', () => {
    expect(pickQuantity(sentence, 'Until what percentage complete is holdback withheld?')?.raw).toBe('60%');
  });
});

describe('a limit word of the question stated the way specs state limits', () => {
  it('finds the limit a sentence states without the word', () => {
    expect(statedLimitTokens('The submittal shall not be more than twenty (20) sheets.')).toContain('^maximum');
    expect(statedLimitTokens('Provide at least two (2) spare pumps.')).toContain('^minimum');
    expect(statedLimitTokens('An optional walk-through will be held on May 3.')).toContain('^mandatory');
    expect(statedLimitTokens('The Engineer may issue field directives.')).not.toContain('^maximum');
    expect(statedLimitTokens('Upload one file (under 20 MB).')).toContain('^maximum');
    expect(statedLimitTokens('The rate shall be not less than 2 gpm.')).not.toContain('^maximum');
    expect(statedLimitTokens('Invoices are submitted once each month.')).toContain('^frequency');
    expect(statedLimitTokens('Sweep the street every 3 days.')).toContain('^frequency');
    expect(statedLimitTokens('Inquiries shall be emailed to the Purchasing Agent.')).toContain('^sent');
    expect(askedLimits('Who should inquiries be directed to?').map((l) => l.token)).toEqual(['^sent']);
  });

  it('answers "how often" with the sentence that states a frequency', async () => {
    const pages = [
      createLinesPage(1, [
        'ARTICLE 6 - PAYMENT',
        '6.02 Progress Payments. The Builder shall submit a payment application once each month for Work done.',
        '6.03 Final Payment. Final payment will be made upon acceptance of the Work by the Owner.',
        createFiller(4, 2),
      ]),
    ];
    const a = await answerOne(pages, 'How often are progress payments made?');
    expect(a.answer).toMatch(/once each month/);
  });

  it('does not answer "how often" from a sentence stating the frequency of something else', async () => {
    const pages = [
      createLinesPage(1, [
        createFiller(2),
        'Record every damaged sprocket on the daily field report submitted to the Engineer.',
        createFiller(2, 10),
      ]),
      createLinesPage(2, [createFiller(1, 20), 'Payments for sprockets are made by cheque.', createFiller(1, 30)]),
      createLinesPage(3, [createFiller(1, 40), 'No payment is made for rejected work.', createFiller(1, 50)]),
    ];
    const a = await answerOne(pages, 'How frequently will payments be made?');
    expect(a.answer, JSON.stringify(a)).toBeNull();
  });

  it('reads "allowed" as a limit only when said of the subject, not in "maximum allowable"', () => {
    expect(askedLimits('Which pipe materials are permitted?').map((l) => l.token)).toEqual(['^allowed']);
    expect(askedLimits('What is the maximum allowable deflection?').map((l) => l.token)).toEqual(['^maximum']);
  });

  const pages = [
    createLinesPage(1, [
      'SECTION 4 - SUBMISSION FORMAT',
      `${createFiller(2)} The length of the technical submission shall not be more than twelve (12) sheets.`,
      `${createFiller(2, 3)} A pre-tender walk-through of the plant is optional and will be held on May 3, 2027.`,
      createFiller(3, 5),
    ]),
  ];

  it('answers "is it mandatory?" with the sentence calling it optional', async () => {
    const a = await answerOne(pages, 'Is the walk-through mandatory?', 'boolean');
    expect(a.answer).not.toBeNull();
    expect(a.quotes?.[0]?.text ?? a.answer).toMatch(/optional/);
  });
});

describe('a descriptive question and the article titled with its topic', () => {
  const pages = [
    createLinesPage(1, [
      'SECTION 33 01 30 - SEWER LINING',
      '3.3 SITE SAFETY',
      'A. The Contractor shall provide all safety equipment including gas-monitoring devices to detect toxic gases.',
      `B. ${createFiller(2)}`,
      '3.7 LINER CURING',
      'A. After inversion, the Contractor shall supply a heat source and water recirculation equipment.',
      'B. The heat source shall be fitted with suitable monitors to gauge the temperature of the circulating water.',
      '3.8 HANDLING AND DISPOSAL OF WATER',
      'A. The Contractor shall dispose of water from all sources and keep the excavations dry at all times.',
      '3.9 TELEVISION INSPECTION',
      'A. Closed circuit television inspection of the sewers shall be performed by trained operators.',
    ]),
  ];

  it('answers from the article whose title names the topic, not from a sentence sharing its generic words', async () => {
    const a = await answerOne(pages, 'Are there specific requirements for monitoring equipment during curing?');
    expect(a.answer).toMatch(/suitable monitors/);
  });

  it('reads discharge as disposal and does not let a verb "supply" answer for a water supply', async () => {
    const a = await answerOne(pages, 'What water supply or discharge requirements are specified?');
    expect(a.answer).toMatch(/dispose of water/);
  });

  it('weighs "equipment" after a topic word as little as "requirements"', async () => {
    const a = await answerOne(pages, 'Are there specific camera or inspection equipment requirements?');
    expect(a.answer).toMatch(/Closed circuit television/);
  });
});

describe('an article title and a sentence that names nothing of the question', () => {
  const pages = [
    createLinesPage(1, [
      'SECTION 33 01 30 - SEWER LINING',
      '3.3 HANDLING OF SEWAGE',
      'A. Bypass pumping shall be sized for the peak flow, with backup pumps kept on site at all times.',
      '3.4 FLOW DIVERSION',
      'A. Excavated pits shall be covered temporarily with steel plating until the connection is reinstated.',
    ]),
  ];

  it('is not confirmed by the title alone', async () => {
    const a = await answerOne(pages, 'What bypass pumping requirements are specified?');
    expect(a.answer).toMatch(/sized for the peak flow/);
  });
});

describe('the title of the article a sentence sits in', () => {
  it('is the deepest heading with words beyond its numbering, below the section title', () => {
    expect(articleTitleOf('33 01 30.73 Cured-In-Place Liner Pipe › PART 3 Execution › 3.7 Liner Curing › B.')).toBe(
      'Liner Curing',
    );
    expect(articleTitleOf('Section 01 › 1.5 Submittals › C. Record Drawings')).toBe('Record Drawings');
    expect(articleTitleOf('33 01 30.73 Cured-In-Place Liner Pipe')).toBe('');
  });
});

describe('the when of a recurring or period-bound event', () => {
  it('is a day of every month or the end of a stated period', () => {
    expect(
      holdsAttribute('Applications shall reach the Engineer on or before the fifth (5th) day of each month.', 'date'),
    ).toBe(true);
    expect(holdsAttribute('Invoices are due by the 25th of the month.', 'date')).toBe(true);
    expect(
      holdsAttribute('The Owner will inspect prior to expiration of the two year maintenance period.', 'date'),
    ).toBe(true);
    expect(
      holdsAttribute('Proposals may be withdrawn up to thirty (30) minutes before the closing time.', 'date'),
    ).toBe(true);
    expect(holdsAttribute('Applications shall be complete and signed by the Contractor.', 'date')).toBe(false);
  });

  it('answers when a monthly application is due', async () => {
    const pages = [
      createLinesPage(1, [
        '5.2 APPLICATIONS FOR PAYMENT',
        'A. The Contractor shall submit each application for progress payment to the Engineer on or before the fifth (5th) day of each month for work done in the previous month.',
        `B. ${createFiller(2)}`,
      ]),
    ];
    const a = await answerOne(pages, 'By what day of the month is the progress payment application due?');
    expect(a.answer ?? '').toMatch(/fifth \(5th\) day of each month/);
  });
});
