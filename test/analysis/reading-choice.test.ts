/**
 * Which sentence the offline engine reads as the answer when several repeat the question's words (issue 13, item 3):
 * an addendum's revision over the original, a sentence naming a means for a "how" question. Generated text only.
 */
import { describe, expect, it } from 'vitest';
import { askedMethodVerbs, statesMeans } from '../../src/analysis/method-question.js';
import { tokenize } from '../../src/analysis/tokenize.js';
import { asksContact, statesContact, withoutContactDetails } from '../../src/analysis/contact-question.js';
import { readsAsTable } from '../../src/analysis/engines/extractive-engine.js';
import { askedAct, namesAct } from '../../src/analysis/asked-act.js';
import { asksExperience, statesPastWork } from '../../src/analysis/past-experience.js';
import { announcesItems, askedThings, leadInNamesThings } from '../../src/analysis/asked-things.js';
import { isAddendumPage, revisesValue, supersedingReading, valueKinds } from '../../src/analysis/supersession.js';
import { answerOne, createFiller, createLinesPage } from './page-factory.js';

describe('an addendum that revises a value', () => {
  it('recognises revision wording, the weaker kind only on an addendum', () => {
    expect(revisesValue('The bearing pad thickness is revised to 25 mm.', false)).toBe(true);
    expect(revisesValue('Use Type II cement in lieu of Type I.', false)).toBe(true);
    expect(revisesValue('Quotations now close at 3:00 p.m. on May 2, 2027.', true)).toBe(true);
    expect(revisesValue('Quotations now close at 3:00 p.m. on May 2, 2027.', false)).toBe(false);
    expect(revisesValue('Quotations close at 3:00 p.m. on April 25, 2027.', true)).toBe(false);
  });

  it('recognises a page titled as an addendum, not one that mentions addenda', () => {
    expect(isAddendumPage('Harbour Works Contract 12\nADDENDUM NO. 3\nThis addendum forms part of ...')).toBe(true);
    expect(isAddendumPage('Addendum 1 - Clarifications\n1. Item 4 is deleted.')).toBe(true);
    expect(isAddendumPage('Answers to questions will be issued by addendum before closing.')).toBe(false);
  });

  it('reads the kinds of value a sentence states', () => {
    expect([...valueKinds('The slab shall be 150 mm thick, poured by May 3, 2027.')].sort()).toEqual([
      'date',
      'length',
    ]);
  });

  const reading = (text: string, pages: number[], score: number, valueKey: string) => ({
    text,
    pages,
    score,
    coverage: 0.8,
    attributeFound: true,
    unbound: null,
    valueKey,
  });
  const pageText = (p: number) => (p === 9 ? 'ADDENDUM NO. 1\n...' : 'SECTION 03 30 00 - CONCRETE');

  it('puts a later revision of the same kind of value ahead of the original', () => {
    const readings = [
      reading('The slab shall be 150 mm thick.', [4], 0.9, '150'),
      reading('The slab thickness is now 200 mm.', [9], 0.6, '200'),
    ];
    expect(supersedingReading(readings, pageText, 0.5)).toBe(1);
  });

  it('keeps the original when the revision states another kind of value, comes first, or covers too little', () => {
    const original = reading('The slab shall be 150 mm thick.', [4], 0.9, '150');
    const dated = reading('The slab pour is now postponed to May 3, 2027.', [9], 0.6, 'may');
    expect(supersedingReading([original, dated], pageText, 0.5)).toBe(-1);
    const earlier = reading('The slab thickness is revised to 200 mm.', [2], 0.6, '200');
    expect(supersedingReading([original, earlier], pageText, 0.5)).toBe(-1);
    const weak = { ...reading('The slab thickness is now 200 mm.', [9], 0.6, '200'), coverage: 0.3 };
    expect(supersedingReading([original, weak], pageText, 0.5)).toBe(-1);
  });

  it('answers with the addendum and keeps the original as a variant', async () => {
    const pages = [
      createLinesPage(1, [
        'INVITATION TO QUOTE',
        'Quotations for the Harbour Walkway Repairs close at 3:00 p.m. local time on April 25, 2027 at the Port Office.',
        createFiller(3),
      ]),
      createLinesPage(2, ['SUPPLEMENTARY CONDITIONS', createFiller(4, 3)]),
      createLinesPage(3, [
        'ADDENDUM NO. 1 - ISSUED APRIL 10, 2027',
        'This addendum forms part of the Quotation Documents.',
        '1. The closing date is extended: Quotations now close at 3:00 p.m. local time on May 2, 2027.',
      ]),
    ];
    const a = await answerOne(pages, 'When do quotations close?', 'date');
    expect(a.answer ?? '').toMatch(/May 2, 2027/);
    expect(a.pages).toEqual([3]);
    expect(JSON.stringify(a.variants)).toMatch(/April 25, 2027/);
  });
});

describe('a question asking how an act is done', () => {
  it('reads the asked act from the question, and only for how-questions that ask no value', () => {
    expect([...(askedMethodVerbs('How are quotations to be delivered?') ?? [])]).toEqual(['deliver']);
    expect(askedMethodVerbs('How many copies of the quotation are required?')).toBeNull();
    expect(askedMethodVerbs('What is the closing date?')).toBeNull();
  });

  const deliver = new Set(['deliver']);
  it('finds a means named for the act itself', () => {
    expect(statesMeans('Quotations shall be delivered by courier to the Port Office.', deliver)).toBe(true);
    expect(statesMeans('Each bidder shall deliver its quotation in PDF format.', deliver)).toBe(true);
    expect(statesMeans('Quotations shall be emailed to the Purchasing Agent.', deliver)).toBe(true);
  });

  it('finds none in a time, an agent, a pointer or a means of another act', () => {
    expect(statesMeans('Quotations delivered by the deadline will be opened in public.', deliver)).toBe(false);
    expect(statesMeans('Quotations delivered by a bidder become the property of the Port.', deliver)).toBe(false);
    expect(statesMeans('Quotations shall be delivered by following the instructions in Appendix C.', deliver)).toBe(
      false,
    );
    expect(statesMeans('A delivered quotation may be amended by uploading a revised file.', deliver)).toBe(false);
  });

  it('answers with the sentence naming the means over one repeating the question', async () => {
    const pages = [
      createLinesPage(1, [
        '2.4 Ownership of Quotations',
        'All Quotations delivered to the Port will become the property of the Port and will not be returned.',
        createFiller(2),
      ]),
      createLinesPage(2, [
        '5.1 Closing',
        'Quotations shall be delivered electronically through the Port procurement portal before closing time.',
        createFiller(2, 4),
      ]),
    ];
    const a = await answerOne(pages, 'How are quotations to be delivered?');
    expect(a.answer ?? '').toMatch(/portal/);
  });
});

describe('a warranty stated with its verb', () => {
  it('reads "the Contractor warrants" as the warranty', () => {
    expect(tokenize('The Contractor warrants the roofing for a period of two (2) years.')).toContain('warranty');
  });
});

describe('a question asking who to contact', () => {
  it('is a who-question about a contact, an authority or where questions go', () => {
    expect(asksContact('Who is the contact for inquiries about the tender?')).toBe(true);
    expect(asksContact('Who should technical questions be sent to?')).toBe(true);
    expect(asksContact('Who pays for the building permit?')).toBe(false);
    expect(asksContact('What is the contact time for the disinfectant?')).toBe(false);
  });

  it('finds a way to reach someone: an e-mail address or a telephone number', () => {
    expect(statesContact('Questions go to Dana Roy, Buyer, droy@harbour.example.ca.')).toBe(true);
    expect(statesContact('Call the Port Office at (604) 555-0142 to arrange a visit.')).toBe(true);
    expect(statesContact('Questions received after closing will not be answered.')).toBe(false);
    expect(statesContact('Questions shall be sent by email only.')).toBe(false);
  });

  it('does not read a contact block as a table row', () => {
    const block = '4.2 Inquiries shall be directed to: Dana Roy – Buyer droy@harbour.example.ca (604) 555-0142';
    expect(withoutContactDetails(block)).not.toMatch(/555/);
    expect(readsAsTable(block)).toBe(false);
  });

  it('answers with the sentence naming the person over one repeating the question', async () => {
    const pages = [
      createLinesPage(1, [
        '4.1 Tender Inquiries',
        'The Tender Authority may decline to answer inquiries received after the inquiry deadline for this tender.',
        'All inquiries about this tender shall be made only to the Tender Authority: Dana Roy, Buyer, droy@harbour.example.ca.',
        createFiller(3),
      ]),
    ];
    const a = await answerOne(pages, 'Who is the Tender Authority for inquiries?');
    expect(a.answer ?? '').toMatch(/Dana Roy/);
  });
});

describe('a question asking for the things a lead-in lists', () => {
  it('reads the asked things from a "What <things> are ..." question', () => {
    expect([...(askedThings('What permits must the contractor obtain before mobilizing?') ?? [])]).toEqual(['permit']);
    expect(askedThings('What is the contract time?')).toBeNull();
  });

  it('recognises a lead-in ending in a period when its first item follows', () => {
    const lead = 'The Contractor shall obtain the following permits before mobilizing.';
    expect(announcesItems(lead, '1. A street-use permit from the Roads Department.')).toBe(true);
    expect(announcesItems(lead, 'Permits shall be posted at the site office.')).toBe(false);
    expect(announcesItems('The Contractor shall obtain all permits.', '1. A street-use permit.')).toBe(false);
    expect(leadInNamesThings(lead, new Set(['permit']))).toBe(true);
  });

  it('answers with the lead-in naming the things, read with its items', async () => {
    const pages = [
      createLinesPage(1, [
        '3.1 Mobilization',
        'At mobilization the Contractor shall confirm with the Engineer that the required permits are posted; and',
        createFiller(2),
        '3.2 Permits',
        'Before mobilization, the following permits are required:',
        '1. Street-use permit from the Roads Department',
        '2. Noise variance for night work',
        '3. Discharge permit for dewatering',
        createFiller(2, 4),
      ]),
    ];
    const a = await answerOne(pages, 'What permits are required before mobilization?', 'list');
    expect(a.answer ?? '').toMatch(/Street-use permit/);
  });

  it('reads the items under a lead-in that ends in a period', async () => {
    const pages = [
      createLinesPage(1, [
        '4.2 Execution of Contract',
        'The successful Bidder shall deliver within 7 days the following signed documents to the Port.',
        '1. Contract Agreement, two original copies',
        '2. Performance bond and payment bond',
        '3. Certificates of insurance',
        createFiller(3),
      ]),
    ];
    const a = await answerOne(pages, 'What documents must the successful bidder deliver?', 'list');
    expect(a.answer ?? '').toMatch(/Contract Agreement[\s\S]*Performance bond/);
  });
});

describe("a bidder's past work", () => {
  it('is stated with "shall have installed" or "during the last five years"', () => {
    expect(statesPastWork('The installer shall have installed not less than 80,000 square feet of membrane.')).toBe(
      true,
    );
    expect(statesPastWork('Bidders must list three bridge decks completed in the last ten (10) years.')).toBe(true);
    expect(statesPastWork('The work consists of placing approximately 6,500 square feet of membrane.')).toBe(false);
    expect(statesPastWork('The Contractor shall have completed all Work by October 30, 2027.')).toBe(false);
    expect(asksExperience('What experience must the installer have?')).toBe(true);
    expect(asksExperience('How many square feet of membrane will be placed?')).toBe(false);
  });

  it("is not the quantity of this work's scope", async () => {
    const pages = [
      createLinesPage(1, [
        '1.01 Deck Membrane Installer',
        'The installer shall have placed at least 80,000 square feet of deck membrane on bridge decks.',
        createFiller(3),
      ]),
      createLinesPage(2, [
        'NOTICE TO BIDDERS',
        'The work consists of placing approximately 6,500 square feet of deck membrane on the Pier 4 approach.',
        createFiller(3, 3),
      ]),
    ];
    const a = await answerOne(pages, 'How many square feet of deck membrane will be placed?', 'number');
    expect(a.pages).toEqual([2]);
  });
});

describe('a question ending with the act it asks about', () => {
  it('reads the act from "... be awarded?" and finds it in a sentence', () => {
    const act = askedAct('On what terms will the concession be awarded?') ?? new Set<string>();
    expect([...act]).toEqual(['award']);
    expect(namesAct(new Set(tokenize('The concession will be awarded to the highest bidder.')), act)).toBe(true);
    expect(namesAct(new Set(tokenize('The concession will be on a revenue-share basis.')), act)).toBe(false);
    expect(askedAct('What is the concession term?')).toBeNull();
  });

  it("answers with the sentence naming the act over one repeating the question's rarer words", async () => {
    const pages = [
      createLinesPage(1, [
        'NOTICE TO BIDDERS',
        'The concession will be on a revenue-share basis with quarterly reporting.',
        'The concession will be awarded to the bidder offering the highest rent.',
        createFiller(3),
      ]),
    ];
    const a = await answerOne(pages, 'On what basis will the concession be awarded?');
    expect(a.answer ?? '').toMatch(/highest rent/);
  });
});
