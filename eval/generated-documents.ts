/**
 * Documents built in code for the evaluation (known text on known pages), so CI can run eval sets without the
 * real corpus in ../shared. Each is drawn into a real PDF by test/helpers/pdf-factory.ts and read back through
 * the same ingest path as an upload. Page numbers in eval/sets/generated-*.json refer to the pages below
 * (1-based, in array order): change a page here and re-check every truth that cites it.
 */
import { createPdf, type PageSpec } from '../test/helpers/pdf-factory.js';

const BLANK = 'THIS PAGE INTENTIONALLY LEFT BLANK';

function page(header: string, footer: string, lines: string[], fontSize = 10): PageSpec {
  return { header, footer, lines, fontSize };
}

/**
 * A small sewer-rehabilitation bid package: cover, table of contents, notice to bidders, instructions, a blank
 * page, agreement terms, an insurance table and a three-page CIPP section with a properties table.
 */
function harborViewSewerRehab(): PageSpec[] {
  const h = 'City of Harbor View - Elm Street Sanitary Sewer Rehabilitation - Contract 2025-114';
  return [
    {
      lines: [
        '',
        'CITY OF HARBOR VIEW',
        'DEPARTMENT OF PUBLIC WORKS',
        '',
        'CONTRACT DOCUMENTS AND SPECIFICATIONS',
        '',
        'ELM STREET SANITARY SEWER REHABILITATION',
        'CONTRACT NO. 2025-114',
        '',
        'MARCH 2025',
        '',
        'Prepared by: Lakeside Engineering Group, Inc.',
      ],
      fontSize: 14,
    },
    page(h, 'Page {page}', [
      'TABLE OF CONTENTS',
      '00 11 13  Notice to Bidders ........................................ 3',
      '00 21 13  Instructions to Bidders .................................. 4',
      '00 52 00  Agreement ................................................ 6',
      '00 61 13  Performance and Payment Bonds ............................ 6',
      '00 73 16  Insurance Requirements ................................... 7',
      '33 01 30.73  Cured-In-Place Pipe Lining ............................ 8',
    ]),
    page(h, 'Page {page}', [
      'SECTION 00 11 13 - NOTICE TO BIDDERS',
      '1. Sealed bids for the Elm Street Sanitary Sewer Rehabilitation, Contract No.',
      '2025-114, will be received by the City Clerk, 100 Main Street, Harbor View,',
      'until 2:00 p.m. local time on Thursday, April 17, 2025, and then publicly',
      'opened and read aloud.',
      '2. The work consists of lining approximately 4,200 linear feet of 8-inch and',
      '10-inch vitrified clay sanitary sewer by the cured-in-place pipe method,',
      'reinstating 96 service laterals and rehabilitating 14 manholes.',
      '3. A non-mandatory pre-bid meeting will be held at 10:00 a.m. on April 3, 2025',
      'in City Hall, Room 210.',
      '4. Questions shall be submitted in writing to the Engineer no later than',
      '5:00 p.m. on April 8, 2025. Answers will be issued by addendum.',
      '5. Each bid shall be accompanied by a bid security in an amount not less than',
      'five percent (5%) of the total amount bid, in the form of a bid bond,',
      "certified check or cashier's check payable to the City of Harbor View.",
      '6. The Engineer\'s estimate for this project is $1,250,000.',
    ]),
    page(h, 'Page {page}', [
      'SECTION 00 21 13 - INSTRUCTIONS TO BIDDERS',
      '1.01 QUALIFICATIONS OF BIDDERS',
      'A. The Bidder shall hold a valid Class A General Engineering Contractor license',
      'at the time of bid opening.',
      'B. The installer shall have installed not less than 50,000 linear feet of',
      'cured-in-place pipe in sanitary sewers during the last five years.',
      '1.02 BID VALIDITY',
      'A. Bids shall remain open and may not be withdrawn for a period of 90 days',
      'after the date of bid opening.',
      '1.03 AWARD OF CONTRACT',
      'A. The contract will be awarded to the lowest responsive and responsible',
      'bidder on the basis of the total bid price.',
    ]),
    page(h, 'Page {page}', ['', '', BLANK]),
    page(h, 'Page {page}', [
      'SECTION 00 52 00 - AGREEMENT',
      'ARTICLE 3 - CONTRACT TIME',
      '3.01 The Contractor shall achieve Final Completion of the Work within',
      '120 calendar days after the date of the Notice to Proceed.',
      '3.02 Liquidated Damages. For each calendar day that the Work remains incomplete',
      'after the Contract Time, the Contractor shall pay the City $1,500 as liquidated',
      'damages and not as a penalty.',
      'ARTICLE 5 - PAYMENT',
      '5.01 Retainage. The City will retain five percent (5%) of each progress payment',
      'until Final Completion.',
      'SECTION 00 61 13 - PERFORMANCE AND PAYMENT BONDS',
      'The Contractor shall furnish a performance bond and a payment bond, each in an',
      'amount equal to 100 percent of the Contract Price.',
      'ARTICLE 7 - WARRANTY',
      '7.01 The Contractor warrants the Work against defects in materials and',
      'workmanship for a period of one (1) year from the date of Final Acceptance.',
    ]),
    page(h, 'Page {page}', [
      'SECTION 00 73 16 - INSURANCE REQUIREMENTS',
      'The Contractor shall maintain the following insurance with minimum limits:',
      'Coverage                         Minimum Limits',
      'Commercial General Liability     $2,000,000 each occurrence; $4,000,000 aggregate',
      'Automobile Liability             $1,000,000 combined single limit',
      "Workers' Compensation            Statutory limits",
      "Employer's Liability             $1,000,000 each accident",
      'The City of Harbor View shall be named as an additional insured on the',
      'general liability and automobile policies.',
    ]),
    page(h, 'Section 33 01 30.73 - {page}', [
      'SECTION 33 01 30.73 - CURED-IN-PLACE PIPE LINING',
      'PART 1 - GENERAL',
      '1.01 SUMMARY',
      'A. This section covers rehabilitation of existing sanitary sewers by',
      'installation of a resin-impregnated flexible tube cured in place.',
      '1.02 REFERENCES',
      'A. ASTM F1216 - Rehabilitation of Existing Pipelines by the Inversion and',
      'Curing of a Resin-Impregnated Tube.',
      'B. ASTM D790 - Flexural Properties of Plastics.',
      '1.03 DESIGN',
      'A. The liner shall be designed per ASTM F1216, Appendix X1, for a fully',
      'deteriorated host pipe condition with a 50-year design life.',
      'B. The minimum finished liner thickness for 8-inch pipe shall be 6.0 mm.',
    ]),
    page(h, 'Section 33 01 30.73 - {page}', [
      'PART 2 - PRODUCTS',
      '2.01 RESIN',
      'A. The resin shall be a corrosion-resistant polyester or vinyl ester resin',
      'and catalyst system compatible with the inversion process.',
      '2.02 CURED PROPERTIES',
      'A. The cured liner shall meet the following minimum properties:',
      'Property               Test Method      Minimum Value',
      'Flexural Strength      ASTM D790        4,500 psi',
      'Flexural Modulus       ASTM D790        250,000 psi',
      'Tensile Strength       ASTM D638        3,000 psi',
    ]),
    page(h, 'Section 33 01 30.73 - {page}', [
      'PART 3 - EXECUTION',
      '3.01 BYPASS PUMPING',
      'A. The Contractor shall provide bypass pumping with 100 percent standby',
      'capacity for the duration of the lining work.',
      '3.02 LATERAL REINSTATEMENT',
      'A. Service laterals shall be reinstated by robotic cutter within 24 hours',
      'after the liner has cured.',
      '3.03 INSPECTION',
      'A. The Contractor shall perform a post-installation CCTV inspection of each',
      'lined segment within 30 days after installation.',
      'B. A warranty inspection of all lined segments will be performed eleven',
      'months after Final Acceptance.',
    ]),
  ];
}

/** Name -> page specs. The eval runner draws each into a PDF once per run. */
export const GENERATED_DOCUMENTS: Record<string, () => PageSpec[]> = {
  'harbor-view-sewer-rehab': harborViewSewerRehab,
};

export async function buildGeneratedPdf(name: string): Promise<Uint8Array> {
  const make = GENERATED_DOCUMENTS[name];
  if (!make) throw new Error(`unknown generated document "${name}" (known: ${Object.keys(GENERATED_DOCUMENTS).join(', ')})`);
  return createPdf(make());
}
