/**
 * A generated CIPP bid specification for benchmarks: realistic-looking filler from a varied vocabulary,
 * running headers/footers, a table of contents naming the topics (a decoy), planted answers for most
 * questions of a config on known pages, near-miss sentences (topic words, another number, no answer) and a
 * share of questions left unanswered (to measure abstention). Deterministic for a given seed.
 *
 * Planted sentences reuse the question's own words, so answer accuracy here is an upper bound on what
 * lexical retrieval achieves on real documents; it measures the mechanics (speed, page provenance, decoys,
 * abstention), while test/analysis/corpus-questions measures quality on real PDFs.
 */
import type { IngestedPage } from '../src/ingest/types.js';
import { expectedUnitClasses } from '../src/analysis/extract-value.js';
import type { Question, QuestionConfig } from '../src/questions/types.js';

export interface SyntheticSpecOptions {
  pageCount?: number;
  /** Body words per page (a dense 10–11 pt spec page holds ~400–450). */
  wordsPerPage?: number;
  /** Share of questions that get no planted answer (abstention is measured on them). */
  unplantedShare?: number;
  seed?: number;
}

export interface SyntheticSpec {
  pages: IngestedPage[];
  /** Question id → the page holding its planted answer. */
  planted: Map<string, number>;
  /** Question id → the planted value text (what a correct answer contains). */
  plantedValues: Map<string, string>;
  /** Questions with no answer in the document. */
  unplanted: string[];
}

const HEADER = 'CITY OF RIVERTON - SANITARY SEWER CIPP REHABILITATION - CONTRACT 2026-14';
const TOC_PAGES = 3;

/** mulberry32: tiny deterministic PRNG. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

const NOUNS = [
  'manhole frame',
  'service connection',
  'sewer main',
  'trench backfill',
  'asphalt patch',
  'concrete collar',
  'survey monument',
  'storm inlet',
  'curb ramp',
  'valve box',
  'fire hydrant',
  'topsoil',
  'sod',
  'granular base',
  'geotextile',
  'erosion barrier',
  'silt fence',
  'catch basin',
  'flow meter',
  'junction chamber',
  'cleanout',
  'pavement marking',
  'sidewalk panel',
  'driveway apron',
  'tree protection fence',
  'gabion basket',
];
const VERBS = [
  'furnish',
  'install',
  'protect',
  'remove',
  'reinstate',
  'document',
  'coordinate',
  'inspect',
  'maintain',
  'salvage',
];
const ADJECTIVES = [
  'existing',
  'temporary',
  'permanent',
  'adjacent',
  'damaged',
  'approved',
  'specified',
  'standard',
  'proposed',
  'municipal',
];
const FILLER_TEMPLATES = [
  'The Contractor shall {v} each {a} {n} in accordance with the Contract Drawings and the approved work plan.',
  'Where the {a} {n} conflicts with the proposed work, notify the Engineer before proceeding.',
  'Measurement of the {n} shall be included in the unit prices bid and no separate payment will be made.',
  'All {a} materials for the {n} shall be stored off the ground and protected from weather.',
  'The Engineer may direct the Contractor to {v} the {n} where field conditions require it.',
  'Deficient {n} work shall be removed and replaced at no additional cost to the Owner.',
  'Restore the {a} {n} to a condition equal to or better than that existing before construction.',
  'Coordinate the {n} work with residents and businesses affected by access restrictions.',
  'Record the location of every {a} {n} on the daily field report submitted to the Engineer.',
  'The {n} shall be {v}ed by workers experienced in municipal infrastructure construction.',
];

function fillerSentence(random: () => number): string {
  return pick(random, FILLER_TEMPLATES)
    .replace('{v}', pick(random, VERBS))
    .replace('{a}', pick(random, ADJECTIVES))
    .replace('{n}', pick(random, NOUNS));
}

/** "What is the required design thickness of the liner?" → "required design thickness of the liner". */
function topicOf(question: Question): string {
  return question.text
    .replace(/\?$/, '')
    .replace(/\([^)]*\)/g, '')
    .replace(
      /^(what|which|who|how many|how frequently|how|are there any|are there|is there|is|are)\s+(is|are|the)?\s*/i,
      '',
    )
    .replace(/^(the|any)\s+/i, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function plantedValue(question: Question, random: () => number): string {
  switch (question.expected_type) {
    case 'number': {
      const classes = expectedUnitClasses(question.text);
      if (classes.includes('count')) return `${Math.floor(random() * 8) + 2}`;
      if (classes.includes('percent')) return `${Math.floor(random() * 9) + 2}%`;
      if (classes.includes('money')) return `$${(Math.floor(random() * 900) + 100).toLocaleString('en-US')},000`;
      if (classes.includes('time')) return `${Math.floor(random() * 300) + 30} calendar days`;
      return `${(Math.floor(random() * 90_000) + 1_000).toLocaleString('en-US')} linear feet`;
    }
    case 'date':
      return `${pick(random, ['March', 'June', 'August', 'October'])} ${Math.floor(random() * 27) + 1}, 2027`;
    case 'technical_spec':
      return `${(random() * 10 + 3).toFixed(1)} mm in accordance with ASTM ${pick(random, ['F1216', 'F1743', 'D790', 'D2990'])}`;
    case 'boolean':
      return pick(random, ['required for every segment', 'not permitted under this Contract']);
    case 'list':
      return pick(random, ['8-inch, 10-inch and 12-inch mains', 'CCTV, air testing and sample coupons']);
    case 'string':
      return pick(random, [
        'as described in Section 33 01 30',
        'subject to the approval of the Engineer',
        'by the Contractor at no extra cost',
        'in the form included in Appendix C',
      ]);
  }
}

function plantedSentence(question: Question, value: string): string {
  const topic = topicOf(question);
  const Topic = topic.charAt(0).toUpperCase() + topic.slice(1);
  switch (question.expected_type) {
    case 'number':
      return `${Topic}: the Contract requires ${value}.`;
    case 'date':
      return `${Topic}: ${value} at 2:00 p.m. local time.`;
    case 'technical_spec':
      return `${Topic} shall be ${value}.`;
    default:
      return `${Topic} shall be ${value}.`;
  }
}

/** Generate the document for a question config. */
export function generateSyntheticSpec(config: QuestionConfig, options: SyntheticSpecOptions = {}): SyntheticSpec {
  const pageCount = options.pageCount ?? 500;
  const wordsPerPage = options.wordsPerPage ?? 420;
  const random = createRandom(options.seed ?? 20_261_126);
  const questions = config.sections.flatMap((s) => s.questions);
  const unplantedShare = options.unplantedShare ?? 0.15;

  const planted = new Map<string, number>();
  const plantedValues = new Map<string, string>();
  const unplanted: string[] = [];
  const inserts = new Map<number, string[]>();
  const addTo = (page: number, sentence: string) => {
    const list = inserts.get(page) ?? [];
    list.push(sentence);
    inserts.set(page, list);
  };
  for (const q of questions) {
    if (random() < unplantedShare) {
      unplanted.push(q.id);
      continue;
    }
    const page = TOC_PAGES + 1 + Math.floor(random() * (pageCount - TOC_PAGES));
    const value = plantedValue(q, random);
    planted.set(q.id, page);
    plantedValues.set(q.id, value);
    addTo(page, plantedSentence(q, value));
    // Near miss: the topic's first words in an unrelated sentence with another number, on another page.
    if (random() < 0.5) {
      const words = topicOf(q).split(' ').slice(0, 2).join(' ');
      const other = TOC_PAGES + 1 + Math.floor(random() * (pageCount - TOC_PAGES));
      if (other !== page)
        addTo(
          other,
          `Questions about ${words} received after ${Math.floor(random() * 20) + 2} days will not be answered.`,
        );
    }
  }

  const tocLines = questions.map(
    (q, i) => `${i + 1}.${(i % 9) + 1} ${topicOf(q)} ${'.'.repeat(30)} ${planted.get(q.id) ?? TOC_PAGES + 1 + i}`,
  );
  const pages: IngestedPage[] = [];
  for (let n = 1; n <= pageCount; n++) {
    const lines: string[] = [HEADER];
    if (n <= TOC_PAGES) {
      lines.push(
        'TABLE OF CONTENTS',
        ...tocLines.slice(((n - 1) * tocLines.length) / TOC_PAGES, (n * tocLines.length) / TOC_PAGES),
      );
    } else {
      const sentences: string[] = [];
      let words = 0;
      while (words < wordsPerPage) {
        const s = fillerSentence(random);
        sentences.push(s);
        words += s.split(' ').length;
      }
      for (const s of inserts.get(n) ?? []) sentences.splice(Math.floor(random() * (sentences.length + 1)), 0, s);
      // Wrap into ~95-character lines, as a PDF text layer gives them.
      let line = '';
      for (const word of sentences.join(' ').split(' ')) {
        if (line.length + word.length + 1 > 95) {
          lines.push(line);
          line = word;
        } else line = line.length === 0 ? word : `${line} ${word}`;
      }
      if (line.length > 0) lines.push(line);
    }
    lines.push(`Section 33 01 30 - Page ${n} of ${pageCount}`);
    pages.push({
      pageNumber: n,
      label: null,
      text: lines.join('\n'),
      boilerplateLines: [HEADER],
      ocr: false,
      ocrConfidence: null,
    });
  }
  return { pages, planted, plantedValues, unplanted };
}
