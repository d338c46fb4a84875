/** The llm engine through the real pipeline (runAnalysis): retrieval, citation verification, accounting, stop. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLlmEngine } from '../../../src/analysis/engines/llm-engine.js';
import { costOf } from '../../../src/analysis/llm/prices.js';
import { runAnalysis } from '../../../src/analysis/run-analysis.js';
import type { RunAnalysisOptions } from '../../../src/analysis/types.js';
import type { IngestedPage } from '../../../src/ingest/types.js';
import type { QuestionConfig } from '../../../src/questions/types.js';
import {
  type FakeLlmServer,
  answersReply,
  createPlantedAnswerHandler,
  readPrompt,
  startFakeLlmServer,
} from '../../helpers/fake-llm-server.js';
import { llmTestConfig } from './llm-test-config.js';
import { HUNG_MS, STOPPED_WITHIN_MS, settleWithin } from '../../helpers/bounded-wait.js';

const CONFIG: QuestionConfig = {
  config_name: 'Test CIPP',
  version: '1',
  description: 'Two sections for pipeline tests',
  sections: [
    {
      section_id: 'materials_standards',
      section_name: 'Materials and Standards',
      description: 'Liner materials and resin',
      questions: [
        { id: 'Q11', text: 'What is the minimum liner thickness?', required: true, expected_type: 'technical_spec' },
        { id: 'Q12', text: 'What resin type is required?', required: true, expected_type: 'string' },
      ],
    },
    {
      section_id: 'pricing_payment',
      section_name: 'Pricing and Payment',
      description: 'Bonds and payment terms',
      questions: [
        { id: 'Q81', text: 'What bid bond is required with the proposal?', required: true, expected_type: 'string' },
      ],
    },
  ],
};

const THICKNESS = 'The minimum liner thickness shall be 7.5 mm for all 8 inch sewer mains.';
const BID_BOND = 'A bid bond of 5 percent of the total bid shall accompany each proposal.';
const FILLER = [
  'The Contractor shall keep the work site clean and orderly at all times during construction activities.',
  'Traffic control shall follow the approved plan and the local permit conditions for lane closures.',
  'Bypass pumping shall maintain sewer flow during all lining and reinstatement operations.',
  'Submittals shall be delivered to the Engineer at least ten working days before the related work begins.',
];

function makePages(): IngestedPage[] {
  const bodies: string[][] = [
    [FILLER[0] as string, FILLER[1] as string],
    [
      FILLER[2] as string,
      'Resin shall be stored at the temperature recommended by the manufacturer.',
      FILLER[3] as string,
    ],
    [FILLER[1] as string, THICKNESS, FILLER[0] as string],
    [FILLER[3] as string, FILLER[2] as string],
    [BID_BOND, FILLER[0] as string],
    [FILLER[1] as string, FILLER[3] as string],
  ];
  return bodies.map((sentences, i) => ({
    pageNumber: i + 1,
    label: null,
    text: `RIVERTON SEWER CONTRACT\n${sentences.join('\n')}\nPage ${i + 1}`,
    boilerplateLines: ['RIVERTON SEWER CONTRACT'],
    ocr: false,
    ocrConfidence: null,
  }));
}

function runOptions(overrides: Partial<RunAnalysisOptions> = {}): RunAnalysisOptions {
  return {
    documentName: 'spec.pdf',
    pages: makePages(),
    input: { config: CONFIG, enabledSections: [], guardrails: 'We bid only on 8 to 24 inch mains.' },
    engine: 'llm',
    ...overrides,
  };
}

describe('llm engine in the analysis pipeline', () => {
  let fake: FakeLlmServer;
  beforeEach(async () => {
    fake = await startFakeLlmServer();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('keeps verified answers with their true page, drops an invented quote, and totals exactly what was charged', async () => {
    const planted = createPlantedAnswerHandler({ Q11: THICKNESS, Q81: BID_BOND });
    fake.setHandler(async (request) => {
      const prompt = readPrompt(request);
      if (!prompt.questions.some((q) => q.id === 'Q12')) return planted(request);
      // Materials: a correct answer for Q11 cited on the wrong page, and an invented quote for Q12.
      const thickness = prompt.excerpts.find((e) => e.text.includes(THICKNESS));
      return answersReply([
        {
          question_id: 'Q11',
          answer: '7.5 mm',
          quote: THICKNESS,
          pages: [(thickness?.pages[0] ?? 3) + 1],
          confidence: 0.9,
        },
        {
          question_id: 'Q12',
          answer: 'Epoxy',
          quote: 'Resin shall be a two-part epoxy system.',
          pages: [2],
          confidence: 0.9,
        },
      ]);
    });
    const config = llmTestConfig(fake.url);
    const outcome = await runAnalysis(runOptions(), { createEngine: () => createLlmEngine(config) });
    const answers = new Map(outcome.result.sections.flatMap((s) => s.answers).map((a) => [a.question_id, a]));

    expect(answers.get('Q11')).toMatchObject({ answer: '7.5 mm', pages: [3] });
    expect(answers.get('Q11')?.footnote).toContain('7.5 mm');
    expect(answers.get('Q81')).toMatchObject({ pages: [5] });
    expect(answers.get('Q12')?.pages).toEqual([]);
    expect(answers.get('Q12')?.confidence ?? 1).toBeLessThanOrEqual(0.25);

    expect(fake.requests.every((r) => readPrompt(r).guardrails === 'We bid only on 8 to 24 inch mains.')).toBe(true);
    expect(outcome.result.stats).toMatchObject({
      llm_calls: fake.totals.completions,
      prompt_tokens: fake.totals.prompt_tokens,
      completion_tokens: fake.totals.completion_tokens,
      total_tokens: fake.totals.total_tokens,
    });
    // the pipeline rounds to 1e-6 USD
    expect(outcome.result.stats.estimated_cost).toBeCloseTo(costOf('gpt-4o-mini', fake.totals).cost_usd, 6);
    expect(outcome.result.model).toBe('gpt-4o-mini');
  });

  it('shows the model the project information page, with its heading path, for a question its fields answer in a long manual', async () => {
    // 60 pages: general conditions name the contract time on every page; only the information page states it.
    const pages: IngestedPage[] = [
      {
        pageNumber: 1,
        label: null,
        text: 'TOWN OF ELMVALE\nELM STREET WATER MAIN RENEWAL\nCONTRACT DOCUMENTS',
        boilerplateLines: [],
        ocr: false,
        ocrConfidence: null,
      },
      {
        pageNumber: 2,
        label: null,
        text: 'SECTION 00 01 03\nPROJECT INFORMATION\nBID SUBMISSION DATE: April 9, 2031 until 2:00 PM.\nCONTRACT DURATION: 240 consecutive calendar days from the notice to proceed.',
        boilerplateLines: [],
        ocr: false,
        ocrConfidence: null,
      },
      ...Array.from({ length: 58 }, (_v, i): IngestedPage => ({
        pageNumber: i + 3,
        label: null,
        text: `SECTION 00 72 00\n${i + 1}.1 GENERAL CONDITIONS ARTICLE ${i + 1}\nThe Contractor shall complete the Work within the Contract Time, and the contract time may be extended only by change order. ${FILLER[i % FILLER.length]}`,
        boilerplateLines: [],
        ocr: false,
        ocrConfidence: null,
      })),
    ];
    const config: QuestionConfig = {
      config_name: 'Manual',
      version: '1',
      description: 'One question',
      sections: [
        {
          section_id: 'schedule',
          section_name: 'Schedule',
          description: '',
          questions: [{ id: 'T1', text: 'What is the contract time?', required: true, expected_type: 'string' }],
        },
      ],
    };
    const quote = 'CONTRACT DURATION: 240 consecutive calendar days from the notice to proceed.';
    fake.setHandler(createPlantedAnswerHandler({ T1: quote }));
    const outcome = await runAnalysis(runOptions({ pages, input: { config, enabledSections: [], guardrails: '' } }), {
      createEngine: () => createLlmEngine(llmTestConfig(fake.url)),
    });
    const prompt = readPrompt(fake.requests[0]!);
    const excerpt = prompt.excerpts.find((e) => e.text.includes(quote));
    expect(excerpt?.pages).toEqual([2]);
    expect(excerpt?.context).toBe('00 01 03 Project Information');
    expect(outcome.result.sections[0]?.answers[0]).toMatchObject({ pages: [2] });
  });

  it('sweeps every 3-page window for every section in thorough mode', async () => {
    const config = llmTestConfig(fake.url);
    const outcome = await runAnalysis(runOptions({ thorough: true }), { createEngine: () => createLlmEngine(config) });
    expect(fake.totals.completions).toBe(2 * 2); // pages 1-3 and 4-6, two sections
    expect(outcome.result.stats.llm_calls).toBe(4);
    const windows = fake.requests.map((r) => readPrompt(r).excerpts.map((e) => e.pages[0]));
    expect(windows).toContainEqual([1, 2, 3]);
    expect(windows).toContainEqual([4, 5, 6]);
  });

  it('stops during a slow call without waiting for it, and ends partial', async () => {
    // The call would otherwise take HUNG_MS, far beyond the bound below.
    fake.setHandler(() => ({ content: '{"answers":[]}', delayMs: HUNG_MS }));
    const config = llmTestConfig(fake.url, { timeoutMs: 2 * HUNG_MS });
    const controller = new AbortController();
    const running = runAnalysis(runOptions({ signal: controller.signal }), {
      createEngine: () => createLlmEngine(config),
    });
    await fake.waitForRequests(1);
    controller.abort();
    const outcome = await settleWithin(running, STOPPED_WITHIN_MS, 'the stopped run to end');
    expect(outcome.stoppedReason).toBe('user');
    expect(fake.totals.completions).toBe(0);
    expect(outcome.result.stats.total_tokens).toBe(0);
  });
});
