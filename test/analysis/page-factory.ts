/** Small factories for analysis tests: IngestedPage arrays and question configs, no PDFs needed. */
import { createExtractiveEngine } from '../../src/analysis/engines/extractive-engine.js';
import { runAnalysis } from '../../src/analysis/run-analysis.js';
import type { QuestionAnswer } from '../../src/analysis/types.js';
import type { IngestedPage } from '../../src/ingest/types.js';
import type { ExpectedType, Question, QuestionConfig, RunInput, Section } from '../../src/questions/types.js';

export const HEADER = 'City of Riverton - Sanitary Sewer Rehabilitation Contract 2024-17';
export const FOOTER_PREFIX = 'Page';

const FILLER = [
  'The Engineer may issue field directives to clarify the intent of the drawings.',
  'Stockpiled materials shall be protected from weather and kept clear of traffic lanes.',
  'Coordinate access to private property with the affected residents at least two days in advance.',
  'Survey control points disturbed by the work shall be re-established by a licensed surveyor.',
  'The Contractor shall keep a daily log of crew hours, equipment on site and weather conditions.',
  'Shop drawings returned marked revise and resubmit shall be corrected before fabrication begins.',
  'Street sweeping shall be performed at the end of each working day in paved areas.',
  'Existing fences, mailboxes and signs removed for the work shall be reinstated to original condition.',
];

/** Deterministic filler text about unrelated topics (count sentences, starting at an offset). */
export function createFiller(sentences: number, offset = 0): string {
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) out.push(FILLER[(i + offset) % FILLER.length] as string);
  return out.join(' ');
}

export interface PageOptions {
  ocr?: boolean;
  ocrConfidence?: number | null;
  /** Add the running header and a "Page N" footer (declared as boilerplate). Default true. */
  furniture?: boolean;
}

/** One page: body lines (joined by "\n"), framed by a running header and footer unless furniture is false. */
export function createPage(pageNumber: number, body: string | string[], options: PageOptions = {}): IngestedPage {
  const lines = Array.isArray(body) ? body : [body];
  const furniture = options.furniture ?? true;
  const footer = `${FOOTER_PREFIX} ${pageNumber}`;
  const text = furniture ? [HEADER, ...lines, footer].join('\n') : lines.join('\n');
  return {
    pageNumber,
    label: null,
    text,
    boilerplateLines: furniture ? [HEADER] : [],
    ocr: options.ocr ?? false,
    ocrConfidence: options.ocr === true ? (options.ocrConfidence ?? 0.7) : null,
  };
}

/** A document of `count` filler pages where `overrides` replace the body of given pages. */
export function createDocument(
  count: number,
  overrides: Record<number, string | string[] | { body: string | string[]; options: PageOptions }> = {},
): IngestedPage[] {
  const pages: IngestedPage[] = [];
  for (let n = 1; n <= count; n++) {
    const o = overrides[n];
    if (o === undefined) pages.push(createPage(n, createFiller(6, n)));
    else if (typeof o === 'string' || Array.isArray(o)) pages.push(createPage(n, o));
    else pages.push(createPage(n, o.body, o.options));
  }
  return pages;
}

export function createQuestion(id: string, text: string, expectedType: ExpectedType = 'string'): Question {
  return { id, text, required: true, expected_type: expectedType };
}

export function createSection(sectionId: string, questions: Question[], name = sectionId, description = ''): Section {
  return { section_id: sectionId, section_name: name, description, questions };
}

export function createConfig(sections: Section[]): QuestionConfig {
  return { config_name: 'test', version: '1', description: 'test config', sections };
}

export function createRunInput(
  sections: Section[],
  enabledSections: string[] = sections.map((s) => s.section_id),
): RunInput {
  return { config: createConfig(sections), enabledSections, guardrails: '' };
}

/** A page of the given lines exactly (no running header or footer unless given as boilerplate lines). */
export function createLinesPage(pageNumber: number, lines: string[], boilerplateLines: string[] = []): IngestedPage {
  return { pageNumber, label: null, text: lines.join('\n'), boilerplateLines, ocr: false, ocrConfidence: null };
}

/** The offline engine's answer to one question over these pages (the whole pipeline, as an analysis runs it). */
export async function answerOne(
  pages: IngestedPage[],
  text: string,
  type: ExpectedType = 'string',
): Promise<QuestionAnswer> {
  const q = createQuestion('Q', text, type);
  const outcome = await runAnalysis(
    { documentName: 'x.pdf', pages, input: createRunInput([createSection('s', [q])]), engine: 'extractive' },
    { createEngine: () => createExtractiveEngine() },
  );
  return outcome.result.sections[0]?.answers[0] as QuestionAnswer;
}
