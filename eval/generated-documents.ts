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
      "6. The Engineer's estimate for this project is $1,250,000.",
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

/** Unrelated spec prose for filler pages: no dates, money, percentages or durations an answer could be taken from. */
const FILLER_SENTENCES = [
  'The Contractor shall keep the site orderly and remove rubbish from the work areas at the end of each shift.',
  'Survey monuments disturbed by the work shall be re-established by a land surveyor licensed in the state.',
  'Shop drawings shall show dimensions, materials, connections and the relation to adjacent construction.',
  'Temporary fencing shall be maintained around open excavations whenever the crew is not present.',
  'The Engineer may require the removal of any workman who is careless or incompetent in the work.',
  'Existing signs, mailboxes and fences removed for the work shall be reinstated in their original condition.',
  'Materials stored on site shall be kept off the ground on pallets and covered against the weather.',
  'Erosion control devices shall be inspected after each rainfall and repaired as needed.',
  'Field offices, if provided, shall be kept clean and shall be removed before final inspection.',
  'Daily reports shall record the crew, the equipment on site and the work performed that day.',
  'Access to driveways shall be maintained except for brief interruptions coordinated with the owners.',
  "Salvaged materials shall remain the property of the Owner and be delivered to the Owner's yard.",
];

/** `count` lines of filler for a body page, starting at a page-specific offset so pages differ. */
function filler(title: string, seed: number, count = 22): string[] {
  const lines = [title];
  for (let i = 0; i < count; i++)
    lines.push(...wrap(FILLER_SENTENCES[(seed * 5 + i) % FILLER_SENTENCES.length] as string, 84));
  return lines.slice(0, count + 1);
}

/** Split prose into lines of at most `width` characters (the PDF factory draws one line per string). */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/**
 * A 30-page county project manual built to exercise long-document failure classes: a title page that holds
 * the owner and project, blank pages, a table of contents naming every topic, a bid form and a signature block
 * full of blanks, a bid schedule table, general conditions set in two columns, distinct dates for bid due,
 * questions due, pre-bid conference and award, and facts named without the attribute a question asks for.
 */
function lakeshoreCulvertManual(): PageSpec[] {
  const h = 'Lakeshore County - Route 9 Culvert Replacement and Storm Sewer Lining - Bid No. LC-2026-07';
  const f = 'Page {page}';
  const pages: PageSpec[] = [];
  const add = (lines: string[], extra: Partial<PageSpec> = {}) =>
    pages.push({ header: h, footer: f, lines, fontSize: 10, ...extra });
  // 1 title page
  pages.push({
    lines: [
      '',
      'LAKESHORE COUNTY',
      'BOARD OF COUNTY COMMISSIONERS',
      '',
      'PROJECT MANUAL',
      '',
      'ROUTE 9 CULVERT REPLACEMENT',
      'AND STORM SEWER LINING',
      '',
      'BID NO. LC-2026-07',
      '',
      'FEBRUARY 2026',
    ],
    fontSize: 14,
  });
  add(['', '', BLANK]); // 2
  add([
    'TABLE OF CONTENTS',
    'Invitation to Bid .......................................................... 5',
    'Instructions to Bidders, Bid Security and Bid Validity ..................... 6',
    'Bid Form ................................................................... 10',
    'Bid Schedule ............................................................... 11',
    'General Conditions, Retainage and Progress Payments ....................... 13',
    'Contract Time and Liquidated Damages ....................................... 20',
    'Insurance Requirements ..................................................... 22',
    'Special Provisions, Working Hours and Traffic .............................. 23',
    'Cured-In-Place Pipe Lining ................................................. 24',
    'Agreement and Signatures ................................................... 30',
  ]); // 3
  add(['', '', BLANK]); // 4
  add([
    'INVITATION TO BID',
    'Lakeshore County will receive sealed bids for the Route 9 Culvert Replacement and',
    'Storm Sewer Lining, Bid No. LC-2026-07, at the County Purchasing Office, 200 Lake',
    'Road, Harbor City, until 11:00 a.m. local time on Tuesday, March 24, 2026. Bids will',
    'be opened and read aloud immediately afterwards.',
    'A mandatory pre-bid conference will be held at 9:00 a.m. on March 10, 2026 in the',
    "County Engineer's conference room. Bids from firms not represented will be rejected.",
    'The last day for questions is March 16, 2026 at 4:00 p.m. Questions shall be emailed',
    'to the County Engineer, Dana Whitfield, P.E.',
    'Each bid shall be accompanied by a bid bond in the amount of ten percent (10%) of the',
    'total base bid.',
    'The County anticipates awarding the contract at the Board meeting of April 14, 2026.',
  ]); // 5
  add(filler('INSTRUCTIONS TO BIDDERS - GENERAL', 6)); // 6
  add([
    'INSTRUCTIONS TO BIDDERS',
    'ARTICLE 7 - BID SECURITY',
    '7.01 The bid bond shall be issued by a surety listed in the current U.S. Treasury',
    'Department Circular 570 and licensed in the state.',
    '7.02 The bid security of the successful bidder is forfeited if the bidder fails to',
    'execute the agreement and furnish the bonds within ten days of the notice of award.',
    'ARTICLE 8 - BID VALIDITY',
    '8.01 Bids shall remain firm and may not be withdrawn for sixty (60) days after the',
    'bid opening.',
    'ARTICLE 9 - QUALIFICATIONS',
    '9.01 The lining subcontractor shall have completed at least five cured-in-place',
    'storm sewer projects of 24-inch diameter or larger.',
  ]); // 7
  add(filler('INSTRUCTIONS TO BIDDERS - SUBMITTALS', 8)); // 8
  add(filler('INSTRUCTIONS TO BIDDERS - SITE CONDITIONS', 9)); // 9
  add([
    'BID FORM',
    "Bidder's Name: ____________________________________________",
    'Address: __________________________________________________',
    'The undersigned agrees to complete the Work within ______ calendar days.',
    'Total Base Bid: $___________________________',
    'Bid security enclosed: ______ Bid bond ______ Certified check',
    'SIGNED (I have authority to bind the Bidder) ______________________',
    'Company Name ______________________ Title ______________ Date ________',
  ]); // 10
  add([
    'BID SCHEDULE',
    'Item  Description                                 Unit   Quantity',
    '1     Mobilization                                LS     1',
    '2     Traffic Control                             LS     1',
    '3     72-inch Reinforced Concrete Pipe Culvert    LF     140',
    '4     CIPP Lining, 24-inch Storm Sewer            LF     1,850',
    '5     CIPP Lining, 30-inch Storm Sewer            LF     620',
    '6     Concrete Headwalls                          EA     2',
    '7     Lateral Reinstatement                       EA     38',
  ]); // 11
  add(['', '', BLANK]); // 12
  add(filler('GENERAL CONDITIONS - DEFINITIONS', 13)); // 13
  add(filler('GENERAL CONDITIONS - CONTRACTOR RESPONSIBILITIES', 14)); // 14
  add([], {
    columns: [
      [
        'GENERAL CONDITIONS',
        'ARTICLE 7 - PAYMENT',
        '7.03 Progress Payments. The',
        'Contractor shall submit an',
        'application for payment once each',
        'month for the work completed.',
        '7.04 Retainage. The County will',
        'retain ten percent (10%) of each',
        'progress payment until the Work',
        'is fifty percent complete, after',
        'which no further retainage will',
        'be withheld.',
      ],
      [
        '7.05 Final Payment. Final payment',
        'will be made after acceptance of',
        'the Work and receipt of lien',
        'releases from all subcontractors.',
        '7.06 Payment Bond. The Contractor',
        'shall furnish a payment bond and',
        'a performance bond, each for one',
        'hundred percent of the contract',
        'price.',
      ],
    ],
  }); // 15
  add(filler('GENERAL CONDITIONS - CHANGES IN THE WORK', 16)); // 16
  add(filler('GENERAL CONDITIONS - INSPECTION', 17)); // 17
  add(filler('GENERAL CONDITIONS - SUSPENSION', 18)); // 18
  add(filler('GENERAL CONDITIONS - DISPUTES', 19)); // 19
  add([
    'SUPPLEMENTARY CONDITIONS',
    'SC-6 CONTRACT TIME',
    'The Contractor shall achieve Substantial Completion within 150 calendar days after',
    'the date of the Notice to Proceed, and Final Completion within 180 calendar days',
    'after the date of the Notice to Proceed.',
    'SC-7 LIQUIDATED DAMAGES',
    'For each calendar day after the time for Substantial Completion that the Work is not',
    'substantially complete, the Contractor shall pay the County $800 as liquidated',
    'damages.',
    'SC-8 WARRANTY',
    'The Contractor shall correct defective work found within two (2) years after',
    'Substantial Completion.',
  ]); // 20
  add(filler('SUPPLEMENTARY CONDITIONS - PERMITS', 21)); // 21
  add([
    'INSURANCE REQUIREMENTS',
    'The Contractor shall carry the following insurance with at least these limits:',
    'Coverage                          Limit',
    'Commercial General Liability      $1,000,000 per occurrence; $2,000,000 aggregate',
    'Automobile Liability              $1,000,000 combined single limit',
    'Umbrella / Excess Liability       $5,000,000',
    "Contractor's Pollution Liability  $2,000,000 per claim",
    "Workers' Compensation             Statutory",
    'Lakeshore County and its commissioners shall be additional insureds.',
  ]); // 22
  add([
    'SPECIAL PROVISIONS',
    'SP-1 WORKING HOURS',
    'Work is permitted from 7:00 a.m. to 6:00 p.m., Monday through Friday.',
    'SP-2 TRAFFIC',
    'Route 9 shall remain open to at least one lane of traffic at all times, with',
    'flaggers at each end of the work zone.',
    'SP-3 IN-STREAM WORK',
    'Work within the stream channel is allowed only from June 15 to September 30.',
  ]); // 23
  add([
    'CURED-IN-PLACE PIPE LINING',
    'PART 2 - PRODUCTS',
    '2.01 The liner shall be designed per ASTM F1216 for a partially deteriorated host',
    'pipe condition.',
    '2.02 UV-cured glass-reinforced liners conforming to ASTM F2019 are acceptable.',
    '2.03 The cured liner shall have the following minimum properties:',
    'Property             Standard       Minimum',
    'Flexural Strength    ASTM D790      4,500 psi',
    'Flexural Modulus     ASTM D790      300,000 psi',
  ]); // 24
  add([
    'PART 3 - EXECUTION',
    '3.01 Samples. One restrained sample shall be cut from each installation and tested',
    'for flexural properties per ASTM D790 and for thickness per ASTM D2122.',
    '3.02 Laterals shall be reinstated with a remote cutter and sealed with a hydrophilic',
    'gasket.',
  ]); // 25
  for (let p = 26; p <= 29; p++) add(filler('GENERAL REQUIREMENTS', p)); // 26-29
  add([
    'AGREEMENT AND SIGNATURES',
    'IN WITNESS WHEREOF the parties have executed this Agreement.',
    'LAKESHORE COUNTY',
    'By: ______________________________ Chair, Board of County Commissioners',
    'Attest: __________________________ County Clerk',
    'CONTRACTOR',
    'SIGNED (I have authority to bind the Contractor) ______________________',
    'Company Name ______________________ Title ______________ Date ________',
  ]); // 30
  return pages;
}

/**
 * A short tender with two traps: lead-in sentences whose content is the numbered list that follows, and an
 * addendum at the back that moves the closing date and revises one cell of a media table.
 */
function riverbendTenderWithAddendum(): PageSpec[] {
  const h = 'Town of Riverbend - Water Treatment Plant Filter Rehabilitation - Tender T-2025-31';
  const f = 'Page {page}';
  const add = (lines: string[]): PageSpec => ({ header: h, footer: f, lines, fontSize: 10 });
  return [
    {
      lines: [
        '',
        'TOWN OF RIVERBEND',
        '',
        'WATER TREATMENT PLANT',
        'FILTER REHABILITATION',
        '',
        'TENDER T-2025-31',
        '',
        'ISSUED FOR TENDER: MAY 2025',
      ],
      fontSize: 14,
    },
    add([
      'INVITATION TO TENDER',
      'The Town of Riverbend invites tenders for the Water Treatment Plant Filter Rehabilitation,',
      'Tender T-2025-31. Tenders close at 2:00 p.m. local time on June 12, 2025 at the Town Office.',
      'Each tender shall include a tender deposit of $25,000 in the form of a certified cheque or a',
      'bid bond.',
      'An optional site visit will be held at the plant at 10:00 a.m. on June 3, 2025.',
    ]),
    add([
      'INSTRUCTIONS TO TENDERERS',
      '3.1 Each Tenderer shall submit the following with its Tender:',
      '1. the completed Form of Tender;',
      '2. the tender deposit specified in the Invitation to Tender;',
      '3. an Agreement to Bond for a performance bond of 50% of the Contract Price;',
      '4. a list of proposed subcontractors; and',
      '5. a letter of clearance from the Workers Compensation Board.',
      '3.2 The Contractor must demonstrate the following experience:',
      '1. at least three filter rehabilitation projects completed in the last ten years; and',
      '2. a superintendent with five years of water treatment plant experience.',
    ]),
    add([
      'SUPPLEMENTARY CONDITIONS',
      'SC-1 Holdback. A holdback of ten percent (10%) of each payment will be retained in accordance',
      'with the Prompt Payment and Construction Lien Act.',
      'SC-2 Schedule. Substantial Performance of the Work shall be achieved by September 30, 2025,',
      'and Total Performance of the Work by October 31, 2025.',
      'SC-3 Liquidated Damages. If Substantial Performance is not achieved by the date in SC-2, the',
      'Contractor shall pay the Owner $750 for each day of delay.',
    ]),
    add([
      'SECTION 46 61 13 - FILTER MEDIA',
      '2.1 The filter bed shall consist of the following layers, top to bottom:',
      'Layer        Depth     Effective Size',
      'Anthracite   450 mm    0.90 - 1.00 mm',
      'Sand         300 mm    0.45 - 0.55 mm',
      'Garnet       100 mm    0.25 - 0.30 mm',
      '2.2 Media shall conform to AWWA B100.',
    ]),
    add(['', '', BLANK]),
    add([
      'ADDENDUM NO. 2 - ISSUED JUNE 5, 2025',
      'This addendum forms part of the Tender Documents.',
      '1. The closing date is extended: Tenders now close at 2:00 p.m. local time on June 19, 2025.',
      '2. Section 46 61 13, article 2.1: the depth of the Sand layer is revised to 350 mm.',
      '3. All other terms remain unchanged.',
    ]),
  ];
}

/** Name -> page specs. The eval runner draws each into a PDF once per run. */
export const GENERATED_DOCUMENTS: Record<string, () => PageSpec[]> = {
  'harbor-view-sewer-rehab': harborViewSewerRehab,
  'lakeshore-culvert-manual': lakeshoreCulvertManual,
  'riverbend-tender-addendum': riverbendTenderWithAddendum,
};

export async function buildGeneratedPdf(name: string): Promise<Uint8Array> {
  const make = GENERATED_DOCUMENTS[name];
  if (!make)
    throw new Error(`unknown generated document "${name}" (known: ${Object.keys(GENERATED_DOCUMENTS).join(', ')})`);
  return createPdf(make());
}
