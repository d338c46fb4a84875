/** General rules of retrieval and extraction (issue 13), each on generated text rather than a corpus question. */
import { describe, expect, it } from 'vitest';
import {
  countsAskedThing,
  documentSelfReference,
  holdsAttribute,
  missesQualifier,
  sideBySidePairs,
  splitsQuestionPair,
} from '../../src/analysis/engines/extractive-engine.js';
import { pickDate } from '../../src/analysis/extract-value.js';
import { buildOutline } from '../../src/analysis/outline.js';
import { buildPassages } from '../../src/analysis/passages.js';
import { readQuestionIntent } from '../../src/analysis/question-intent.js';
import { buildSearchIndex, retrieve } from '../../src/analysis/retrieval.js';
import { findOwner, findProjectName, titleFactKind } from '../../src/analysis/title-facts.js';
import { analyzeText, tokenize } from '../../src/analysis/tokenize.js';
import { answerOne, createFiller, createLinesPage, createQuestion, createSection } from './page-factory.js';

const page = createLinesPage;
const answer = answerOne;

describe('dates by role', () => {
  const text =
    'Questions must be received no later than March 3, 2031. Sealed bids are due on March 17, 2031 at 2:00 p.m. The pre-bid meeting is held on February 24, 2031.';

  it('takes the bid due date, not the deadline for questions, for a bid question', () => {
    expect(pickDate(text, 'When are bids due?', readQuestionIntent('When are bids due?', 'date').dateRole)?.iso).toBe(
      '2031-03-17',
    );
  });

  it('takes the questions deadline and the meeting date for those questions', () => {
    expect(
      pickDate(
        text,
        'What is the deadline for questions?',
        readQuestionIntent('What is the deadline for questions?', 'date').dateRole,
      )?.iso,
    ).toBe('2031-03-03');
    expect(
      pickDate(
        text,
        'When is the pre-bid meeting?',
        readQuestionIntent('When is the pre-bid meeting?', 'date').dateRole,
      )?.iso,
    ).toBe('2031-02-24');
  });

  it('finds no date when every date plays another role', () => {
    expect(pickDate('Questions are due by May 2, 2031.', 'When are bids due?', 'bid_due')).toBeNull();
  });
});

describe('thesaurus (data)', () => {
  it('reads proposal guarantee as bid security and holdback as retention', () => {
    expect(tokenize('a proposal guarantee of five percent')).toContain('~bid_security');
    expect(tokenize('the holdback')).toEqual(tokenize('retention'));
    expect(analyzeText('time for completion').queryTokens).toContain('~contract_time');
  });
});

describe('retrieval with structure', () => {
  it('finds the article titled with the question topic, and never returns a blank page', () => {
    const pages = [
      page(1, [
        'SECTION 11 11 11',
        'GIZMO WORK',
        '1.01 GENERAL',
        `A. ${createFiller(3)}`,
        '1.02 FLOW DIVERSION OF GIZMOS',
        'A. Provide pumps sized for peak flow and keep a standby pump on site.',
      ]),
      page(2, ['THIS PAGE INTENTIONALLY LEFT BLANK FOR FLOW DIVERSION']),
    ];
    const set = buildPassages(pages);
    const index = buildSearchIndex(set.passages);
    const hits = retrieve(
      index,
      createQuestion('Q', 'What are the flow diversion requirements?'),
      createSection('s', []),
      5,
    );
    expect(hits[0]?.passage.text).toContain('standby pump');
    expect(hits[0]?.passage.headingPath).toContain('1.02 Flow Diversion of Gizmos');
    expect(hits.some((h) => h.passage.pages.includes(2))).toBe(false);
  });
});

describe('values bound to the subject', () => {
  it('flags a question word pair that a table names in different cells', () => {
    const row =
      'Tensile Strength ASTM X1 3,000 psi Flexural Modulus ASTM X2 250,000 psi Flexural Strength ASTM X2 4,500 psi';
    expect(splitsQuestionPair('What is the minimum tensile modulus?', row, new Set(tokenize(row)))).toBe(true);
    expect(splitsQuestionPair('What is the minimum flexural modulus?', row, new Set(tokenize(row)))).toBe(false);
  });

  it('binds only the question pairs written side by side (or joined by "of"), not a verb and its object', () => {
    expect([...sideBySidePairs('What is the professional liability insurance limit?')]).toContain(
      'professional|liability',
    );
    expect([...sideBySidePairs('What is the effective size of the garnet?')]).toContain('siz|garnet');
    expect(sideBySidePairs('To what temperature must the gizmo be cooled before releasing the head?').size).toBe(0);
    expect([...sideBySidePairs('When is the gizmo contract expected to be awarded?')]).not.toContain('expect|award');
    expect(sideBySidePairs('Until when may a proposal be withdrawn or modified?').size).toBe(0);
  });

  it('does not split a pair the question names apart ("models does the AD"), but still a compound split across cells', () => {
    const text = 'This Order applies to Acme Model 9-1 and 9-2 gizmos, certified in any category, per Bulletin 9-31-1.';
    const q = 'Which gizmo models does the order apply to?';
    expect(splitsQuestionPair(q, text, new Set(tokenize(text)))).toBe(false);
    const row =
      'Layer Depth Effective Size Anthracite 450 mm 0.90 - 1.00 mm Sand 300 mm 0.45 - 0.55 mm Gizmo 100 mm 0.25 mm';
    expect(splitsQuestionPair('What is the effective size of the gizmo?', row, new Set(tokenize(row)))).toBe(true);
  });

  it('lets a row miss a verb of the question and a generic qualifier ("new"), not a kind ("professional")', () => {
    const row = 'Award Gizmo-Build Contract September 10, 2031';
    expect(missesQualifier('When is the gizmo-build contract expected to be awarded?', new Set(tokenize(row)))).toBe(
      false,
    );
    const item = '3 72-inch Reinforced Concrete Gizmo Culvert LF 140';
    expect(missesQualifier('What size is the new culvert?', new Set(tokenize(item)))).toBe(false);
    const limit = 'Automobile Liability $1,000,000';
    expect(missesQualifier('What is the professional liability limit?', new Set(tokenize(limit)))).toBe(true);
  });

  it('binds a count to a how-many question when the number counts the asked things, not when it measures', () => {
    const sentence =
      'A Model 9 widget operated by Acme Freight (Acme Freight Run 42) was involved in a collision near Springfield, resulting in 17 injuries.';
    expect(countsAskedThing('How many injuries resulted from the Acme Freight collision?', sentence)).toBe(true);
    expect(
      countsAskedThing('How many crew members were aboard?', 'There were three (3) crew members and 2 pilots.'),
    ).toBe(true);
    expect(countsAskedThing('How many injuries resulted?', 'There were 5 delays.')).toBe(false);
    // "linear feet" is a unit: any length is written so, whatever pipe it measures.
    expect(
      countsAskedThing(
        'How many linear feet of gizmo pipe will be replaced?',
        'at least one thousand (1,000) linear feet of 21-inch widget pipe',
      ),
    ).toBe(false);
  });

  it('answers a how-many question from a sentence counting the things, though it names the subject words apart', async () => {
    const sentence =
      'On May 2, 2031 a Model 9 widget operated by Acme Freight (Acme Freight Run 42) was involved in a collision near Springfield, resulting in 17 injuries.';
    const pages = [
      page(1, [
        'SECTION 33 33 33',
        'WIDGET HISTORY',
        `A. ${createFiller(2)}`,
        `B. ${sentence}`,
        `C. ${createFiller(2)}`,
      ]),
    ];
    const a = await answer(pages, 'How many injuries resulted from the Acme Freight collision?', 'number');
    expect(a.answer).toBe('17');
    expect(a.pages).toEqual([1]);
  });

  it('reads "the docket number of ..." as asking for an identifier, held only by text giving a number', () => {
    expect(readQuestionIntent('What is the docket number of this proposed rule?', 'string').attribute).toBe(
      'identifier',
    );
    expect(readQuestionIntent('What is the number of bidders?', 'number').attribute).toBe('count');
    expect(holdsAttribute('[Docket No. ABC–2031–0042; Product Identifier 2031–XY–001]', 'identifier')).toBe(true);
    expect(holdsAttribute('CONTRACT NUMBER: 31-077', 'identifier')).toBe(true);
    expect(
      holdsAttribute('Since this proposal replaces Rule 2030–12–07, the docket of that rule is closed.', 'identifier'),
    ).toBe(false);
  });

  it('does not answer an identifier question with a sentence that only names the topic and a count', async () => {
    const pages = [
      page(1, [
        'SECTION 44 44 44',
        'GIZMO RULE',
        `A. ${createFiller(2)}`,
        'B. Since this proposed rule replaces 3 gizmo rules of 2030, the docket requirements of those rules would be removed when the final rule is effective.',
        `C. ${createFiller(2)}`,
      ]),
    ];
    const a = await answer(pages, 'What is the docket number of this proposed rule?');
    expect(a.answer).toBeNull();
  });

  it('treats the closing "of this proposed rule" as pointing at the document, not as the topic', async () => {
    expect(documentSelfReference('What is the docket number of this proposed rule?')).toEqual(['propos', 'rul']);
    expect(documentSelfReference('What is the rule for proposed changes?')).toEqual([]);
    const pages = [
      page(1, [
        'GIZMO AGENCY',
        'Gizmo Notices',
        '[Docket No. ABC–2031–0042; Product Identifier 2031–XY–001]',
        'Gizmo Directives; The Widget Company',
        `${createFiller(2)}`,
      ]),
      page(2, [
        'SECTION 44 44 44',
        'GIZMO RULE',
        `A. ${createFiller(2)}`,
        'B. Since this proposed rule replaces Gizmo Directive 2030–12–07, the procedures of that directive would be removed when the final rule is effective.',
        `C. ${createFiller(2)}`,
      ]),
    ];
    const a = await answer(pages, 'What is the docket number of this proposed rule?');
    expect(a.answer).toContain('ABC–2031–0042');
    expect(a.pages).toEqual([1]);
  });

  it('keeps a number after "14 CFR" at a line start in the sentence, rather than reading it as a numbered item', () => {
    const set = buildPassages([
      page(1, [
        'ADDRESSES: You may send gizmo comments, using the procedures found in 14 CFR',
        '11.43 and 11.45, by any of the following methods:',
        '• Fax: 555–493–2251.',
      ]),
    ]);
    expect(set.sentences.map((s) => s.text)).toContain(
      'ADDRESSES: You may send gizmo comments, using the procedures found in 14 CFR 11.43 and 11.45, by any of the following methods:',
    );
  });

  it('keeps a section number broken across lines ("Section 33" / "01 30.") and a lettered appendix in the sentence', () => {
    const set = buildPassages([
      page(1, [
        'Gizmo polishing records shall be as described in Section 44',
        '05 10. The widget crate shall be submitted in the form included in Appendix',
        'C. Record every sprocket on the daily report.',
      ]),
    ]);
    const texts = set.sentences.map((s) => s.text);
    expect(texts).toContain('Gizmo polishing records shall be as described in Section 44 05 10.');
    expect(texts).toContain('The widget crate shall be submitted in the form included in Appendix C.');
  });

  it('ends a sentence at "Appendix C." followed by a capital, though a lone capital is otherwise an initial', () => {
    const set = buildPassages([
      page(1, [
        'Gizmo manuals shall be in the form included in Appendix C. Where the sprocket is damaged, tell J. Doe.',
      ]),
    ]);
    const texts = set.sentences.map((s) => s.text);
    expect(texts).toContain('Gizmo manuals shall be in the form included in Appendix C.');
    expect(texts).toContain('Where the sprocket is damaged, tell J. Doe.');
  });

  it('keeps the number after a line ending in "requires" in the sentence, rather than reading it as a numbered item', () => {
    const set = buildPassages([
      page(1, [
        'Widget samples per gizmo batch: the Contract requires',
        '4. Measurement of the sprocket is included in the bid.',
      ]),
    ]);
    expect(set.sentences.map((s) => s.text)).toContain('Widget samples per gizmo batch: the Contract requires 4.');
  });

  it('reads a bullet with its lead-in: the fax for sending comments is the bullet under "send comments by"', async () => {
    const pages = [
      page(1, [
        'GIZMO NOTICE',
        'ADDRESSES: You may send comments by any of the following methods:',
        '• Portal: Go to the widget portal.',
        'Follow the portal instructions.',
        '• Fax: 555–493–2251.',
        '• Mail: Widget Office, 12 Main Street, Springfield.',
        createFiller(2),
      ]),
      page(2, [
        'FOR FURTHER INFORMATION CONTACT:',
        'Pat Doe, Engineer, Widget Office, 12 Main Street, Springfield; telephone: (555) 329–4059; fax: (555) 329–4090; email: pat@example.com.',
        createFiller(2),
      ]),
    ];
    const a = await answer(pages, 'What is the fax number for sending comments?');
    expect(a.answer).toContain('555–493–2251');
    expect(a.pages).toEqual([1]);
  });

  it('answers a row of a table rather than the lead-in with every row, for a question about one row', async () => {
    const lines = [
      'SECTION 22 22 22',
      'WIDGET INSURANCE',
      'The Vendor shall carry the following insurance with minimum limits:',
      'Widget Liability $3,000,000 each occurrence',
      'Gadget Liability $7,000,000 combined single limit',
      'Sprocket Cover statutory limits',
    ];
    const pages = [{ ...page(1, lines), structure: undefined }];
    const a = await answer(pages, 'What is the gadget liability limit?');
    expect(a.answer).toContain('$7,000,000');
    expect(a.answer).not.toContain('$3,000,000');
  });

  it('abstains when no row names the qualifier the question asks about (another kind of limit)', async () => {
    const lines = [
      'SECTION 22 22 22',
      'WIDGET INSURANCE',
      'The Vendor shall carry the following insurance with minimum limits:',
      'Widget Liability $3,000,000 each occurrence',
      'Gadget Liability $7,000,000 combined single limit',
      'Sprocket Cover statutory limits',
    ];
    const elsewhere = page(2, [
      '1.09 DELIVERIES',
      'A. Doohickey deliveries are made on Mondays between the hours stated by the Town.',
      createFiller(5),
    ]);
    const a = await answer([page(1, lines), elsewhere], 'What is the doohickey liability insurance limit?');
    expect(a.answer).toBeNull();
    expect(a.confidence).toBeLessThan(0.3);
  });

  it('narrows a lead-in and its table to the row the question names', async () => {
    const pages = [
      page(1, [
        '2.04 GIZMO PROPERTIES',
        'A. The cured gizmo shall meet the following minimum values:',
        'Gizmo Hardness ASTM X9 70 psi',
        'Gizmo Stretch Modulus ASTM X8 900 psi',
        createFiller(3),
      ]),
    ];
    const a = await answer(pages, 'What gizmo stretch modulus requirements are specified?');
    expect(a.answer).toContain('900 psi');
    expect(a.answer).not.toContain('70 psi');
  });

  it('takes a design-parameter row that names what the lead-in does not', async () => {
    const pages = [
      page(1, [
        '3.02 GIZMO DESIGN',
        'A. The gizmo wall shall be designed with the following parameters:',
        'Wobble Factor = 2%',
        'Soil Modulus = 1000 psi',
        'Soil Density = 120 pcf',
        createFiller(3),
      ]),
    ];
    const a = await answer(pages, 'What wobble factor is specified for the gizmo design?');
    expect(a.answer).toContain('2%');
    expect(a.answer).not.toContain('1000 psi');
  });

  it('answers with the clause of a row that names the subject when the row gives several amounts', async () => {
    const pages = [
      page(1, [
        '1.04 GIZMO INSURANCE',
        'A. Gizmo Liability insurance: $6,000,000 each occurrence; $9,000,000 aggregate.',
        createFiller(4),
      ]),
    ];
    const a = await answer(pages, 'What is the gizmo liability insurance limit per occurrence?');
    expect(a.answer).toContain('$6,000,000 each occurrence');
    expect(a.answer).not.toContain('$9,000,000');
  });

  it('abstains when the topic is there but the asked attribute is not (a duration nobody states)', async () => {
    const pages = [
      page(1, [
        '1.05 GIZMO WARRANTY',
        'A. The Vendor shall warrant every gizmo against defects in materials and workmanship and repair defects at no cost to the Town.',
        createFiller(4),
      ]),
    ];
    const a = await answer(pages, 'How long is the gizmo warranty period?');
    expect(a.answer).toBeNull();
    expect(a.confidence).toBeLessThan(0.3);
  });

  it('abstains when the question names a size the document does not give', async () => {
    const pages = [
      page(1, ['A. The minimum finished gizmo thickness for 8-inch pipe shall be 6.0 mm.', createFiller(4)]),
    ];
    const a = await answer(pages, 'What is the minimum gizmo thickness for 15-inch pipe?');
    expect(a.answer).toBeNull();
  });

  it('takes a deadline written relative to another date as the asked date', async () => {
    const pages = [
      page(1, [
        '1.07 GIZMO QUESTIONS',
        'A. Bidders shall submit gizmo questions no later than 10 calendar days before the bid opening date.',
        createFiller(4),
      ]),
    ];
    const a = await answer(pages, 'What is the deadline for submitting gizmo questions?');
    expect(a.answer).toContain('10 calendar days before');
  });

  it('cites every place that states the same value, not only the best one', async () => {
    const pages = [
      page(1, ['SUMMARY', 'Gizmo bids are due on April 9, 2031 at the Town Hall.', createFiller(3)]),
      page(2, [createFiller(4, 2)]),
      page(3, [
        '1.02 GIZMO BIDS',
        'A. Gizmo bids are due on April 9, 2031 at the Town Hall office.',
        createFiller(3, 4),
      ]),
    ];
    const a = await answer(pages, 'When are gizmo bids due?', 'date');
    expect(a.value).toBe('2031-04-09');
    expect(a.pages).toEqual([1, 3]);
  });

  it('never answers with a heading line', async () => {
    const pages = [
      page(1, [
        'SECTION 33 33 33',
        'GIZMO PUMPING',
        '3.04 GIZMO PUMPING REQUIREMENTS',
        'A. The Vendor shall pump gizmo flows around each work zone with duplex pumps.',
      ]),
    ];
    const a = await answer(pages, 'What gizmo pumping requirements are specified?');
    expect(a.answer).toContain('duplex pumps');
  });
});

describe('title-page facts', () => {
  const cover = page(1, [
    'TOWNSHIP OF EXAMPLE FALLS',
    'INVITATION TO BID',
    'NORTH BRANCH GIZMO REPLACEMENT',
    'CONTRACT NO. 2031-07',
    'JUNE 2031',
  ]);
  const body = page(2, ['1.01 SUMMARY', `A. ${createFiller(3)}`]);

  it('reads the owner and the project name from the cover', () => {
    const outline = buildOutline([cover, body]);
    expect(findOwner([cover, body], outline)?.answer).toBe('TOWNSHIP OF EXAMPLE FALLS');
    expect(findProjectName([cover, body], outline)?.answer).toBe('NORTH BRANCH GIZMO REPLACEMENT');
  });

  it('prefers a defining phrase ("Owner" means ...) and a (the "Project") phrase', () => {
    const pages = [
      page(1, ['REQUEST FOR PROPOSALS', 'Widgetville Sludge Dryer Upgrade (the "Project")', 'Issued March 2031']),
      page(2, ['"Owner" means the Widgetville Water District.', createFiller(3)]),
    ];
    const outline = buildOutline(pages);
    expect(findOwner(pages, outline)?.answer).toBe('Widgetville Water District');
    expect(findProjectName(pages, outline)?.answer).toBe('Widgetville Sludge Dryer Upgrade');
  });

  it('knows which questions ask for them', () => {
    expect(titleFactKind('Who is the owner?')).toBe('owner');
    expect(titleFactKind('What is the project name and location?')).toBe('project_name');
    expect(titleFactKind("Who is the owner's representative?")).toBeNull();
    expect(titleFactKind('How much may the owner retain?')).toBeNull();
  });
});

describe('thesaurus phrases', () => {
  it('searches a phrase the document never states by the question\'s own words ("bids due" where the text says "Bids are due")', async () => {
    // The thesaurus reads "bids due" as the concept "deadline"; this document words it apart and never says
    // "deadline", "due date" or "closing date", so only the plain words can find it.
    const pages = [
      page(1, ['CITY OF EXAMPLE', 'Sanitary Sewer Rehabilitation Contract No. 2024-17', 'Invitation to Bid.']),
      page(2, [
        'Bids are due on July 15, 2024 at 2:00 PM local time at City Hall.',
        'A bid bond of 5% of the bid amount is required.',
      ]),
      page(3, [
        'The CIPP liner shall be installed in accordance with ASTM F1216.',
        'The minimum liner thickness shall be 6.0 mm.',
      ]),
    ];
    expect(analyzeText('When are bids due?').queryTokens).toEqual(['~deadline']);
    const a = await answer(pages, 'When are bids due?', 'date');
    expect(a.answer).toMatch(/July 15, 2024/);
    expect(a.pages).toEqual([2]);
  });
});
