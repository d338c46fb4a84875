import { describe, expect, it } from 'vitest';
import type { AnalysisEngine, CandidateAnswer, PlanArgs, WorkUnit } from '../../src/analysis/engine.js';
import { buildFullResult, toLegacyResult, toStatistics } from '../../src/analysis/build-result.js';
import { createExtractiveEngine } from '../../src/analysis/engines/extractive-engine.js';
import { estimateRun, runAnalysis } from '../../src/analysis/run-analysis.js';
import type { Checkpoint, ProgressEventInput, QuestionAnswer, Usage } from '../../src/analysis/types.js';
import { createDocument, createQuestion, createRunInput, createSection } from './page-factory.js';

const pages = createDocument(6, {
  2: ['Bypass pumping shall be provided for all flows during lining.'],
  3: ['The minimum liner thickness shall be 7.5 mm.'],
  4: ['Sealed bids are due on August 1, 2024.'],
});

const sections = [
  createSection('s1', [
    createQuestion('A1', 'Is bypass pumping required?'),
    createQuestion('A2', 'Is a pandemic plan required?'),
  ]),
  createSection('s2', [createQuestion('B1', 'What is the liner thickness?', 'technical_spec')]),
  createSection('s3', [createQuestion('C1', 'When are bids due?', 'date')]),
];

/** Per question: the answer and quote a fake engine gives, and the page it claims. */
const FAKE_ANSWERS: Record<string, { answer: string; quote: string; page: number }> = {
  A1: { answer: 'Yes', quote: 'Bypass pumping shall be provided for all flows', page: 2 },
  B1: { answer: '7.5 mm', quote: 'The minimum liner thickness shall be 7.5 mm.', page: 5 }, // wrong page: really on 3
  // invented
  C1: { answer: 'August 1, 2024', quote: 'Bids must be delivered by courier before August 1, 2024.', page: 4 },
};

/** A paid engine stand-in: one unit per section, each costing USD 0.01 and 100 tokens. */
class FakeEngine implements AnalysisEngine {
  readonly name = 'llm' as const;
  readonly model = 'fake-model';
  answered: string[] = [];
  constructor(private readonly hooks: { beforeAnswer?: (unit: WorkUnit) => void; fail?: string } = {}) {}
  planUnits(args: PlanArgs): WorkUnit[] {
    return args.sections.map((section) => ({
      key: `fake:${section.section_id}`,
      section,
      questions: section.questions,
      passages: args.passages.slice(0, 2),
      retrieved: {},
    }));
  }
  estimateUnit(): { prompt_tokens: number; completion_tokens: number; cost_usd: number } {
    return { prompt_tokens: 80, completion_tokens: 20, cost_usd: 0.01 };
  }
  async answerUnit(
    unit: WorkUnit,
    ctx: { signal?: AbortSignal },
  ): Promise<{ answers: CandidateAnswer[]; usage: Usage }> {
    this.hooks.beforeAnswer?.(unit);
    if (ctx.signal?.aborted) throw new Error('aborted');
    if (this.hooks.fail === unit.key) throw new Error('model exploded');
    this.answered.push(unit.key);
    const answers = unit.questions.map((q): CandidateAnswer => {
      const f = FAKE_ANSWERS[q.id];
      return f === undefined
        ? { question_id: q.id, answer: null, quotes: [], confidence: 0.1 }
        : { question_id: q.id, answer: f.answer, quotes: [{ text: f.quote, pages: [f.page] }], confidence: 0.9 };
    });
    return {
      answers,
      usage: { prompt_tokens: 80, completion_tokens: 20, total_tokens: 100, cost_usd: 0.01, llm_calls: 1 },
    };
  }
}

function collect() {
  const events: ProgressEventInput[] = [];
  const checkpoints: Checkpoint[] = [];
  return {
    events,
    checkpoints,
    onEvent: (e: ProgressEventInput) => void events.push(e),
    onCheckpoint: async (c: Checkpoint) => void checkpoints.push(c),
  };
}

function answersOf(result: { sections: Array<{ answers: QuestionAnswer[] }> }): Map<string, QuestionAnswer> {
  return new Map(result.sections.flatMap((s) => s.answers).map((a) => [a.question_id, a]));
}

describe('runAnalysis', () => {
  it('runs every unit, verifies citations, checkpoints each unit and emits the product events', async () => {
    const engine = new FakeEngine();
    const c = collect();
    const out = await runAnalysis(
      { documentName: 'spec.pdf', pages, input: createRunInput(sections), engine: 'llm', ...c },
      { createEngine: () => engine, unitConcurrency: 1 },
    );
    expect(out.stoppedReason).toBeNull();
    expect(c.checkpoints.map((k) => k.unitKey)).toEqual(['fake:s1', 'fake:s2', 'fake:s3']);
    const answers = answersOf(out.result);
    expect(answers.get('B1')?.pages).toEqual([3]); // wrong page fixed
    expect(answers.get('C1')?.pages).toEqual([]); // invented quote dropped
    expect(answers.get('C1')?.confidence).toBeLessThanOrEqual(0.25);
    expect(answers.get('A2')?.answer).toBeNull();
    expect(c.events.map((e) => e.event)).toEqual([
      'analysis_started',
      'document_ingested',
      'config_loaded',
      ...[
        'window_processing',
        'window_complete',
        'window_processing',
        'window_complete',
        'window_processing',
        'window_complete',
      ],
      'results_ready',
      'analysis_complete',
    ]);
    expect(c.events[1]?.data).toMatchObject({ total_pages: 6, window_count: 3 });
    expect(c.events[1]?.data.window_size).toBeGreaterThanOrEqual(1);
    expect(c.events[2]?.data).toMatchObject({ total_questions: 4, section_count: 3 });
    expect(c.events[2]?.data.sections).toHaveLength(3);
    const complete = c.events.find((e) => e.event === 'window_complete' && e.data.window_num === 2);
    expect(complete?.data).toMatchObject({
      window_num: 2,
      tokens_used: 100,
      new_answers: [{ question_id: 'B1', answer: '7.5 mm', pages: [3], confidence: 0.9 }],
    });
    expect(c.events.at(-1)?.data).toMatchObject({
      questions_answered: 3,
      total_questions: 4,
      total_tokens: 300,
      estimated_cost: 0.03,
    });
    expect(out.result.stats.llm_calls).toBe(3);
    expect(out.result.model).toBe('fake-model');
  });

  it('resumes: skips completed units, keeps prior answers and counts prior usage', async () => {
    const engine = new FakeEngine();
    const c = collect();
    const prior: QuestionAnswer = {
      ...buildFullResult({
        documentName: 'x',
        totalPages: 6,
        engine: 'llm',
        model: null,
        input: createRunInput(sections),
        answers: [],
        ocrPages: [],
        usage: zeroUsage(),
        startedAt: new Date(),
        completedAt: null,
        stoppedReason: null,
        thorough: false,
        complete: false,
      }).sections[0]!.answers[0]!,
      answer: 'Yes (from attempt 1)',
      pages: [2],
      confidence: 0.8,
    };
    const out = await runAnalysis(
      {
        documentName: 'spec.pdf',
        pages,
        input: createRunInput(sections),
        engine: 'llm',
        completedUnits: new Set(['fake:s1']),
        priorAnswers: new Map([['A1', prior]]),
        priorUsage: { prompt_tokens: 80, completion_tokens: 20, total_tokens: 100, cost_usd: 0.01, llm_calls: 1 },
        ...c,
      },
      { createEngine: () => engine },
    );
    expect(engine.answered).toEqual(['fake:s2', 'fake:s3']);
    expect(c.checkpoints.map((k) => k.unitKey)).toEqual(['fake:s2', 'fake:s3']);
    expect(answersOf(out.result).get('A1')?.answer).toBe('Yes (from attempt 1)');
    expect(out.result.stats.total_tokens).toBe(300);
    expect(out.statistics.estimated_cost).toBe('$0.0300');
  });

  it('stops when the signal aborts, without throwing, and keeps the answers so far', async () => {
    const controller = new AbortController();
    const c = collect();
    const engine = new FakeEngine();
    const out = await runAnalysis(
      {
        documentName: 'spec.pdf',
        pages,
        input: createRunInput(sections),
        engine: 'llm',
        signal: controller.signal,
        ...c,
        onCheckpoint: async (k) => {
          c.checkpoints.push(k);
          controller.abort();
        },
      },
      { createEngine: () => engine, unitConcurrency: 1 },
    );
    expect(out.stoppedReason).toBe('user');
    expect(out.result.metadata.stopped_reason).toBe('user');
    expect(c.checkpoints).toHaveLength(1);
    expect(answersOf(out.result).get('A1')?.answer).toBe('Yes');
    expect(answersOf(out.result).get('B1')?.answer).toBeNull();
    expect(c.events.at(-1)?.event).toBe('analysis_stopped');
  });

  it('stores an abstention as a null answer, so a stopped run tells not_found from not_examined', async () => {
    // An engine that leaves abstentions out (as the extractive engine does): A2 gets no candidate at all.
    class SilentAbstainer extends FakeEngine {
      override async answerUnit(unit: WorkUnit, ctx: { signal?: AbortSignal }) {
        const out = await super.answerUnit(unit, ctx);
        return { ...out, answers: out.answers.filter((a) => a.answer !== null) };
      }
    }
    const controller = new AbortController();
    const c = collect();
    const out = await runAnalysis(
      {
        documentName: 'spec.pdf',
        pages,
        input: createRunInput(sections),
        engine: 'llm',
        signal: controller.signal,
        ...c,
        onCheckpoint: async (k) => {
          c.checkpoints.push(k);
          controller.abort();
        },
      },
      { createEngine: () => new SilentAbstainer(), unitConcurrency: 1 },
    );
    expect(c.checkpoints[0]!.answers.map((a) => [a.question_id, a.answer])).toEqual([
      ['A1', 'Yes'],
      ['A2', null],
    ]);
    const statuses = Object.fromEntries(
      toLegacyResult(out.result).sections.flatMap((s) => s.questions.map((q) => [q.question_id, q.answer_status])),
    );
    expect(statuses).toEqual({ A1: 'answered', A2: 'not_found', B1: 'not_examined', C1: 'not_examined' });
  });

  it('treats an abort during a unit as a stop, not a failure', async () => {
    const controller = new AbortController();
    const engine = new FakeEngine({ beforeAnswer: (unit) => unit.key === 'fake:s2' && controller.abort() });
    const out = await runAnalysis(
      { documentName: 'spec.pdf', pages, input: createRunInput(sections), engine: 'llm', signal: controller.signal },
      { createEngine: () => engine },
    );
    expect(out.stoppedReason).toBe('user');
    expect(engine.answered).toEqual(['fake:s1']);
  });

  it('stops with reason budget before a unit would take spending past the cap', async () => {
    const engine = new FakeEngine();
    const c = collect();
    const out = await runAnalysis(
      {
        documentName: 'spec.pdf',
        pages,
        input: createRunInput(sections),
        engine: 'llm',
        maxCostUsd: 0.025,
        priorUsage: { ...zeroUsage(), cost_usd: 0.005 },
        ...c,
      },
      { createEngine: () => engine, unitConcurrency: 1 },
    );
    expect(out.stoppedReason).toBe('budget');
    expect(c.checkpoints.map((k) => k.unitKey)).toEqual(['fake:s1', 'fake:s2']);
    expect(out.result.stats.estimated_cost).toBeCloseTo(0.025, 6);
    expect(c.events.at(-1)).toMatchObject({ event: 'analysis_stopped', data: { reason: 'budget' } });
  });

  it('runs up to four paid units at once and still checkpoints each exactly once', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const engine = new FakeEngine();
    const original = engine.answerUnit.bind(engine);
    engine.answerUnit = async (unit, ctx) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      return original(unit, ctx);
    };
    const many = Array.from({ length: 6 }, (_v, i) =>
      createSection(`m${i}`, [createQuestion(`M${i}`, 'Is bypass pumping required?')]),
    );
    const c = collect();
    await runAnalysis(
      { documentName: 'spec.pdf', pages, input: createRunInput(many), engine: 'llm', ...c },
      { createEngine: () => engine },
    );
    expect(maxInFlight).toBe(4);
    expect(c.checkpoints.map((k) => k.unitKey).sort()).toEqual(many.map((s) => `fake:${s.section_id}`).sort());
  });

  it('rejects when the engine fails for another reason', async () => {
    const engine = new FakeEngine({ fail: 'fake:s2' });
    await expect(
      runAnalysis(
        { documentName: 'spec.pdf', pages, input: createRunInput(sections), engine: 'llm' },
        { createEngine: () => engine },
      ),
    ).rejects.toThrow('model exploded');
  });

  it('counts only enabled sections and lists every question of them', async () => {
    const out = await runAnalysis(
      { documentName: 'spec.pdf', pages, input: createRunInput(sections, ['s1', 's3']), engine: 'llm' },
      { createEngine: () => new FakeEngine() },
    );
    expect(out.result.enabled_sections).toEqual(['s1', 's3']);
    expect(out.legacy.sections.map((s) => s.section_id)).toEqual(['s1', 's3']);
    expect(out.legacy.total_questions).toBe(3);
    expect(out.legacy.sections.flatMap((s) => s.questions.map((q) => q.question_id))).toEqual(['A1', 'A2', 'C1']);
  });

  it('builds the legacy result and statistics in the PRODUCT.md shapes', async () => {
    const out = await runAnalysis(
      { documentName: 'spec.pdf', pages, input: createRunInput(sections), engine: 'llm' },
      { createEngine: () => new FakeEngine() },
    );
    expect(Object.keys(out.legacy).sort()).toEqual([
      'document_name',
      'metadata',
      'questions_answered',
      'sections',
      'total_pages',
      'total_questions',
    ]);
    expect(Object.keys(out.legacy.metadata).sort()).toEqual([
      'completed_at',
      'estimated_cost',
      'started_at',
      'total_tokens',
    ]);
    const q = out.legacy.sections[1]?.questions[0];
    expect(q).toEqual({
      question_id: 'B1',
      question: 'What is the liner thickness?',
      answer: '7.5 mm',
      page_citations: [3],
      confidence: 0.9,
      footnote: '"The minimum liner thickness shall be 7.5 mm." (p. 3)',
      answer_status: 'answered',
    });
    expect(out.legacy.sections[0]?.questions[1]).toMatchObject({
      answer: null,
      page_citations: [],
      footnote: null,
      answer_status: 'not_found',
    });
    expect(out.statistics).toEqual({
      processing_time: out.result.stats.processing_time,
      total_tokens: 300,
      estimated_cost: '$0.0300',
      questions_answered: 3,
      total_questions: 4,
      average_confidence: `${Math.round(((0.9 + 0.9 + 0.25) / 3) * 100)}%`,
    });
    expect(toLegacyResult(out.result)).toEqual(out.legacy);
    expect(toStatistics(out.result)).toEqual(out.statistics);
  });

  it('estimates a run before it starts: zero cost offline, units × estimate for a paid engine', () => {
    const offline = estimateRun(
      { pages, input: createRunInput(sections), engine: 'extractive' },
      { createEngine: () => createExtractiveEngine() },
    );
    expect(offline).toMatchObject({
      engine: 'extractive',
      total_pages: 6,
      total_questions: 4,
      llm_calls: 0,
      estimated_cost_usd: 0,
    });
    const paid = estimateRun(
      { pages, input: createRunInput(sections), engine: 'llm' },
      { createEngine: () => new FakeEngine() },
    );
    expect(paid).toMatchObject({
      engine: 'llm',
      model: 'fake-model',
      llm_calls: 3,
      prompt_tokens: 240,
      completion_tokens: 60,
      estimated_cost_usd: 0.03,
    });
  });
});

function zeroUsage(): Usage {
  return { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0, llm_calls: 0 };
}
