/**
 * The analysis pipeline: pages → passages → index → retrieval → engine plan → for each work unit:
 * budget check, stop check, engine answer, citation verification, accumulation, durable checkpoint
 * (awaited before going on), progress events. Resumable: units in `completedUnits` are skipped and
 * `priorAnswers` are merged with new findings. A stop (signal) or a budget cap ends the run early with
 * the answers found so far; it never throws for those. Engine or checkpoint failures do throw: the job
 * runner records analysis_failed.
 */
import type { IngestedPage } from '../ingest/types.js';
import type { Question, RunInput, Section } from '../questions/types.js';
import type { AnalysisEngine, RetrievedPassage, WorkUnit, CandidateAnswer } from './engine.js';
import {
  ZERO_USAGE,
  type EngineName,
  type Estimate,
  type ProgressEventInput,
  type QuestionAnswer,
  type RunAnalysisOptions,
  type RunAnalysisOutcome,
  type StopReason,
  type Usage,
} from './types.js';
import { accumulateAnswers } from './accumulate.js';
import {
  addUsage,
  buildFullResult,
  createEmptyAnswer,
  selectEnabledSections,
  toLegacyResult,
  toStatistics,
} from './build-result.js';
import { buildPassages, type PassageSet } from './passages.js';
import { buildSearchIndex, retrieve, type SearchIndex } from './retrieval.js';
import { findLabelledFields, promoteFactSheetPassage, type LabelledField } from './fact-sheet.js';
import { holdsAttribute } from './engines/extractive-engine.js';
import { buildPageTextIndex, formatFootnote, verifyCandidate, type PageTextIndex } from './verify-citations.js';

/** Passages retrieved per question: enough for the extractive engine's reading depth and an LLM prompt's evidence. */
export const RETRIEVAL_TOP_K = 10;
/** Thorough mode looks deeper, for engines that sweep more evidence. */
export const RETRIEVAL_TOP_K_THOROUGH = 20;
/**
 * Units in flight at once for the llm engine (network-bound); the extractive engine is CPU-bound and runs one at a
 * time.
 */
export const LLM_UNIT_CONCURRENCY = 4;

export interface AnalysisDeps {
  createEngine(name: EngineName): AnalysisEngine;
  /** Overrides the number of units in flight (defaults: llm 4, extractive 1). */
  unitConcurrency?: number;
}

export interface PreparedDocument {
  passageSet: PassageSet;
  index: SearchIndex;
  pageTexts: PageTextIndex;
  /** "LABEL: value" fields of the project information page / notice (fact-sheet.ts). */
  fields: LabelledField[];
}

/** Passages, search index and normalised page texts: built once per run. */
export function prepareDocument(pages: IngestedPage[]): PreparedDocument {
  const passageSet = buildPassages(pages);
  return {
    passageSet,
    index: buildSearchIndex(passageSet.passages),
    pageTexts: buildPageTextIndex(pages),
    fields: findLabelledFields(pages, passageSet.outline),
  };
}

/**
 * Top-k passages for every question of the given sections. With the document's fact-sheet fields, a
 * question whose answer a field's label names gets that field's passage first (fact-sheet.ts).
 */
export function retrieveForSections(
  index: SearchIndex,
  sections: Section[],
  k: number,
  fields: LabelledField[] = [],
): Map<string, RetrievedPassage[]> {
  const out = new Map<string, RetrievedPassage[]>();
  for (const section of sections) {
    for (const q of section.questions)
      out.set(q.id, promoteFactSheetPassage(retrieve(index, q, section, k), q, fields, index, holdsAttribute, k));
  }
  return out;
}

function planRun(pages: IngestedPage[], input: RunInput, engine: AnalysisEngine, thorough: boolean) {
  const sections = selectEnabledSections(input);
  const prepared = prepareDocument(pages);
  const retrieved = retrieveForSections(
    prepared.index,
    sections,
    thorough ? RETRIEVAL_TOP_K_THOROUGH : RETRIEVAL_TOP_K,
    prepared.fields,
  );
  const units = engine.planUnits({
    sections,
    pages,
    passages: prepared.passageSet.passages,
    retrieved,
    thorough,
    sentences: prepared.passageSet.sentences,
  });
  return { sections, prepared, units };
}

export interface EstimateRunArgs {
  pages: IngestedPage[];
  input: RunInput;
  engine: EngineName;
  thorough?: boolean;
}

/** Preflight: what a run would do and cost, before any money is spent. */
export function estimateRun(args: EstimateRunArgs, deps: Pick<AnalysisDeps, 'createEngine'>): Estimate {
  const engine = deps.createEngine(args.engine);
  const { sections, units } = planRun(args.pages, args.input, engine, args.thorough ?? false);
  let prompt = 0;
  let completion = 0;
  let cost = 0;
  let calls = 0;
  for (const unit of units) {
    const e = engine.estimateUnit(unit);
    prompt += e.prompt_tokens;
    completion += e.completion_tokens;
    cost += e.cost_usd;
    if (e.prompt_tokens > 0) calls++;
  }
  return {
    engine: engine.name,
    model: engine.model,
    total_pages: args.pages.length,
    total_questions: sections.reduce((n, s) => n + s.questions.length, 0),
    llm_calls: calls,
    prompt_tokens: prompt,
    completion_tokens: completion,
    estimated_cost_usd: Math.round(cost * 1e6) / 1e6,
  };
}

function unitPages(unit: WorkUnit): number[] {
  if (unit.windowPages !== undefined) return unit.windowPages;
  return [...new Set(unit.passages.flatMap((p) => p.pages))].sort((a, b) => a - b);
}

/** A verified candidate as a QuestionAnswer (not yet accumulated). */
function toQuestionAnswer(
  candidate: CandidateAnswer,
  question: Question,
  section: Section,
  pageTexts: PageTextIndex,
  ocrPages: Set<number>,
): QuestionAnswer {
  const v = verifyCandidate(candidate, pageTexts);
  const answered = v.answer !== null;
  return {
    question_id: question.id,
    section_id: section.section_id,
    question: question.text,
    expected_type: question.expected_type,
    answer: v.answer,
    value: answered ? v.value : null,
    pages: answered ? v.pages : [],
    confidence: Math.round(v.confidence * 1000) / 1000,
    footnote: answered ? formatFootnote(v.quotes) : null,
    quotes: answered ? v.quotes : [],
    variants: [],
    ocr: answered && v.pages.some((p) => ocrPages.has(p)),
  };
}

function roundSeconds(ms: number): number {
  return Math.round(ms / 10) / 100;
}

/** Run an analysis. Resolves with the result (complete or partial); rejects only on engine/storage failures. */
export async function runAnalysis(options: RunAnalysisOptions, deps: AnalysisDeps): Promise<RunAnalysisOutcome> {
  const startedAt = options.startedAt ?? new Date();
  const emit = async (event: ProgressEventInput['event'], data: Record<string, unknown>) => {
    if (options.onEvent !== undefined) await options.onEvent({ event, data });
  };
  const thorough = options.thorough ?? false;
  const isAborted = () => options.signal?.aborted === true;
  const engine = deps.createEngine(options.engine);
  // `document`: the original front end's name for document_name.
  await emit('analysis_started', {
    document_name: options.documentName,
    document: options.documentName,
    engine: engine.name,
    model: engine.model,
    thorough,
  });

  const { sections, prepared, units } = planRun(options.pages, options.input, engine, thorough);
  const ocrPages = new Set(options.pages.filter((p) => p.ocr).map((p) => p.pageNumber));
  const totalQuestions = sections.reduce((n, s) => n + s.questions.length, 0);
  // window_size (the largest unit's page count) and the section names are what the original front end logs.
  const windowSize = units.reduce((n, unit) => Math.max(n, unitPages(unit).length), 0);
  await emit('document_ingested', {
    total_pages: options.pages.length,
    window_count: units.length,
    window_size: windowSize,
  });
  await emit('config_loaded', {
    total_questions: totalQuestions,
    section_count: sections.length,
    sections: sections.map((s) => s.section_name),
  });

  const answers = new Map<string, QuestionAnswer>(options.priorAnswers ?? []);
  const priorUsage = options.priorUsage ?? ZERO_USAGE;
  let spent: Usage = { ...ZERO_USAGE };
  let reservedUsd = 0; // estimates of units in flight, so concurrent units cannot overshoot the cap together
  let stoppedReason: StopReason | null = null;
  let failure: { error: unknown } | null = null;
  const completed = options.completedUnits ?? new Set<string>();
  const pending = units.map((unit, i) => ({ unit, windowNum: i + 1 })).filter(({ unit }) => !completed.has(unit.key));
  const questionSection = new Map<string, { question: Question; section: Section }>();
  for (const section of sections)
    for (const question of section.questions) questionSection.set(question.id, { question, section });

  let commitChain: Promise<void> = Promise.resolve();
  const commitUnit = async (
    unit: WorkUnit,
    windowNum: number,
    out: { answers: CandidateAnswer[]; usage: Usage },
    unitMs: number,
  ) => {
    const unitQuestions = new Set(unit.questions.map((q) => q.id));
    const batch: QuestionAnswer[] = [];
    for (const candidate of out.answers) {
      const meta = questionSection.get(candidate.question_id);
      // an engine may not answer outside its unit
      if (meta === undefined || !unitQuestions.has(candidate.question_id)) continue;
      batch.push(toQuestionAnswer(candidate, meta.question, meta.section, prepared.pageTexts, ocrPages));
    }
    // An abstention is stored as a null answer, so a stopped or failed run can tell "looked for, not found"
    // (a row) from "never reached" (no row).
    const candidateIds = new Set(batch.map((a) => a.question_id));
    for (const question of unit.questions) {
      const meta = questionSection.get(question.id);
      if (meta !== undefined && !candidateIds.has(question.id))
        batch.push(createEmptyAnswer(meta.question, meta.section));
    }
    const merged = accumulateAnswers(answers, batch);
    spent = addUsage(spent, out.usage);
    if (options.onCheckpoint !== undefined)
      await options.onCheckpoint({ unitKey: unit.key, answers: merged, usage: out.usage });
    const found = merged.filter((a) => a.answer !== null);
    await emit('window_complete', {
      window_num: windowNum,
      total_windows: units.length,
      // answer_text and footnote: the original front end's names for what it shows per answer.
      new_answers: found.map((a) => ({
        question_id: a.question_id,
        answer: a.answer,
        answer_text: a.answer,
        pages: a.pages,
        confidence: a.confidence,
        footnote: a.footnote,
      })),
      answers_found: found.length,
      processing_time: roundSeconds(unitMs),
      tokens_used: out.usage.total_tokens,
    });
  };

  let next = 0;
  const concurrency = Math.max(1, deps.unitConcurrency ?? (engine.name === 'llm' ? LLM_UNIT_CONCURRENCY : 1));
  const work = async () => {
    while (stoppedReason === null && failure === null && next < pending.length) {
      const { unit, windowNum } = pending[next++] as { unit: WorkUnit; windowNum: number };
      if (isAborted()) {
        stoppedReason = 'user';
        return;
      }
      const estimate = engine.estimateUnit(unit);
      const cap = options.maxCostUsd ?? null;
      if (cap !== null && priorUsage.cost_usd + spent.cost_usd + reservedUsd + estimate.cost_usd > cap) {
        stoppedReason = 'budget';
        return;
      }
      reservedUsd += estimate.cost_usd;
      let out: { answers: CandidateAnswer[]; usage: Usage };
      const unitStartedMs = Date.now();
      try {
        await emit('window_processing', { window_num: windowNum, total_windows: units.length, pages: unitPages(unit) });
        out = await engine.answerUnit(unit, { guardrails: options.input.guardrails, signal: options.signal });
      } catch (error) {
        if (isAborted()) stoppedReason ??= 'user';
        else failure ??= { error };
        return;
      } finally {
        reservedUsd -= estimate.cost_usd;
      }
      const unitMs = Date.now() - unitStartedMs;
      const commit = commitChain.then(() => commitUnit(unit, windowNum, out, unitMs));
      commitChain = commit.catch(() => undefined);
      try {
        await commit;
      } catch (error) {
        failure ??= { error };
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, pending.length)) }, () => work()));
  await commitChain;
  if (failure !== null) throw (failure as { error: unknown }).error;
  if (stoppedReason === null && isAborted() && next < pending.length) stoppedReason = 'user';

  const completedAt = new Date();
  const usage = addUsage(priorUsage, spent);
  const result = buildFullResult({
    documentName: options.documentName,
    totalPages: options.pages.length,
    engine: engine.name,
    model: engine.model,
    input: options.input,
    answers,
    ocrPages: [...ocrPages],
    usage,
    startedAt,
    completedAt,
    stoppedReason,
    thorough,
    complete: stoppedReason === null,
    processingTime: roundSeconds(completedAt.getTime() - startedAt.getTime()),
  });
  const summary = {
    questions_answered: result.stats.questions_answered,
    total_questions: result.stats.total_questions,
    processing_time: result.stats.processing_time,
    total_tokens: result.stats.total_tokens,
    estimated_cost: result.stats.estimated_cost,
  };
  const legacy = toLegacyResult(result);
  const statistics = toStatistics(result);
  // The original front end takes the result from this event (and falls back to GET /api/results).
  await emit('results_ready', { result: legacy });
  if (stoppedReason === null) await emit('analysis_complete', { ...summary, statistics });
  else await emit('analysis_stopped', { ...summary, reason: stoppedReason });
  return { result, legacy, statistics, stoppedReason };
}
