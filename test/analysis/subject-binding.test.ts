/**
 * Extraction bound to the question's subject and abstention that knows what was asked (issue 13, items 3–4), on
 * generated text.
 */
import { describe, expect, it } from 'vitest';
import {
  holdsAttribute,
  namedInOtherWords,
  readsAsTable,
  tableCell,
  withoutDocumentDates,
} from '../../src/analysis/engines/extractive-engine.js';
import { findPolarity, findQuantities, pickDate } from '../../src/analysis/extract-value.js';
import { askedMeasure, readQuestionIntent } from '../../src/analysis/question-intent.js';
import {
  contrastingQualifier,
  heightByValue,
  isLabelLike,
  missesMeasuredThing,
  missesPurpose,
  namesOpposedSide,
  paragraphBefore,
} from '../../src/analysis/subject-binding.js';
import { tokenize } from '../../src/analysis/tokenize.js';
import { answerOne, createFiller, createLinesPage } from './page-factory.js';

const page = createLinesPage;
const answer = answerOne;

describe('a contrasting qualifier', () => {
  it('is found when the text names the asked head only with another kind', () => {
    expect(
      contrastingQualifier(
        'What is the umbrella liability insurance limit?',
        "Employer's liability insurance with limits of not less than $2,000,000 per accident.",
      ),
    ).toMatchObject({ asked: 'umbre', head: 'liabi', found: 'emplo' });
    expect(
      contrastingQualifier(
        'What are the liquidated damages per day for late final completion?',
        'For each day after Substantial Completion is due, the Contractor pays $900 as liquidated damages.',
      ),
    ).toMatchObject({ asked: 'final', found: 'subst' });
  });

  it('is not found when the text names the asked kind, names the head without a kind, or the context names the kind', () => {
    expect(
      contrastingQualifier(
        'What is the umbrella liability limit?',
        'Umbrella liability: $5,000,000; employer liability: $1,000,000.',
      ),
    ).toBeNull();
    expect(
      contrastingQualifier('What is the umbrella liability limit?', 'The limits of liability are $5,000,000.'),
    ).toBeNull();
    expect(
      contrastingQualifier(
        'What is the minimum liner thickness?',
        'The minimum CIPP wall thickness shall be 9 mm.',
        'Liner design',
      ),
    ).toBeNull();
  });

  it('is not found when the text names the asked kind in other words (a stem, a synonym, a spelled-out phrase)', () => {
    const text =
      'Gizmo Cured-In-Place Pipe Subcontractor Qualifications: the subcontractor installing gizmo liners shall have installation experience of 9,000 feet.';
    const named = (w: string) => namedInOtherWords(w, text, new Set(tokenize(text)));
    expect(contrastingQualifier('How much CIPP experience must the lining subcontractor have?', text)).not.toBeNull();
    expect(
      contrastingQualifier('How much CIPP experience must the lining subcontractor have?', text, '', new Set(), named),
    ).toBeNull();
  });

  it('still finds a contrast against a sibling kind the thesaurus groups with the asked one', () => {
    const text = 'The WBE Subcontractor Participation Requirement for this Gizmo Contract is 12 percent.';
    expect(
      contrastingQualifier('What is the DBE participation goal?', text, '', new Set(), (w) =>
        namedInOtherWords(w, text, new Set(tokenize(text))),
      ),
    ).toMatchObject({ asked: 'dbe', head: 'parti' });
  });

  it('never treats a word naming the kind of value ("limit", "capacity") as a qualifier', () => {
    const ignore = new Set(['capac']);
    expect(
      contrastingQualifier('What capacity septic tank is required?', 'A 2,000 gallon septic tank.', '', ignore),
    ).toBeNull();
  });
});

describe('labels are never answers', () => {
  it('reads a title-case heading without digits and a form of capitalised prompts as labels', () => {
    expect(isLabelLike('C. American Society of Testing and Materials (ASTM) Standards.')).toBe(true);
    expect(isLabelLike('PROJECT NAME: POSITION OR SCOPE OF WORK: TITLE: TELEPHONE:')).toBe(true);
    expect(isLabelLike('10. RECENT WORK SIMILAR IN CHARACTER COMPLETED IN THE PAST 10 YEARS:')).toBe(true);
  });

  it('keeps sentences and table rows with values', () => {
    expect(isLabelLike('A. The Contractor shall submit the bid bond with the bid.')).toBe(false);
    expect(isLabelLike('Flexural Strength ASTM D790 4,500 psi')).toBe(false);
    expect(isLabelLike('Contract will be on a Lump Sum basis.')).toBe(false);
  });

  it('does not quote a heading as the answer to a question about its topic', async () => {
    const pages = [
      page(1, [
        '1.01 SUMMARY',
        `A. ${createFiller(2)}`,
        'B. Gizmo Warranty Provisions and Related Obligations.',
        `C. ${createFiller(1)}`,
      ]),
    ];
    expect((await answer(pages, 'What gizmo warranty provisions apply?')).answer ?? '').not.toMatch(
      /^B\. Gizmo Warranty Provisions/,
    );
  });
});

describe('what the question asks for', () => {
  it('reads a unit named in the question as the only acceptable kind', () => {
    expect(readQuestionIntent('What is the bid bond amount in dollars?', 'string').attribute).toBe('dollars');
    expect(readQuestionIntent('What is the minimum wall thickness in millimetres?', 'string').attribute).toBe('length');
    expect(holdsAttribute('A bid bond of 10 percent of the bid price.', 'dollars')).toBe(false);
    expect(holdsAttribute('A bid bond of $25,000.', 'dollars')).toBe(true);
  });

  it('reads a named date ("the substantial completion date") and a physical measure as attributes', () => {
    expect(readQuestionIntent('What is the required substantial completion date?', 'string').attribute).toBe('date');
    expect(readQuestionIntent('What is the required snow load for the roof?', 'string').attribute).toBe('measure');
    expect(readQuestionIntent('What thickness test standard applies?', 'string').attribute).toBeNull();
    expect(readQuestionIntent('What are the liquidated damages per day?', 'string').attribute).toBe('money');
  });

  it("reads a crew's size as a count, and a staging area as a place rather than a measure", () => {
    expect(readQuestionIntent('Is there a minimum gizmo crew size?', 'number').attribute).toBe('count');
    expect(readQuestionIntent('What is the size of the sprocket?', 'number').attribute).toBe('measure');
    expect(readQuestionIntent('What gizmo staging area requirements exist?', 'string').attribute).toBeNull();
    expect(readQuestionIntent('What is the area of the sprocket yard?', 'string').attribute).toBe('measure');
  });

  it('answers a crew size question from a bare number of workers', async () => {
    const pages = [
      createLinesPage(1, [createFiller(2), 'Minimum gizmo crew size: the Contract requires 6.', createFiller(2, 10)]),
      createLinesPage(2, [createFiller(3, 20)]),
    ];
    const a = await answerOne(pages, 'Are there minimum gizmo crew size requirements?', 'number');
    expect(a.answer, JSON.stringify(a)).not.toBeNull();
    expect(a.pages).toEqual([1]);
  });

  it('reads "post-installation" as the other side of the "pre-installation" event asked', () => {
    const q = 'What pre-installation gizmo inspection requirements exist?';
    expect(namesOpposedSide(q, 'Post-installation gizmo inspection shall be recorded on video.')).toBe(true);
    expect(namesOpposedSide(q, 'Pre-installation and post-installation gizmo inspections are required.')).toBe(false);
    expect(namesOpposedSide(q, 'Gizmo inspection shall prevent damage.')).toBe(false);
    expect(namesOpposedSide('What gizmo inspection is required?', 'Post-installation gizmo inspection.')).toBe(false);
  });

  it('does not answer a pre-installation question from the post-installation sentence', async () => {
    const pages = [
      createLinesPage(1, [
        createFiller(2),
        'Post-installation sprocket inspection requirements shall be subject to the approval of the Engineer.',
        createFiller(2, 10),
      ]),
      createLinesPage(2, [
        createFiller(1, 20),
        'The pre-installation meeting is held at the site office.',
        createFiller(1, 30),
        'Pre-installation submittals are listed in the schedule.',
      ]),
      createLinesPage(3, ['Pre-installation photographs are kept by the Engineer.', createFiller(2, 40)]),
    ];
    const a = await answerOne(pages, 'What pre-installation sprocket inspection requirements exist?');
    expect(a.answer, JSON.stringify(a)).toBeNull();
  });

  it('reads volumes, weights and feet/inch marks as quantities with units', () => {
    expect(findQuantities('a 2,000 US Gallon holding tank')[0]).toMatchObject({ number: 2000, unitClass: 'volume' });
    expect(findQuantities('a 37’ x 32’ shed')[0]).toMatchObject({ number: 37, unitClass: 'length' });
    expect(findQuantities('rated for 40 psf snow')[0]).toMatchObject({ number: 40, unitClass: 'pressure' });
  });
});

describe('abstention that knows what was asked', () => {
  const insurance = [
    page(1, [
      '4.2 INSURANCE',
      "4.2.1 Employer's liability insurance with limits of not less than two million ($2,000,000) dollars for each accident shall be maintained by the Contractor.",
      '4.2.2 Automobile liability insurance covering all owned vehicles with a limit of one million ($1,000,000) dollars for each occurrence.',
      `4.2.3 ${createFiller(2)}`,
    ]),
  ];

  it('abstains on a limit of a kind of insurance the document never names', async () => {
    const a = await answer(insurance, 'What is the umbrella liability insurance limit?');
    expect(a.answer).toBeNull();
    expect(a.confidence).toBeLessThan(0.3);
  });

  it('still answers the kind the document names', async () => {
    expect((await answer(insurance, "What is the employer's liability insurance limit?")).answer).toMatch(/2,000,000/);
  });

  it('abstains on damages for a milestone when the only damages clause covers another', async () => {
    const pages = [
      page(1, [
        '1.3 LIQUIDATED DAMAGES',
        'A. For each calendar day after the date for Substantial Completion that the Work is not substantially complete, the Contractor shall pay the Owner $900 as liquidated damages.',
        `B. ${createFiller(2)}`,
      ]),
    ];
    expect(
      (await answer(pages, 'What are the liquidated damages per day for late final completion?')).answer,
    ).toBeNull();
    expect((await answer(pages, 'What are the liquidated damages per day?')).answer).toMatch(/900/);
  });

  it('abstains on a dollar amount when the document gives only a percentage', async () => {
    const pages = [
      page(1, [
        '2.05 BID SECURITY',
        'A. Each bid shall be accompanied by a bid bond in an amount equal to ten percent (10%) of the total bid price.',
        `B. ${createFiller(2)}`,
      ]),
    ];
    expect((await answer(pages, 'What is the bid bond amount in dollars?')).answer).toBeNull();
    expect((await answer(pages, 'What percentage of the bid price is the bid bond?')).answer).toMatch(/10/);
  });

  it('abstains on a measure the document names without a value', async () => {
    const pages = [
      page(1, [
        '3.1 STRUCTURAL DESIGN',
        'A. The design shall withstand the snow loads and wind loads appropriate for the site location.',
        `B. ${createFiller(2)}`,
      ]),
    ];
    expect((await answer(pages, 'What is the required snow load for the structural design?')).answer).toBeNull();
  });
});

describe('values in their own words', () => {
  it('reads "(10) days", "one hundred percent" and a relative deadline in months', () => {
    expect(findQuantities('within the (10) days after award')[0]).toMatchObject({
      raw: '(10) days',
      number: 10,
      unitClass: 'time',
    });
    expect(findQuantities('each for one hundred percent of the price')[0]).toMatchObject({
      number: 100,
      unitClass: 'percent',
    });
    expect(holdsAttribute('The inspection is performed eleven months after Final Acceptance.', 'date')).toBe(true);
  });

  it('reads "non-mandatory" and "optional" as a no', () => {
    expect(findPolarity('A non-mandatory pre-bid meeting will be held on May 3.')).toBe(false);
    expect(findPolarity('Attendance at the site meeting is optional.')).toBe(false);
  });

  it('tells table cells from a sentence or a numbered list with values', () => {
    expect(
      readsAsTable(
        'Property Standard Minimum: Flexural Strength ASTM D790 4,500 psi Flexural Modulus ASTM D790 300,000 psi',
      ),
    ).toBe(true);
    expect(
      readsAsTable('3. A non-mandatory pre-bid meeting will be held at 10:00 a.m. on April 3, 2031 in Room 210.'),
    ).toBe(false);
    expect(readsAsTable('Each bidder shall submit: 1. the form; 2. a bond of 5%; 3. a list of 4 references.')).toBe(
      false,
    );
  });

  it('reads a text with a relative clause (", which ...") as a sentence, not table cells', () => {
    expect(
      readsAsTable(
        'SUMMARY: The Agency proposes to replace Gizmo Order 2031-02-11, which covers Model 9-1 and 9-2 gizmos',
      ),
    ).toBe(false);
  });

  it('names the measure a property table must name, but not one its unit names', () => {
    expect(askedMeasure('What is the minimum liner thickness?')).toBe('thickness');
    expect(askedMeasure('What is the size of the storage shed?')).toBeNull();
  });

  it('abstains on a property table that never names the asked measure', async () => {
    const pages = [
      page(1, [
        '2.03 The cured liner shall have the following minimum properties:',
        'Flexural Strength ASTM D790 4,500 psi',
        'Flexural Modulus ASTM D790 300,000 psi',
        `2.04 ${createFiller(2)}`,
      ]),
    ];
    expect((await answer(pages, 'What is the minimum liner thickness?')).answer).toBeNull();
    expect((await answer(pages, 'What is the minimum flexural modulus of the liner?')).answer).toMatch(/300,000/);
  });
});

describe('a lead-in brings its list', () => {
  it('answers a question about the whole list with the lead-in and every item', async () => {
    const pages = [
      page(1, [
        '3.1 QUALIFICATIONS',
        'A. The Contractor must demonstrate the following experience:',
        '1. at least three gizmo rehabilitation projects completed in the last ten years; and',
        '2. a superintendent with five years of gizmo plant experience.',
        `3.2 ${createFiller(3)}`,
      ]),
    ];
    const a = await answer(pages, 'What experience must the contractor demonstrate?');
    expect(a.answer).toMatch(/three gizmo rehabilitation projects[\s\S]*five years/);
  });
});

describe('a table whose header is on a line of its own', () => {
  it('answers with the cell of the asked column, a range kept whole', () => {
    const context = 'The gizmo bed shall consist of the following layers: Layer Depth Effective Size';
    expect(tableCell('Quartz 120 mm 0.25 - 0.30 mm', context, 'What is the effective size of the quartz?')).toBe(
      'Quartz 0.25 - 0.30 mm',
    );
    expect(tableCell('Quartz 120 mm 0.25 - 0.30 mm', context, 'What depth of quartz is required?')).toBe(
      'Quartz 120 mm',
    );
    expect(
      tableCell('The Contractor shall place 120 mm of quartz.', context, 'What depth of quartz is required?'),
    ).toBeNull();
  });

  it('reads the header with the row when answering', async () => {
    const pages = [
      page(1, [
        '2.1 The gizmo bed shall consist of the following layers, top to bottom:',
        'Layer Depth Effective Size',
        'Quartz 120 mm 0.25 - 0.30 mm',
        'Basalt 300 mm 0.60 - 0.70 mm',
        `2.2 ${createFiller(2)}`,
      ]),
    ];
    expect((await answer(pages, 'What is the effective size of the basalt?')).answer).toBe('Basalt 0.60 - 0.70 mm');
  });
});

describe('the clause or date of the asked kind', () => {
  it('takes the date whose own words name the asked milestone, not the other milestone of the sentence', () => {
    const text =
      'The Contractor shall achieve Substantial Performance of the Work by May 30, 2031 and Total Performance of the Work by June 30, 2031.';
    expect(pickDate(text, 'When must total performance be achieved?')?.iso).toBe('2031-06-30');
    expect(pickDate(text, 'When must substantial performance be achieved?')?.iso).toBe('2031-05-30');
  });

  it('answers with the clause of a sentence that names the asked milestone', async () => {
    const pages = [
      page(1, [
        '1.02 CONTRACT TIMES',
        'A. The Contractor shall achieve Substantial Completion of the gizmo works within 150 calendar days after the Notice to Proceed, and Final Completion within 180 calendar days after the Notice to Proceed.',
        `B. ${createFiller(2)}`,
      ]),
    ];
    const a = await answer(pages, 'What is the contract time for final completion of the gizmo works?');
    expect(a.answer).toMatch(/180 calendar days/);
    expect(a.answer).not.toMatch(/150/);
  });
});

describe('dates that identify a document', () => {
  it('are not the date of an event of the work', async () => {
    expect(
      holdsAttribute(
        withoutDocumentDates(
          'Actions done before the effective date of this rule using Gizmo Bulletin 31-1860, dated June 12, 2031, are credited.',
        ),
        'date',
      ),
    ).toBe(false);
    const pages = [
      page(1, [
        '(o) Credit for previous actions',
        'This paragraph gives credit for actions done before the effective date of this rule using Gizmo Bulletin 31-1860, dated June 12, 2031.',
        createFiller(2),
      ]),
    ];
    expect((await answer(pages, 'What is the effective date of the rule?')).answer).toBeNull();
  });

  it("still answer a question about the document's own date", async () => {
    const pages = [
      page(1, ['The work follows Gizmo Bulletin 31-1860, dated June 12, 2031, in every respect.', createFiller(2)]),
    ];
    expect((await answer(pages, 'What date is the gizmo bulletin dated?', 'date')).value).toBe('2031-06-12');
  });
});

describe('a value stated for another purpose', () => {
  it('is found when none of the question\'s "for ..." words is in the text or its context', () => {
    const text =
      'Failure to provide sufficient pumps will result in a liquidated damage of $500 per occurrence per calendar day where flooding occurs.';
    expect(missesPurpose('What are the liquidated damages per day for late completion of the lining work?', text)).toBe(
      true,
    );
    expect(missesPurpose('What are the liquidated damages per day for failing to provide pumps?', text)).toBe(false);
    expect(
      missesPurpose('What are the liquidated damages per day for late completion?', text, '1.05 Late completion'),
    ).toBe(false);
    expect(missesPurpose('What are the liquidated damages per day?', text)).toBe(false);
  });

  it("reads the purpose from the earlier sentences of the sentence's lettered paragraph", () => {
    const sentences = [
      { text: 'D. The Vendor shall keep the site clean.' },
      { text: 'E. The Vendor shall provide gizmo bypass of all flows.' },
      { text: 'The pumps shall be sized for the peak flow.' },
      { text: 'The flow height shall not exceed one foot above the crown.' },
    ];
    expect(paragraphBefore(sentences, 3)).toBe(
      'E. The Vendor shall provide gizmo bypass of all flows. The pumps shall be sized for the peak flow.',
    );
    expect(paragraphBefore(sentences, 1)).toBe('');
    expect(paragraphBefore([{ text: 'A heading', heading: true }, ...sentences.slice(2)], 2)).toBe('');
    const q = 'What is the maximum flow height above the crown during bypass?';
    expect(missesPurpose(q, (sentences[3] as { text: string }).text)).toBe(true);
    expect(missesPurpose(q, (sentences[3] as { text: string }).text, paragraphBefore(sentences, 3))).toBe(false);
  });

  it('abstains on damages for one purpose when the only damages clause covers another', async () => {
    const pages = [
      page(1, [
        '3.4 GIZMO PUMPING',
        'C. Failure to provide sufficient gizmo pumps will result in a liquidated damage of $500 per occurrence per calendar day where flooding occurs.',
        createFiller(2),
      ]),
    ];
    expect(
      (await answer(pages, 'What are the liquidated damages per day for late completion of the lining work?')).answer,
    ).toBeNull();
  });
});

describe('a height given by a bare length', () => {
  it('reads a length written right before the asked thing, or with "high", as its height', () => {
    const q = 'What gizmo ceiling height is required?';
    const height = (t: string) => heightByValue('height', q, t, findQuantities(t));
    expect(height('• Steel frame with 28’ ceiling.')).toBe(true);
    expect(height('The gizmo room is 14 ft high.')).toBe(true);
    expect(height('• Steel frame with 28’ span and a ceiling fan.')).toBe(false);
    // Only a height: "12-inch pipe" gives a diameter.
    expect(heightByValue('thickness', 'What pipe thickness?', 'a 12-inch pipe', findQuantities('a 12-inch pipe'))).toBe(
      false,
    );
  });
});

describe('a time unit of a thing', () => {
  it('is missed when the text counts the years of something else', () => {
    const q = 'What is the minimum years of experience required of the gizmo builder?';
    expect(missesMeasuredThing(q, 'Gizmo materials shall have a minimum 40 year life expectancy.')).toBe(true);
    expect(missesMeasuredThing(q, 'The gizmo builder shall have at least 7 years experience.')).toBe(false);
    expect(missesMeasuredThing(q, 'at least 7 years in gizmo building', 'Gizmo Builder Experience')).toBe(false);
  });

  it("compares any form of the thing's words, and leaves a time counted from an event alone", () => {
    expect(
      missesMeasuredThing('How many hours of ASTM X99 testing are required?', 'test per ASTM X99 for 9,000 hours'),
    ).toBe(false);
    expect(
      missesMeasuredThing(
        'Within how many days of notice must the gizmo be delivered?',
        'within 9 days of notification',
      ),
    ).toBe(false);
    expect(missesMeasuredThing('What is the gizmo warranty?', 'two years')).toBe(false);
  });
});
