/**
 * Runs the corpus question sets (test/analysis/corpus-questions) through ingest + the extractive pipeline and scores
 * them.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createExtractiveEngine } from '../../src/analysis/engines/extractive-engine.js';
import { runAnalysis } from '../../src/analysis/run-analysis.js';
import type { QuestionAnswer } from '../../src/analysis/types.js';
import { testConfig } from '../../src/config.js';
import { ingestPdf } from '../../src/ingest/index.js';
import type { QuestionConfig } from '../../src/questions/types.js';

export const CORPUS_DIR = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const QUESTIONS_DIR = fileURLToPath(new URL('./corpus-questions/', import.meta.url));

export interface CorpusQuestionSet extends QuestionConfig {
  document: string;
  expected: Record<string, number[] | null>;
}

export interface TrialOutcome {
  document: string;
  answerable: number;
  /** Answerable questions whose cited pages include a page holding the answer. */
  citedRightPage: number;
  unanswerable: number;
  abstained: number;
  rows: Array<{ id: string; expected: number[] | null; pages: number[]; confidence: number; answer: string | null }>;
}

export async function loadQuestionSets(): Promise<CorpusQuestionSet[]> {
  const files = (await readdir(QUESTIONS_DIR)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => JSON.parse(await readFile(path.join(QUESTIONS_DIR, f), 'utf8')) as CorpusQuestionSet),
  );
}

export async function runTrial(set: CorpusQuestionSet): Promise<TrialOutcome> {
  const bytes = new Uint8Array(await readFile(path.join(CORPUS_DIR, set.document)));
  // OCR off: these PDFs have text layers, and OCR of any image-only page would dominate the test's time.
  const doc = await ingestPdf(bytes, { ...testConfig({ OCR: 'off' }).ingest });
  const outcome = await runAnalysis(
    {
      documentName: set.document,
      pages: doc.pages,
      input: { config: set, enabledSections: [], guardrails: '' },
      engine: 'extractive',
    },
    { createEngine: () => createExtractiveEngine() },
  );
  const answers = new Map<string, QuestionAnswer>(
    outcome.result.sections.flatMap((s) => s.answers).map((a) => [a.question_id, a]),
  );
  const trial: TrialOutcome = {
    document: set.document,
    answerable: 0,
    citedRightPage: 0,
    unanswerable: 0,
    abstained: 0,
    rows: [],
  };
  for (const [id, expected] of Object.entries(set.expected)) {
    const a = answers.get(id);
    const pages = a?.pages ?? [];
    trial.rows.push({ id, expected, pages, confidence: a?.confidence ?? 0, answer: a?.answer ?? null });
    if (expected === null) {
      trial.unanswerable++;
      if (a?.answer == null) trial.abstained++;
    } else {
      trial.answerable++;
      if (a?.answer != null && pages.some((p) => expected.includes(p))) trial.citedRightPage++;
    }
  }
  return trial;
}
