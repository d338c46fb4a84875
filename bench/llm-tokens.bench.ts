/**
 * What retrieval-first planning saves, and what it risks missing, for the llm engine.
 *
 * On a generated 100-page CIPP spec with the 100-question default config (planted answers on known pages),
 * compare:
 *   - tokens of the retrieval-first plan vs the old full sweep (every 3-page window × every section), both
 *     by the engine's estimator and as charged by the fake OpenAI-compatible server over real HTTP;
 *   - recall: the share of planted questions whose planted page is among the pages shown to the model in that
 *     question's unit (the target), and the share a careful model (the fake's planted-answer handler, which
 *     answers only when the planted sentence itself is in an excerpt) answers on the right page.
 * Targets: retrieval-first ≤ 10 % of the sweep's tokens, page recall ≥ 95 %.
 *
 * Two documents: `synthetic-spec` (bench/synthetic-spec.ts, the shared generator: planted sentences reuse the
 * question's words) and `paraphrased` (generated here: a third of each answer's topic words dropped at random
 * and filler built from the checklist's own vocabulary — a stress test of retrieval under paraphrase).
 * Run alone: npx tsx bench/llm-tokens.bench.ts
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PlanArgs, RetrievedPassage, WorkUnit } from '../src/analysis/engine.js';
import { createLlmEngine } from '../src/analysis/engines/llm-engine.js';
import { buildPassages } from '../src/analysis/passages.js';
import { buildSearchIndex, retrieve } from '../src/analysis/retrieval.js';
import { testConfig } from '../src/config.js';
import type { IngestedPage } from '../src/ingest/types.js';
import type { Question, QuestionConfig } from '../src/questions/types.js';
import { createPlantedAnswerHandler, startFakeLlmServer } from '../test/helpers/fake-llm-server.js';
import { createRandom, generateSyntheticSpec, pick } from './synthetic-spec.js';

const PAGE_COUNT = 100;
/** Body words per page: a dense spec page of 10–11 pt text. */
const WORDS_PER_PAGE = 430;
/** Passages retrieval returns per question (the pipeline's ranking depth); the planner takes its top few. */
const RETRIEVAL_DEPTH = 10;
/** Share of questions that also get a near-miss distractor (same topic words, no answer) on another page. */
const NEAR_MISS_SHARE = 0.5;
const SEED = 20_261_126;
const TARGET_TOKEN_RATIO = 0.1;
const TARGET_RECALL = 0.95;

const HEADER = 'CITY OF RIVERTON - SANITARY SEWER CIPP REHABILITATION - CONTRACT 2026-14';

const STOP = new Set(
  'what which who when where how is are was were the a an of to for and or in on be by with does do must should will any there this that required shall many much'.split(
    ' ',
  ),
);

function contentWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 2 && !STOP.has(w));
}

const VALUES: Record<Question['expected_type'], (r: () => number) => string> = {
  string: (r) =>
    pick(r, [
      'Riverton Basin 4 Trunk Sewer',
      'Owner-approved vendor only',
      'Harbor Street corridor',
      'the Engineer of Record',
    ]),
  number: (r) =>
    `${Math.floor(r() * 9_000 + 1_000).toLocaleString('en-US')} ${pick(r, ['linear feet', 'dollars', 'days', 'psi', 'hours'])}`,
  date: (r) => `${pick(r, ['March', 'June', 'August', 'October'])} ${Math.floor(r() * 27) + 1}, 2027`,
  technical_spec: (r) => `${(r() * 10 + 3).toFixed(1)} mm per ASTM F${pick(r, ['1216', '1743', '2019'])}`,
  boolean: (r) =>
    pick(r, ['required for every segment', 'not permitted under this Contract', 'mandatory prior to mobilization']),
  list: (r) => pick(r, ['8-inch; 10-inch; 12-inch', 'CCTV; air test; sample coupons', 'polyester; vinyl ester; epoxy']),
};

const FILLER_TEMPLATES = [
  'The Contractor shall {v} all {a} {b} work in accordance with the {c} provisions of this Section.',
  'Submit {a} {b} data to the Engineer not less than ten working days before the related {c} activity.',
  'Where {a} conditions differ from the {b} shown, the Contractor shall notify the Owner and suspend {c} operations.',
  'Measurement for {a} {b} shall be included in the unit prices bid and no separate {c} payment will be made.',
  'All {a} materials shall be stored off the ground, protected from weather, and handled to prevent {b} damage.',
  'The {a} plan shall describe sequencing, {b} controls, and coordination with adjacent {c} work.',
  'Deficient {a} {b} shall be removed and replaced at no additional cost to the Owner.',
  'Refer to the General Conditions for {a} requirements that apply to {b} and {c} items.',
];
const FILLER_VERBS = ['perform', 'coordinate', 'document', 'schedule', 'inspect', 'complete'];

/** A document as the bench needs it: pages, and where and how each planted answer is written. */
export interface BenchSpec {
  pages: IngestedPage[];
  /** Question id → page holding its planted answer (questions left unanswered are absent). */
  plantedPage: Record<string, number>;
  /** Question id → the planted sentence (what a careful model quotes). */
  plantedSentence: Record<string, string>;
}

/**
 * The stress document: every question's answer planted once, a third of its topic words dropped at random
 * (even decisive ones, e.g. "CCTV"), among filler whose topic words all come from the checklist, so each
 * passage looks relevant to many questions; half the questions also get a near miss on another page.
 */
export function generateParaphrasedSpec(config: QuestionConfig, pageCount = PAGE_COUNT, seed = SEED): BenchSpec {
  const random = createRandom(seed);
  const questions = config.sections.flatMap((s) => s.questions);
  const checklistWords = [...new Set(questions.flatMap((q) => contentWords(q.text)))];
  const inserts = new Map<number, string[]>();
  const plantedPage: Record<string, number> = {};
  const plantedSentence: Record<string, string> = {};
  const addTo = (page: number, sentence: string) => inserts.set(page, [...(inserts.get(page) ?? []), sentence]);

  for (const q of questions) {
    const words = contentWords(q.text);
    const kept = words.filter(() => random() > 0.33);
    const topic = (kept.length >= 2 ? kept : words).join(' ');
    const page = 3 + Math.floor(random() * (pageCount - 2)); // pages 1–2 are the cover and the contents
    const sentence = `The ${topic} shall be ${VALUES[q.expected_type](random)} [ref ${q.id}].`;
    plantedPage[q.id] = page;
    plantedSentence[q.id] = sentence;
    addTo(page, sentence);
    if (random() < NEAR_MISS_SHARE) {
      let other = 3 + Math.floor(random() * (pageCount - 2));
      if (other === page) other = page === pageCount ? page - 1 : page + 1;
      addTo(other, `Requirements for ${words.slice(0, 4).join(' ')} are described elsewhere in these Specifications.`);
    }
  }

  const pages: IngestedPage[] = [];
  for (let n = 1; n <= pageCount; n++) {
    const lines: string[] = [HEADER];
    if (n === 2) {
      lines.push('TABLE OF CONTENTS');
      for (const s of config.sections)
        lines.push(`${s.section_name} ........................ ${Math.floor(random() * 90) + 5}`);
    } else {
      lines.push(`SECTION 33 01 30.${70 + (n % 20)} - ${pick(random, checklistWords).toUpperCase()}`, '');
      const planted = [...(inserts.get(n) ?? [])];
      let words = 0;
      let paragraph: string[] = [];
      while (words < WORDS_PER_PAGE) {
        const sentence =
          planted.length > 0 && random() < 0.15
            ? (planted.shift() as string)
            : pick(random, FILLER_TEMPLATES)
                .replace('{v}', pick(random, FILLER_VERBS))
                .replace('{a}', pick(random, checklistWords))
                .replace('{b}', pick(random, checklistWords))
                .replace('{c}', pick(random, checklistWords));
        paragraph.push(sentence);
        words += sentence.split(' ').length;
        if (paragraph.length >= 5) {
          lines.push(paragraph.join(' '), '');
          paragraph = [];
        }
      }
      paragraph.push(...planted); // whatever did not fit mid-page closes the page
      if (paragraph.length > 0) lines.push(paragraph.join(' '));
    }
    lines.push(`Page ${n} of ${pageCount}`);
    pages.push({
      pageNumber: n,
      label: null,
      text: lines.join('\n'),
      boilerplateLines: [HEADER],
      ocr: false,
      ocrConfidence: null,
    });
  }
  return { pages, plantedPage, plantedSentence };
}

/**
 * bench/synthetic-spec.ts as a BenchSpec. It exports planted pages and values, not sentences: the planted
 * sentence is the one on the planted page that holds the value (ties broken by the question's words).
 */
export function loadSharedSyntheticSpec(config: QuestionConfig): BenchSpec {
  const spec = generateSyntheticSpec(config, { pageCount: PAGE_COUNT });
  const bodyOf = (page: IngestedPage) =>
    page.text
      .split('\n')
      .filter((line) => !page.boilerplateLines.includes(line))
      .join(' ')
      .replace(/\s+/g, ' ');
  const byPage = new Map(spec.pages.map((p) => [p.pageNumber, bodyOf(p)]));
  const questionText = new Map(config.sections.flatMap((s) => s.questions).map((q) => [q.id, q.text]));
  const plantedPage: Record<string, number> = {};
  const plantedSentence: Record<string, string> = {};
  for (const [id, page] of spec.planted) {
    const value = spec.plantedValues.get(id) ?? '';
    const sentences = (byPage.get(page) ?? '').split(/(?<=\.)\s+(?=[A-Z$])/).filter((s) => s.includes(value));
    const words = contentWords(questionText.get(id) ?? '');
    const score = (s: string) => words.filter((w) => s.toLowerCase().includes(w)).length;
    const best = sentences.sort((a, b) => score(b) - score(a))[0];
    if (!best) continue;
    plantedPage[id] = page;
    plantedSentence[id] = best;
  }
  return { pages: spec.pages, plantedPage, plantedSentence };
}

export async function loadDefaultConfig(): Promise<QuestionConfig> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return JSON.parse(
    await readFile(path.join(here, '../src/questions/cipp_questions_default.json'), 'utf8'),
  ) as QuestionConfig;
}

function sumEstimates(engine: ReturnType<typeof createLlmEngine>, units: WorkUnit[]) {
  let prompt = 0;
  let completion = 0;
  let cost = 0;
  for (const u of units) {
    const e = engine.estimateUnit(u);
    prompt += e.prompt_tokens;
    completion += e.completion_tokens;
    cost += e.cost_usd;
  }
  return {
    units: units.length,
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    cost_usd: Number(cost.toFixed(4)),
  };
}

/** Share of questions whose planted page is among the pages of the excerpts in that question's unit. */
function measurePageRecall(units: WorkUnit[], plantedPage: Record<string, number>): number {
  const shown = new Map<string, Set<number>>();
  for (const unit of units) {
    const pages = unit.passages.flatMap((p) => p.pages);
    for (const q of unit.questions) shown.set(q.id, new Set([...(shown.get(q.id) ?? []), ...pages]));
  }
  const ids = Object.keys(plantedPage);
  return ids.filter((id) => shown.get(id)?.has(plantedPage[id] as number)).length / ids.length;
}

/** Runs every unit through the fake server and returns what it charged and how many planted answers came back. */
async function runThroughFakeServer(units: WorkUnit[], spec: BenchSpec) {
  const fake = await startFakeLlmServer({ handler: createPlantedAnswerHandler(spec.plantedSentence) });
  try {
    const engine = createLlmEngine({ ...testConfig().analysis.llm, baseUrl: fake.url, apiKey: null, concurrency: 8 });
    const answered = new Set<string>();
    const started = Date.now();
    await Promise.all(
      units.map(async (unit) => {
        const { answers } = await engine.answerUnit(unit, { guardrails: '' });
        for (const a of answers)
          if (a.answer !== null && a.quotes[0]?.pages.includes(spec.plantedPage[a.question_id] as number))
            answered.add(a.question_id);
      }),
    );
    return {
      calls: fake.totals.completions,
      prompt_tokens: fake.totals.prompt_tokens,
      completion_tokens: fake.totals.completion_tokens,
      total_tokens: fake.totals.total_tokens,
      answered_share: answered.size / Object.keys(spec.plantedPage).length,
      wall_ms: Date.now() - started,
    };
  } finally {
    await fake.close();
  }
}

/** Every measurement for one generated spec (exported for the test that guards the targets). */
export type BenchDocument = 'synthetic-spec' | 'paraphrased';

export async function measureLlmTokens(
  config: QuestionConfig,
  document: BenchDocument,
): Promise<Record<string, unknown>> {
  const spec = document === 'synthetic-spec' ? loadSharedSyntheticSpec(config) : generateParaphrasedSpec(config);
  const { passages } = buildPassages(spec.pages);
  const index = buildSearchIndex(passages);
  const retrieved = new Map<string, RetrievedPassage[]>();
  for (const section of config.sections)
    for (const q of section.questions) retrieved.set(q.id, retrieve(index, q, section, RETRIEVAL_DEPTH));
  const args: PlanArgs = { sections: config.sections, pages: spec.pages, passages, retrieved, thorough: false };

  const llm = { ...testConfig().analysis.llm, baseUrl: 'http://127.0.0.1:9/v1', apiKey: null };
  const engine = createLlmEngine(llm);
  const retrievalUnits = engine.planUnits(args);
  const sweepUnits = engine.planUnits({ ...args, thorough: true });

  const estimatedRetrieval = sumEstimates(engine, retrievalUnits);
  const estimatedSweep = sumEstimates(engine, sweepUnits);
  const chargedRetrieval = await runThroughFakeServer(retrievalUnits, spec);
  const chargedSweep = await runThroughFakeServer(sweepUnits, spec);

  // How the passages-per-question choice trades tokens for recall.
  const byDepth: Array<Record<string, number>> = [];
  for (const depth of [1, 2, 3, 4, 5, 6, 8]) {
    const e = createLlmEngine(llm, { passagesPerQuestion: depth });
    const units = e.planUnits(args);
    const est = sumEstimates(e, units);
    const charged = await runThroughFakeServer(units, spec);
    byDepth.push({
      passages_per_question: depth,
      units: units.length,
      total_tokens_charged: charged.total_tokens,
      token_ratio_charged: round(charged.total_tokens / chargedSweep.total_tokens),
      token_ratio_estimated: round(est.total_tokens / estimatedSweep.total_tokens),
      page_recall: round(measurePageRecall(units, spec.plantedPage)),
      answered_recall: round(charged.answered_share),
    });
  }

  const tokenRatio = chargedRetrieval.total_tokens / chargedSweep.total_tokens;
  const pageRecall = measurePageRecall(retrievalUnits, spec.plantedPage);
  return {
    document,
    pages: spec.pages.length,
    planted_questions: Object.keys(spec.plantedPage).length,
    passages: passages.length,
    model: llm.model,
    prompt_token_budget: llm.promptTokenBudget,
    retrieval_first: { estimated: estimatedRetrieval, charged_by_fake_server: chargedRetrieval },
    sweep: { estimated: estimatedSweep, charged_by_fake_server: chargedSweep },
    token_ratio_charged: round(tokenRatio),
    token_ratio_estimated: round(estimatedRetrieval.total_tokens / estimatedSweep.total_tokens),
    page_recall: round(pageRecall),
    answered_recall: round(chargedRetrieval.answered_share),
    sweep_answered_recall: round(chargedSweep.answered_share),
    by_passages_per_question: byDepth,
    targets: {
      token_ratio_max: TARGET_TOKEN_RATIO,
      recall_min: TARGET_RECALL,
      met: tokenRatio <= TARGET_TOKEN_RATIO && pageRecall >= TARGET_RECALL,
    },
  };
}

export async function runLlmTokensBench(): Promise<Record<string, unknown>> {
  const config = await loadDefaultConfig();
  return {
    synthetic_spec: await measureLlmTokens(config, 'synthetic-spec'),
    paraphrased: await measureLlmTokens(config, 'paraphrased'),
  };
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runLlmTokensBench().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
