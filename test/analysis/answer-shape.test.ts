/** Answers with a shape the expected types miss: a person to contact, an interval (issue 13, item 3). */
import { describe, expect, it } from 'vitest';
import { askedShape, holdsShape } from '../../src/analysis/answer-shape.js';
import { elaborationOf } from '../../src/analysis/elaboration.js';
import { answerOne, createFiller, createLinesPage } from './page-factory.js';

describe('the shape a question asks for', () => {
  it('is a contact for who-questions about inquiries, and an interval for how-often questions', () => {
    expect(askedShape('Who should bidders direct questions to?')).toBe('contact');
    expect(askedShape('Who is the contact person for this tender?')).toBe('contact');
    expect(askedShape('Who pays for the testing laboratory?')).toBeNull();
    expect(askedShape('How often must the Contractor submit schedule updates?')).toBe('frequency');
    expect(askedShape('What is the frequency of density tests?')).toBe('frequency');
    expect(askedShape('How long is the warranty?')).toBeNull();
  });

  it('is found in names with a title or a label, addresses and intervals', () => {
    expect(holdsShape('Questions shall be sent to the Engineer, Maria Lopez, P.E.', 'contact')).toBe(true);
    expect(holdsShape('Attention: Maria Lopez', 'contact')).toBe(true);
    expect(holdsShape('Write to purchasing@riverton.example.org.', 'contact')).toBe(true);
    expect(holdsShape('Questions will be answered by addendum only.', 'contact')).toBe(false);
    expect(holdsShape('Updates shall be submitted once each month.', 'frequency')).toBe(true);
    expect(holdsShape('One test per 500 square yards, every lift.', 'frequency')).toBe(true);
    expect(holdsShape('Final payment will be made after acceptance.', 'frequency')).toBe(false);
  });

  it('makes the sentence with the asked shape win over one that only repeats the question', async () => {
    const pages = [
      createLinesPage(1, [
        '2.3 INQUIRIES',
        'A. Inquiries and questions about this tender shall be directed in writing only; the Township will not answer inquiries or questions about this tender by telephone. Send them by email to the Project Manager, Maria Lopez, P.E.',
        `C. ${createFiller(2)}`,
      ]),
    ];
    expect(
      (await answerOne(pages, 'Who should inquiries and questions about this tender be directed to?')).answer ?? '',
    ).toMatch(/Maria Lopez/);
  });
});

describe('a value stated in the sentence after its subject', () => {
  const holdsInterval = (t: string) => holdsShape(t, 'frequency');

  it('is credited with the words of the sentence before it in the same paragraph', () => {
    const first = { text: 'C. The Contractor shall take soil density tests of the trench backfill.' };
    const second = { text: 'One test shall be taken for every 100 feet of trench.' };
    expect(elaborationOf(first, second, holdsInterval)).toBe(`${first.text} ${second.text}`);
    // Not across paragraphs or headings, nor when the first already has the value.
    expect(
      elaborationOf(first, { text: 'D. One test shall be taken for every 100 feet.' }, holdsInterval),
    ).toBeUndefined();
    expect(
      elaborationOf({ ...first, headingPath: 'A' }, { ...second, headingPath: 'B' }, holdsInterval),
    ).toBeUndefined();
    expect(elaborationOf({ text: 'Tests are taken every day.' }, second, holdsInterval)).toBeUndefined();
  });

  it('answers with the value sentence', async () => {
    const pages = [
      createLinesPage(1, [
        '3.04 FIELD QUALITY CONTROL',
        'A. The Contractor shall arrange compaction testing of all trench backfill by an approved laboratory. One test shall be taken for every 100 feet.',
        `B. ${createFiller(2)}`,
      ]),
    ];
    expect((await answerOne(pages, 'How often must compaction tests of the trench backfill be taken?')).answer).toMatch(
      /every 100 feet/,
    );
  });
});
