/**
 * A 12-page CIPP spec with answers planted on known pages, decoys (table of contents, a similar sentence
 * with another number), a value split over a page break, an OCR'd page and an addendum changing a date.
 */
import type { IngestedPage } from '../../src/ingest/types.js';
import { createDocument, createFiller, createQuestion, createSection, type PageOptions } from './page-factory.js';

export function createScenarioPages(options: { ocrWarrantyPage?: boolean } = {}): IngestedPage[] {
  const warranty: { body: string[]; options: PageOptions } = {
    body: [
      createFiller(2, 3),
      'The Contractor shall warrant the CIPP installation against defects in materials and workmanship',
      'for a period of two (2) years from the date of final acceptance.',
    ],
    options: { ocr: options.ocrWarrantyPage ?? false, ocrConfidence: 0.62 },
  };
  return createDocument(12, {
    1: [
      'TABLE OF CONTENTS',
      '1.3 Liner Design Thickness ........................................ 5',
      '1.4 Liquidated Damages .............................................. 7',
      '1.5 Warranty ........................................................ 9',
    ],
    3: [
      createFiller(2, 1),
      'Sealed bids shall be received no later than July 15, 2024 at 2:00 p.m. local time at the',
      'office of the City Clerk.',
    ],
    4: [createFiller(2, 2), 'Curing shall be performed with circulated hot water at a minimum temperature of 180°F.'],
    5: [
      createFiller(1, 4),
      'The CIPP liner shall have a minimum design thickness of 6.0 mm for all 8-inch sewer mains.',
      createFiller(2, 5),
    ],
    6: [
      createFiller(1, 6),
      'The existing concrete sidewalk thickness of 100 mm shall be restored after excavation.',
      createFiller(2, 7),
    ],
    7: [
      createFiller(3, 0),
      'Liquidated damages for failure to achieve substantial completion within the contract time shall be assessed at the rate of',
    ],
    8: ['$1,500 per calendar day until the Work is substantially complete.', createFiller(3, 2)],
    9: warranty,
    10: [
      createFiller(1, 5),
      'Addendum No. 2: the deadline for receipt of sealed bids is changed to July 25, 2024 at 2:00 p.m. local time.',
    ],
    11: [
      createFiller(1, 7),
      'The liner tube shall be impregnated with vinyl ester resin and the installed CIPP shall comply with ASTM F1216 and ASTM D-790.',
    ],
  });
}

export const scenarioSections = [
  createSection(
    'general',
    [
      createQuestion('Q6', 'What are the submission deadlines for bids or proposals?', 'date'),
      createQuestion('Q69', 'What is the amount of liquidated damages per day?', 'number'),
      createQuestion('Q79', 'Are there historic preservation or archeological requirements?'),
    ],
    'General Project Information',
    'Basic project details, scope, and administrative information',
  ),
  createSection(
    'materials',
    [
      createQuestion('Q13', 'What is the required design thickness of the liner?', 'technical_spec'),
      createQuestion('Q12', 'What ASTM standards apply to the CIPP materials?', 'technical_spec'),
      createQuestion('Q45', 'Are there odor control or emission requirements during curing?'),
    ],
    'Materials & Technical Standards',
    'Material specifications, ASTM standards, and technical requirements',
  ),
  createSection(
    'warranty',
    [
      createQuestion('Q61', 'What warranty period is required for the CIPP installation?'),
      createQuestion('Q80', 'What pandemic or health-related protocols are specified?'),
    ],
    'Warranty & Project Closeout',
    'Warranty requirements, deliverables, and project closeout procedures',
  ),
];
