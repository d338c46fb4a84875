/**
 * Extractive engine on a generated 500-page CIPP spec with the full default config (100 questions):
 * wall time of the whole pipeline (target ≤ 15 s on the 2-core machine), page accuracy on planted
 * questions (cited pages include the planted page) and abstention on questions with no answer.
 * Run alone: npx tsx bench/analysis.bench.ts
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createExtractiveEngine } from '../src/analysis/engines/extractive-engine.js';
import { runAnalysis } from '../src/analysis/run-analysis.js';
import type { QuestionConfig } from '../src/questions/types.js';
import { generateSyntheticSpec } from './synthetic-spec.js';

const PAGE_COUNT = 500;
const TARGET_SECONDS = 15;

async function loadConfig(): Promise<QuestionConfig> {
  const file = fileURLToPath(new URL('../src/questions/cipp_questions_default.json', import.meta.url));
  return JSON.parse(await readFile(file, 'utf8')) as QuestionConfig;
}

export async function runAnalysisBench(): Promise<Record<string, unknown>> {
  const config = await loadConfig();
  const spec = generateSyntheticSpec(config, { pageCount: PAGE_COUNT });
  const started = performance.now();
  const outcome = await runAnalysis(
    {
      documentName: 'synthetic-500.pdf',
      pages: spec.pages,
      input: { config, enabledSections: [], guardrails: '' },
      engine: 'extractive',
    },
    { createEngine: () => createExtractiveEngine() },
  );
  const seconds = (performance.now() - started) / 1000;
  const answers = new Map(outcome.result.sections.flatMap((s) => s.answers).map((a) => [a.question_id, a]));
  let pageHits = 0;
  let answeredPlanted = 0;
  let valueHits = 0;
  for (const [id, page] of spec.planted) {
    const a = answers.get(id);
    if (a?.answer == null) continue;
    answeredPlanted++;
    if (a.pages.includes(page)) pageHits++;
    if ((a.footnote ?? '').includes(spec.plantedValues.get(id) ?? '\u0000')) valueHits++;
  }
  const abstained = spec.unplanted.filter((id) => answers.get(id)?.answer === null).length;
  return {
    pages: PAGE_COUNT,
    questions: outcome.result.stats.total_questions,
    seconds: Math.round(seconds * 100) / 100,
    target_seconds: TARGET_SECONDS,
    within_target: seconds <= TARGET_SECONDS,
    planted_questions: spec.planted.size,
    planted_answered: answeredPlanted,
    page_accuracy: Math.round((pageHits / spec.planted.size) * 1000) / 1000,
    quote_holds_planted_value: Math.round((valueHits / spec.planted.size) * 1000) / 1000,
    unplanted_questions: spec.unplanted.length,
    abstention_on_unplanted:
      spec.unplanted.length === 0 ? null : Math.round((abstained / spec.unplanted.length) * 1000) / 1000,
    average_confidence: outcome.statistics.average_confidence,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await runAnalysisBench(), null, 2));
}
