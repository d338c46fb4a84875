/**
 * Memory of the offline analysis on a generated 1,500-page spec (100 default questions): peak RSS sampled every
 * 50 ms (target ≤ 500 MB, issue 13), wall time, and recall at that length: the share of planted questions
 * answered from the planted page (compare with the 500-page bench: no loss of recall up to 1,500 pages). Run alone: npx
 * tsx bench/analysis-1500.bench.ts, or
 * `npm run bench analysis-1500`.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createExtractiveEngine } from '../src/analysis/engines/extractive-engine.js';
import { runAnalysis } from '../src/analysis/run-analysis.js';
import type { QuestionConfig } from '../src/questions/types.js';
import { generateSyntheticSpec } from './synthetic-spec.js';

const PAGE_COUNT = 1500;
const TARGET_RSS_MB = 500;
const SAMPLE_MS = 50;

export async function runAnalysis1500Bench(): Promise<Record<string, unknown>> {
  const file = fileURLToPath(new URL('../src/questions/cipp_questions_default.json', import.meta.url));
  const config = JSON.parse(await readFile(file, 'utf8')) as QuestionConfig;
  const spec = generateSyntheticSpec(config, { pageCount: PAGE_COUNT });
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, SAMPLE_MS);
  const started = performance.now();
  let outcome: Awaited<ReturnType<typeof runAnalysis>>;
  try {
    outcome = await runAnalysis(
      {
        documentName: 'synthetic-1500.pdf',
        pages: spec.pages,
        input: { config, enabledSections: [], guardrails: '' },
        engine: 'extractive',
      },
      { createEngine: () => createExtractiveEngine() },
    );
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const peakMb = Math.round(peak / 1e6);
  const seconds = Math.round((performance.now() - started) / 10) / 100;
  const answers = new Map(outcome.result.sections.flatMap((s) => s.answers).map((a) => [a.question_id, a]));
  const pageHits = [...spec.planted].filter(([id, page]) => answers.get(id)?.pages.includes(page) === true).length;
  return {
    pages: PAGE_COUNT,
    seconds,
    peak_rss_mb: peakMb,
    target_rss_mb: TARGET_RSS_MB,
    within_target: peakMb <= TARGET_RSS_MB,
    planted_questions: spec.planted.size,
    planted_page_hit_rate: spec.planted.size === 0 ? null : Math.round((1000 * pageHits) / spec.planted.size) / 1000,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await runAnalysis1500Bench(), null, 2));
}
