/**
 * The analysis off the HTTP thread: a generated PDF analysed in a worker thread gives exactly what the calling
 * thread gives (answers, events, checkpoints, estimates); a stop reaches the thread and the run comes back
 * partial with what it found; a thread that dies fails only its job, with an error the run worker retries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config.js';
import { createEngineFactory } from '../../src/analysis/create-engine.js';
import type {
  Checkpoint,
  ProgressEventInput,
  RunAnalysisOptions,
  RunAnalysisOutcome,
} from '../../src/analysis/types.js';
import {
  analysisWorkerPool,
  estimateRunOffThread,
  runAnalysisOffThread,
  type OffThreadDeps,
} from '../../src/analysis-worker/index.js';
import { ingestOptionsFromConfig, ingestPdf, type IngestedPage } from '../../src/ingest/index.js';
import { AppError } from '../../src/errors.js';
import { createTextPdf } from '../helpers/pdf-factory.js';
import { createRunInput } from '../analysis/page-factory.js';
import { createScenarioPages, scenarioSections } from '../analysis/spec-scenario.js';

// The llm engine plans and estimates in the thread; it is never asked to answer here (no network).
const config = testConfig({ LLM_BASE_URL: 'http://127.0.0.1:9/v1', LLM_MODEL: 'gpt-4o-mini' });
const createEngine = createEngineFactory(config);
const inThread: OffThreadDeps = { settings: config, createEngine, threads: 0 };
const offThread: OffThreadDeps = { settings: config, createEngine, threads: 2 };

interface Recorded {
  outcome: RunAnalysisOutcome;
  events: ProgressEventInput[];
  checkpoints: Checkpoint[];
}

async function analyse(
  pages: IngestedPage[],
  deps: OffThreadDeps,
  extra: Partial<RunAnalysisOptions> = {},
): Promise<Recorded> {
  const events: ProgressEventInput[] = [];
  const checkpoints: Checkpoint[] = [];
  const outcome = await runAnalysisOffThread(
    {
      documentName: 'scenario.pdf',
      pages,
      input: createRunInput(scenarioSections),
      engine: 'extractive',
      startedAt: new Date('2026-01-01T00:00:00Z'),
      onEvent: (e) => {
        events.push(e);
      },
      onCheckpoint: (c) => {
        checkpoints.push(c);
      },
      ...extra,
    },
    deps,
  );
  return { outcome, events, checkpoints };
}

/** A copy with every wall-clock field zeroed, at any depth (results_ready carries the whole result). */
function withoutClockFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutClockFields);
  if (value === null || typeof value !== 'object') return value;
  const CLOCK_FIELDS = new Set(['processing_time', 'completed_at', 'started_at']);
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, CLOCK_FIELDS.has(k) ? 0 : withoutClockFields(v)]),
  );
}

/** Everything but wall-clock fields (completion time, processing time). */
function comparable(r: Recorded) {
  const { result } = r.outcome;
  return {
    sections: result.sections,
    stats: { ...result.stats, processing_time: 0 },
    stoppedReason: r.outcome.stoppedReason,
    events: r.events.map((e) => ({ event: e.event, data: withoutClockFields(e.data) })),
    checkpoints: r.checkpoints,
  };
}

describe('analysis in a worker thread', () => {
  let pages: IngestedPage[];
  beforeAll(async () => {
    // A real PDF, read by the real ingest, so the pages are exactly what a run would get.
    const pdf = await createTextPdf(createScenarioPages().map((p) => p.text));
    pages = (await ingestPdf(pdf, { ...ingestOptionsFromConfig(config), ocr: 'off' })).pages;
  }, 120_000);
  afterAll(async () => {
    await analysisWorkerPool.stop();
  });

  it('gives exactly the answers, events and checkpoints of the in-thread run', async () => {
    const here = await analyse(pages, inThread);
    const there = await analyse(pages, offThread);
    expect(here.outcome.result.stats.questions_answered).toBeGreaterThan(3);
    expect(comparable(there)).toEqual(comparable(here));
    expect(there.outcome.legacy.sections).toEqual(here.outcome.legacy.sections);
  }, 120_000);

  it('resumes like the in-thread run: finished units skipped, prior answers merged', async () => {
    const first = await analyse(pages, inThread);
    const done = new Set(first.checkpoints.slice(0, 2).map((c) => c.unitKey));
    const prior = new Map(
      first.checkpoints.slice(0, 2).flatMap((c) => c.answers.map((a) => [a.question_id, a] as const)),
    );
    const resume = { completedUnits: done, priorAnswers: prior };
    const here = await analyse(pages, inThread, resume);
    const there = await analyse(pages, offThread, resume);
    expect(there.checkpoints.map((c) => c.unitKey)).toEqual(here.checkpoints.map((c) => c.unitKey));
    expect(there.checkpoints.some((c) => done.has(c.unitKey))).toBe(false);
    expect(comparable(there)).toEqual(comparable(here));
  }, 120_000);

  it('estimates exactly as the calling thread does, for both engines', async () => {
    for (const engine of ['extractive', 'llm'] as const) {
      const args = { pages, input: createRunInput(scenarioSections), engine };
      const here = await estimateRunOffThread(args, inThread);
      const there = await estimateRunOffThread(args, offThread);
      expect(there).toEqual(here);
    }
    const llm = await estimateRunOffThread(
      { pages, input: createRunInput(scenarioSections), engine: 'llm' },
      offThread,
    );
    expect(llm.llm_calls).toBeGreaterThan(0);
  }, 120_000);

  it('comes back partial with the answers of finished units when stopped mid-run', async () => {
    const controller = new AbortController();
    const r = await analyse(pages, offThread, {
      signal: controller.signal,
      onCheckpoint: () => controller.abort(new Error('stop')),
    });
    expect(r.outcome.stoppedReason).toBe('user');
    expect(r.events.at(-1)?.event).toBe('analysis_stopped');
    // The checkpointed unit's answers are in the result; the units after the stop were never examined.
    const full = await analyse(pages, inThread);
    expect(r.events.filter((e) => e.event === 'window_complete').length).toBeLessThan(
      full.events.filter((e) => e.event === 'window_complete').length,
    );
    const firstCheckpoint = full.checkpoints[0]!;
    const found = new Map(r.outcome.result.sections.flatMap((s) => s.answers).map((a) => [a.question_id, a]));
    // The result adds each question's answer_status; a checkpointed unit's questions were all looked at.
    for (const a of firstCheckpoint.answers) {
      expect(found.get(a.question_id)).toEqual({ ...a, answer_status: a.answer === null ? 'not_found' : 'answered' });
    }
  }, 120_000);

  it('rejects with the very error a main-thread callback threw, so the caller can tell what it was', async () => {
    class LeaseGone extends Error {}
    const thrown = new LeaseGone('another process owns this run');
    const err = await analyse(pages, offThread, {
      onCheckpoint: () => {
        throw thrown;
      },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBe(thrown);
  }, 120_000);

  it('fails only the job of a thread that dies, with a retryable error, and runs the next job', async () => {
    const crashedBefore = analysisWorkerPool.stats().crashed;
    let checkpoints = 0;
    const run = analyse(pages, offThread, {
      onCheckpoint: async () => {
        checkpoints++;
        // The thread waits for this checkpoint to be stored: end it meanwhile, as a crash would.
        if (checkpoints === 1) await Promise.all(analysisWorkerPool.busyWorkers('run').map((w) => w.terminate()));
      },
    });
    const err = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INTERNAL');
    expect(checkpoints).toBe(1);
    expect(analysisWorkerPool.stats().crashed).toBe(crashedBefore + 1);
    const next = await analyse(pages, offThread);
    expect(next.outcome.stoppedReason).toBeNull();
    expect(next.outcome.result.stats.questions_answered).toBeGreaterThan(3);
  }, 120_000);
});
