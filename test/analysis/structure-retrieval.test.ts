/** Structure-aware retrieval rules (issue 13, items 1–2), each on generated text rather than a corpus question. */
import { describe, expect, it } from 'vitest';
import { holdsAttribute } from '../../src/analysis/engines/extractive-engine.js';
import { answerFromFactSheet, findLabelledFields } from '../../src/analysis/fact-sheet.js';
import { buildOutline } from '../../src/analysis/outline.js';
import { buildPassages } from '../../src/analysis/passages.js';
import { buildSearchIndex, proximityScore, retrieve } from '../../src/analysis/retrieval.js';
import { analyzeText } from '../../src/analysis/tokenize.js';
import { buildPageStructure, classifyHeading } from '../../src/ingest/page-structure.js';
import type { IngestedPage } from '../../src/ingest/types.js';
import { answerOne, createFiller, createLinesPage, createQuestion, createSection } from './page-factory.js';

const page = createLinesPage;
const answer = answerOne;

describe('headings and page roles', () => {
  it('reads a CSI section number followed by a title as a heading, and one followed by running words as a reference', () => {
    expect(classifyHeading('SECTION 00 73 16 – INSURANCE')).toMatchObject({
      level: 1,
      number: 'SECTION 00 73 16',
      title: 'INSURANCE',
    });
    expect(classifyHeading('DOCUMENT 00 41 00')).toMatchObject({ level: 1, number: 'DOCUMENT 00 41 00' });
    expect(classifyHeading('Section 00 43 20 for additional instructions.')).toBeNull();
    expect(classifyHeading('Section 01 29 00 shall govern the measurement of quantities')).toBeNull();
  });

  it('does not take a capitalised "LABEL: value" line for a heading', () => {
    expect(classifyHeading('PROJECT TITLE: ELM STREET WATER MAIN RENEWAL')).toBeNull();
    expect(classifyHeading('INSTRUCTIONS TO BIDDERS')).toMatchObject({ level: 3, number: null });
  });

  it('keeps a section path when a wrapped sentence in a later page starts with "Section NN NN NN"', () => {
    const pages = [
      page(1, [
        'SECTION 00 21 13',
        'INSTRUCTIONS TO BIDDERS',
        '1.7 PRE-BID MEETING',
        'A. A pre-bid meeting will be held at the place stated in the notice, and bidders are to refer to',
        'Section 00 43 20 for additional instructions.',
      ]),
      page(2, ['B. Attendance at the meeting is not mandatory for bidders on this contract.']),
    ];
    const outline = buildOutline(pages);
    expect(outline.pages.get(2)?.pathAt[0]).toBe('00 21 13 Instructions to Bidders › 1.7 Pre-Bid Meeting › B.');
  });

  it('reads a priced bid schedule as a bid schedule, not as a table of contents (its rows end in numbers too)', () => {
    const lines = [
      'BID FORM',
      'Item Description Unit Quantity',
      '1 Mobilization LS 1',
      '2 Traffic Control LS 1',
      '3 CIPP Lining, 12-inch Sanitary Sewer LF 2,140',
      '4 CIPP Lining, 15-inch Sanitary Sewer LF 860',
      '5 Reinstate Service Laterals EA 48',
      '6 Manhole Rehabilitation EA 12',
    ];
    expect(buildPageStructure(lines, [], 11).role).toBe('bid_schedule');
    const contents = [
      'TABLE OF CONTENTS',
      '00 11 13 ADVERTISEMENT FOR BIDS 3',
      '00 21 13 INSTRUCTIONS TO BIDDERS 5',
      '00 41 00 BID FORM 11',
      '00 72 00 GENERAL CONDITIONS 15',
      '01 11 00 SUMMARY OF WORK 40',
      '33 01 30 SEWER LINING 52',
    ];
    expect(buildPageStructure(contents, [], 2).role).toBe('toc');
  });

  it('reads a page of empty capitalised fields as a form', () => {
    const lines = [
      'SECTION 00 45 13',
      'BIDDER QUALIFICATIONS',
      'Add sheets as necessary to show the experience required by the Instructions to Bidders.',
      '1. BIDDER NAME:',
      '2. FEDERAL ID NO.: 3. BUSINESS LICENSE NO.:',
      'PROJECT TITLE:',
      'PROJECT DESCRIPTION / SCOPE OF WORK:',
      'CONTRACT AMOUNT: $ CHANGE ORDER AMOUNT: $',
      'NAME OF OWNER REPRESENTATIVE:',
      'TITLE: TELEPHONE:',
      'BUSINESS ADDRESS:',
    ];
    expect(buildPageStructure(lines, [], 40).role).toBe('form');
    // The same labels with their values filled in, in sentences, are a body page.
    const body = [
      'SECTION 00 11 13',
      'ADVERTISEMENT FOR BIDS',
      'Scope of Work: the Work consists of water main renewal on Elm Street and all related work.',
      createFiller(4),
    ];
    expect(buildPageStructure(body, [], 40).role).toBe('body');
  });
});

describe('query understanding', () => {
  it('reads bid-deadline, scope and warranty wordings as one concept each (construction thesaurus)', () => {
    const concept = (text: string) => analyzeText(text).queryTokens.filter((t) => t.startsWith('~'));
    expect(concept('bid submission date')).toEqual(concept('bids due'));
    expect(concept('will receive sealed bids until')).toEqual(concept('bids due'));
    expect(concept('project description')).toEqual(concept('scope of work'));
    expect(concept('correction period')).toEqual(concept('warranty period'));
    expect(concept('notice of award')).toEqual(concept('award of contract'));
    expect(concept('service laterals')).toEqual(concept('side sewers'));
    expect(concept('heating system')).toEqual(concept('heat source'));
  });

  it('searches a question made only of words naming the kind of value ("When are bids due?") by those words at full weight', () => {
    const pages = [
      page(1, [
        'ARTICLE 8 - BID VALIDITY',
        `Bids shall remain firm for sixty days after the bid opening. ${createFiller(4)}`,
      ]),
      page(2, [
        'ARTICLE 2 - RECEIPT OF BIDS',
        `Sealed bids are due at the Town Office no later than 2:00 p.m. local time on June 3, 2031. ${createFiller(3, 2)}`,
      ]),
    ];
    const index = buildSearchIndex(buildPassages(pages).passages);
    const q = createQuestion('Q', 'When are bids due?', 'date');
    expect(retrieve(index, q, createSection('s', [q]), 2)[0]?.passage.pages).toEqual([2]);
  });

  it('scores the question terms found together higher than the same terms scattered', () => {
    // The question's own terms (as the index writes them), weighted like IDFs.
    const weights = new Map(analyzeText('performance, bond, days').tokens.map((t, i) => [t, 2 - i * 0.25] as const));
    expect(weights.size).toBeGreaterThanOrEqual(3);
    const together = analyzeText('The performance bond shall be delivered within ten days of award.').tokens;
    const scattered = analyzeText(
      `The performance of the work is described here. ${createFiller(3)} A bond is named much later in another clause. ${createFiller(2)} Ten days.`,
    ).tokens;
    expect(proximityScore(together, weights)).toBeGreaterThan(proximityScore(scattered, weights));
    expect(proximityScore(analyzeText('A bond only.').tokens, weights)).toBe(0); // one term alone earns nothing here
  });

  it('ranks the clause naming the question words together above passages that scatter them', () => {
    const pages = [
      page(1, [
        `1.1 GENERAL`,
        `The performance of all work is subject to inspection. ${createFiller(6)} Every bond form is provided by the surety. ${createFiller(4, 3)} The bidder keeps records.`,
      ]),
      page(2, [
        `1.2 SECURITY`,
        `The successful bidder shall furnish a performance bond for 100 percent of the contract price. ${createFiller(3, 1)}`,
      ]),
    ];
    const index = buildSearchIndex(buildPassages(pages).passages);
    const q = createQuestion('Q', 'What performance bond is required?');
    const top = retrieve(index, q, createSection('s', [q]), 3);
    expect(top[0]?.passage.pages).toEqual([2]);
  });
});

describe('fact sheets: LABEL: value lines of a project information page or notice', () => {
  const pages = (): IngestedPage[] => [
    page(1, ['CITY OF ELMVALE', 'ELM STREET WATER MAIN RENEWAL', 'CONTRACT DOCUMENTS']),
    page(2, [
      'SECTION 00 01 03',
      'PROJECT INFORMATION',
      'PROJECT TITLE: ELM STREET WATER MAIN RENEWAL AND',
      'HYDRANT REPLACEMENT',
      'BID SUBMISSION DATE: April 9, 2031 until 2:00 PM.',
      'CONTRACT DURATION: 240 consecutive calendar days from the notice to proceed.',
      'PROJECT MANAGER: Dana Whitfield, phone 555-0142.',
      'ISSUED FOR TENDER: MARCH 2031',
    ]),
    ...Array.from({ length: 12 }, (_v, i) =>
      page(3 + i, [
        `SECTION 00 72 00`,
        `${i + 1}.1 GENERAL CONDITIONS ARTICLE ${i + 1}`,
        `The Contractor shall complete the Work within the Contract Time stated in the Agreement, and the time for completion may be extended by change order only. ${createFiller(5, i)}`,
      ]),
    ),
  ];

  it('reads each field with its wrapped value, and answers the question its label names', () => {
    const p = pages();
    const fields = findLabelledFields(p, buildOutline(p));
    expect(fields.find((f) => f.label === 'PROJECT TITLE')?.value).toBe(
      'ELM STREET WATER MAIN RENEWAL AND HYDRANT REPLACEMENT',
    );
    const ask = (text: string, type: 'string' | 'date' | 'number' = 'string') =>
      answerFromFactSheet({ text, expected_type: type }, fields, holdsAttribute);
    expect(ask('What is the contract time?')?.value).toMatch(/^240 consecutive calendar days/);
    expect(ask('When are bids due?', 'date')?.value).toMatch(/^April 9, 2031/);
    expect(ask('Who is the project manager?')?.value).toMatch(/^Dana Whitfield/);
  });

  it('answers nothing from a label that names something else or more than was asked', () => {
    const p = pages();
    const fields = findLabelledFields(p, buildOutline(p));
    const ask = (text: string) => answerFromFactSheet({ text, expected_type: 'string' }, fields, holdsAttribute);
    expect(ask('What is the warranty period?')).toBeNull();
    expect(ask('What is the tender number?')).toBeNull();
    expect(ask('Who is the construction manager for the utility?')).toBeNull();
  });

  it('answers the contract time from the sheet in a document whose general conditions repeat the topic on every page', async () => {
    const a = await answer(pages(), 'What is the contract time?');
    expect(a.answer).toMatch(/240 consecutive calendar days/);
    expect(a.pages).toEqual([2]);
  });

  it('reads no fields from a form page, where labels are blanks to fill in', () => {
    const form = [
      page(1, [
        'BID FORM',
        'CONTRACT DURATION: ______ calendar days',
        'BIDDER NAME:',
        'SIGNATURE:',
        'TITLE:',
        'DATE:',
        'ADDRESS:',
      ]),
    ];
    expect(findLabelledFields(form, buildOutline(form))).toEqual([]);
  });
});
