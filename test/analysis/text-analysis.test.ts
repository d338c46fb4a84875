import { describe, expect, it } from 'vitest';
import { extractValue, findDates, findQuantities, findStandardCodes } from '../../src/analysis/extract-value.js';
import { buildPassages, PASSAGE_MAX_WORDS, sentencesOfPassage } from '../../src/analysis/passages.js';
import { buildSearchIndex, isTocLike, retrieve } from '../../src/analysis/retrieval.js';
import { analyzeText, tokenize } from '../../src/analysis/tokenize.js';
import {
  createDocument,
  createFiller,
  createLinesPage,
  createQuestion,
  createSection,
  HEADER,
} from './page-factory.js';

describe('tokenizer', () => {
  it('keeps standard codes, section numbers, dates and numbers whole', () => {
    const tokens = tokenize('Install per ASTM F1216 and ASTM D-790 (Section 33 01 30) by July 15, 2024: 12,500 LF.');
    expect(tokens).toEqual(expect.arrayContaining(['astm f1216', 'astm d790', '33 01 30', '2024-07-15', '#12500']));
  });

  it('maps construction synonyms to shared concepts for queries', () => {
    expect(analyzeText('What liquidated damages apply?').queryTokens).toContain('~liquidated_damages');
    expect(tokenize('LDs of $500 per day')).toContain('~liquidated_damages');
    expect(tokenize('A bid security of 5% is required')).toContain('~bid_security');
    expect(analyzeText('bid bond').queryTokens).toEqual(['~bid_security']);
    expect(tokenize('The Contractor shall guarantee the work')).toContain(tokenize('warranty')[0]);
  });

  it('drops stop-words and stems lightly', () => {
    expect(tokenize('The inspections of the installed linings')).toEqual(tokenize('inspection install liner'));
    expect(tokenize('during the work')).not.toContain('~contract_time');
  });
});

describe('value extraction', () => {
  it('reads quantities with units, money per day and spelled-out numbers', () => {
    expect(
      findQuantities('a 6.0 mm liner, 12,500 LF, $1,000 per day, two (2) years, 5% retainage').map((q) => q.raw),
    ).toEqual(['6.0 mm', '12,500 LF', '$1,000 per day', 'two (2) years', '5%']);
  });

  it('converts dates in several spellings to ISO', () => {
    expect(findDates('July 15, 2024; 15 July 2024; 2024-07-15; 07/15/2024').map((d) => d.iso)).toEqual([
      '2024-07-15',
      '2024-07-15',
      '2024-07-15',
      '2024-07-15',
    ]);
  });

  it('finds standard codes in display form', () => {
    expect(findStandardCodes('ASTM F1216, ASTM D-790, OSHA 29 CFR 1926.146 and Section 33 01 30')).toEqual([
      'ASTM F1216',
      'ASTM D790',
      '29 CFR 1926.146',
      '33 01 30',
    ]);
  });

  it('pulls typed values for each expected type', () => {
    expect(
      extractValue('The total length is 12,500 LF of 8-inch pipe.', 'number', 'What is the total linear footage?')
        .value,
    ).toBe('12,500 LF');
    expect(extractValue('See clause 4.1 of the contract.', 'number', 'What is the project budget?').typeMatched).toBe(
      false,
    );
    expect(extractValue('Bids are due July 15, 2024.', 'date', 'When are bids due?').value).toBe('2024-07-15');
    expect(extractValue('A pre-bid meeting will not be held.', 'boolean', 'Is there a pre-bid meeting?').value).toBe(
      false,
    );
    expect(extractValue('Bypass pumping is required.', 'boolean', 'Is bypass pumping required?').value).toBe(true);
    expect(
      extractValue('Submit the following: resin data, felt data, and cure logs.', 'list', 'What submittals?').value,
    ).toEqual(['resin data', 'felt data', 'cure logs']);
  });
});

describe('passages', () => {
  const pages = createDocument(4, {
    2: [
      createFiller(3, 1),
      'The liner shall be installed by inversion using water pressure and shall extend from manhole to',
    ],
    3: ['manhole without intermediate joints.', createFiller(12, 2)],
  });

  it('keeps provenance: a sentence over a page break lists both pages and has a span on each', () => {
    const { sentences, passages } = buildPassages(pages);
    const split = sentences.find((s) => s.text.includes('from manhole to manhole'));
    expect(split?.pages).toEqual([2, 3]);
    expect(split?.spans.map((s) => s.page)).toEqual([2, 3]);
    const passage = passages.find((p) => p.id === split?.passageId);
    expect(passage?.pages).toEqual(expect.arrayContaining([2, 3]));
    expect(sentencesOfPassage(passage as never)).toContain(split);
  });

  it('leaves running headers and page numbers out of passage text', () => {
    const { passages } = buildPassages(pages);
    for (const p of passages) {
      expect(p.text).not.toContain(HEADER);
      expect(p.text).not.toMatch(/\bPage \d\b/);
    }
  });

  it('keeps a number written out and its figures in parentheses on the next line in one sentence', () => {
    const { sentences } = buildPassages([
      createLinesPage(1, [
        'An invoice shall be submitted for each month of Work completed. Payment will be made within forty-five',
        '(45) days of receiving a proper invoice. Ten percent of each payment is held back.',
      ]),
    ]);
    expect(sentences.map((s) => s.text)).toContain(
      'Payment will be made within forty-five (45) days of receiving a proper invoice.',
    );
  });

  it('carries a clause over a line that ends in a preposition and a next line that opens with a number', () => {
    const { sentences } = buildPassages([
      createLinesPage(1, [
        '2.01 The Contractor shall reach Substantial Completion of all Work within',
        '90 calendar days after the date when the Contract Times commence to run.',
      ]),
    ]);
    expect(sentences.some((s) => s.text.includes('Work within 90 calendar days'))).toBe(true);
  });

  it('makes a run-in numbered title the heading of its paragraph, never a sentence of it', () => {
    const { sentences } = buildPassages([
      createLinesPage(1, [
        'ARTICLE 4 - PAYMENTS',
        '4.02 Holdback. The Owner will hold back eight percent (8%) of',
        'each progress payment. The holdback is released at Final Completion.',
        '4.03 The Contractor shall submit applications monthly.',
      ]),
    ]);
    const title = sentences.find((s) => s.text === '4.02 Holdback.');
    expect(title?.heading).toBe(true);
    const body = sentences.filter((s) => /eight percent|released/.test(s.text));
    expect(body).toHaveLength(2);
    for (const s of body) expect(s.headingPath).toMatch(/› 4\.02 Holdback$/);
    // The next paragraph of the same level is no longer under the title.
    expect(sentences.find((s) => s.text.startsWith('4.03'))?.headingPath).not.toContain('Holdback');
  });

  it('reads a lettered run-in title as a heading, but not the items of a list of short items', () => {
    const { sentences } = buildPassages([
      createLinesPage(1, [
        'ARTICLE 9 - DISPUTES',
        'A. Notice of Claim. The Contractor shall give notice of a claim within ten days of the event.',
        'B. The Contract Documents are, in order of precedence:',
        '1. Addenda.',
        '2. Supplementary Conditions.',
        '3. Drawings.',
      ]),
    ]);
    expect(sentences.find((s) => s.text === 'A. Notice of Claim.')?.heading).toBe(true);
    expect(sentences.find((s) => s.text.startsWith('The Contractor shall give'))?.headingPath).toMatch(
      /A\. Notice of Claim$/,
    );
    for (const item of ['1. Addenda.', '2. Supplementary Conditions.'])
      expect(sentences.find((s) => s.text === item)?.heading).toBe(false);
  });

  it('never cuts a sentence and stays within the passage size', () => {
    const { passages, sentences } = buildPassages(pages);
    for (const p of passages) expect(p.text.split(/\s+/).length).toBeLessThanOrEqual(PASSAGE_MAX_WORDS + 30);
    expect(passages.map((p) => p.text).join(' ')).toBe(sentences.map((s) => s.text).join(' '));
    expect(new Set(passages.map((p) => p.id)).size).toBe(passages.length);
  });
});

describe('retrieval', () => {
  it('recognises contents lines by dot leaders running to a page number, but not cost tables', () => {
    expect(isTocLike('7.6 Warranty Requirements ........................ 25')).toBe(true);
    expect(isTocLike('1.3 Liner Design Thickness ..........')).toBe(true);
    expect(isTocLike('AFM revisions ........ 1 work-hour × $85 per hour = $85 ...... $0 ...... $85')).toBe(false);
    expect(isTocLike('The liner shall be 6.0 mm thick.')).toBe(false);
  });

  it('ranks the passage that answers above a table of contents and unrelated text', () => {
    const pages = createDocument(8, {
      1: [
        'TABLE OF CONTENTS',
        'Liquidated Damages ...................... 6',
        'Bid Security ........................... 4',
      ],
      4: [
        createFiller(2),
        'Each bid shall be accompanied by a bid bond in the amount of 5% of the total bid price.',
        createFiller(2, 3),
      ],
      6: [createFiller(2), 'LDs will be assessed at $750 per calendar day.', createFiller(3, 2)],
    });
    const { passages } = buildPassages(pages);
    const index = buildSearchIndex(passages);
    const section = createSection('pricing', [], 'Pricing Structure & Payment', 'Bid pricing requirements');
    const ld = retrieve(index, createQuestion('Q1', 'What liquidated damages are specified?', 'number'), section, 3);
    expect(ld[0]?.passage.text).toContain('LDs will be assessed');
    const bond = retrieve(index, createQuestion('Q2', 'What bid security is required?'), section, 3);
    expect(bond[0]?.passage.text).toContain('bid bond');
    expect(retrieve(index, createQuestion('Q3', 'Is a pandemic plan needed?'), createSection('s', []), 3)).toEqual([]);
  });
});
