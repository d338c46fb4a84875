/** A topic named only as one item of a long enumeration (a scope-of-work sentence) is mentioned in passing. */
import { describe, expect, it } from 'vitest';
import { statesInquiryHandling } from '../../src/analysis/inquiry-subject.js';
import { enumerationOf } from '../../src/analysis/passages.js';
import { answerOne, createFiller, createLinesPage } from './page-factory.js';

describe('enumerations mention their items in passing', () => {
  it('reads a scope sentence listing many short items as an enumeration with its lead', () => {
    const e = enumerationOf(
      'The Contractor shall furnish tools, labor, equipment, services needed for flow control, lining, lateral reopening, initial and final cleaning, initial and final video inspection, and final testing.',
    );
    expect(e?.lead).toBe('The Contractor shall furnish tools');
    expect(e?.items.length).toBeGreaterThanOrEqual(6);
  });

  it('does not read a sentence of a few clauses, or thousands separators, as an enumeration', () => {
    expect(
      enumerationOf(
        'Before further flight, install software version 4.2, part number 22-11, or later versions, on unit A and unit B, and verify it.',
      ),
    ).toBeNull();
    expect(
      enumerationOf('Damages are $1,000, $2,500 or $5,000 per day, as stated in the agreement, for each day.'),
    ).toBeNull();
  });

  it('answers from the article about the topic, not from the scope sentence that lists it among others', async () => {
    const pages = [
      createLinesPage(1, [
        '1.1 SUMMARY',
        'A. The Contractor shall furnish tools, labor, equipment, services needed for flow control, lining, lateral reopening, initial and final cleaning, initial and final video inspection, and final testing.',
        createFiller(4),
      ]),
      createLinesPage(2, [createFiller(4, 10)]),
      createLinesPage(3, [
        '3.2 SURVEY OF EXISTING PIPES',
        'A. Before lining, the Contractor shall record a video inspection of each existing pipe by trained operators to locate breaks, roots and open laterals.',
        createFiller(3, 20),
      ]),
    ];
    const a = await answerOne(pages, 'What video inspection requirements exist before lining?');
    expect(a.answer, JSON.stringify(a)).not.toBeNull();
    expect(a.pages).toEqual([3]);
  });
});

describe('questions about a topic are not the topic', () => {
  it("reads a sentence opening with bidders' questions about a topic as inquiry handling, unless inquiries are asked of", () => {
    const text = 'Questions regarding gizmo coating received after 9 days will not be answered.';
    expect(statesInquiryHandling('Are there gizmo coating requirements?', text)).toBe(true);
    expect(statesInquiryHandling('When are questions due?', text)).toBe(false);
    expect(statesInquiryHandling('Are there gizmo coating requirements?', 'Gizmo coating questions are rare.')).toBe(
      false,
    );
  });

  it('answers from the sentence requiring the topic, not from the deadline for questions about it', async () => {
    const pages = [
      createLinesPage(1, [
        createFiller(3),
        'Questions about sprocket polishing requirements received after 9 days will not be answered.',
      ]),
      createLinesPage(2, [createFiller(3, 10)]),
      createLinesPage(3, [
        createFiller(2, 20),
        'Sprocket polishing requirements shall be as described in Section 44 05 10.',
        createFiller(2, 30),
      ]),
    ];
    const a = await answerOne(pages, 'Are there sprocket polishing requirements?');
    expect(a.answer, JSON.stringify(a)).not.toBeNull();
    expect(a.pages).toEqual([3]);
  });
});
