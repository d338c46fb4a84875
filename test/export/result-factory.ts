/**
 * Builds FullResult / ExportInput values for export tests: N sections × M questions, a deterministic mix of
 * answered (with quotes, pages, some variants) and unanswered questions, plus hooks to plant hostile text.
 */
import type { FullResult, QuestionAnswer, SectionResult } from '../../src/analysis/types.js';
import type { ExportInput, ExportSession, SessionStatus } from '../../src/export/export-input.js';

export interface ResultFactoryOptions {
  sections?: number;
  questionsPerSection?: number;
  /** Every k-th question (1-based within the run) is left unanswered. */
  unansweredEvery?: number;
  /** Every k-th question gets one variant. */
  variantEvery?: number;
  /** Replaces generated text for chosen question ids (to plant commas, quotes, formulas...). */
  overrides?: Record<string, Partial<QuestionAnswer>>;
  /** Question texts by id, e.g. to mimic the default CIPP config. */
  questionTexts?: Record<string, string>;
}

export function makeQuestionId(sectionIndex: number, questionIndex: number): string {
  return `S${sectionIndex + 1}Q${questionIndex + 1}`;
}

export function makeFullResult(options: ResultFactoryOptions = {}): FullResult {
  const sectionCount = options.sections ?? 3;
  const questionsPerSection = options.questionsPerSection ?? 4;
  const unansweredEvery = options.unansweredEvery ?? 3;
  const variantEvery = options.variantEvery ?? 5;
  const sections: SectionResult[] = [];
  let ordinal = 0;
  let answered = 0;
  let confidenceSum = 0;
  for (let s = 0; s < sectionCount; s += 1) {
    const answers: QuestionAnswer[] = [];
    for (let q = 0; q < questionsPerSection; q += 1) {
      ordinal += 1;
      const id = makeQuestionId(s, q);
      const page = 10 + ordinal;
      const isUnanswered = ordinal % unansweredEvery === 0;
      const quoteText = `the liner for item ${ordinal} shall be ${(ordinal % 9) + 3}.0 mm thick`;
      const base: QuestionAnswer = {
        question_id: id,
        section_id: `section_${s + 1}`,
        question: options.questionTexts?.[id] ?? `What is requirement number ${ordinal}?`,
        expected_type: 'string',
        answer: isUnanswered ? null : `Answer ${ordinal}: ${(ordinal % 9) + 3}.0 mm`,
        value: null,
        pages: isUnanswered ? [] : [page, page + 1],
        confidence: isUnanswered ? 0 : 0.5 + (ordinal % 5) / 10,
        footnote: isUnanswered ? null : `"${quoteText}" (p. ${page})`,
        quotes: isUnanswered
          ? []
          : [
              { page, text: quoteText },
              { page: page + 1, text: `continued clause ${ordinal}` },
            ],
        variants:
          !isUnanswered && ordinal % variantEvery === 0
            ? [
                {
                  answer: `Variant answer ${ordinal}`,
                  pages: [400 + ordinal],
                  confidence: 0.4,
                  footnote: `"variant clause ${ordinal}" (p. ${400 + ordinal})`,
                  quotes: [{ page: 400 + ordinal, text: `variant clause ${ordinal}` }],
                },
              ]
            : [],
        ocr: false,
      };
      const answer = { ...base, ...options.overrides?.[id] };
      if (answer.answer !== null) {
        answered += 1;
        confidenceSum += answer.confidence;
      }
      answers.push(answer);
    }
    sections.push({
      section_id: `section_${s + 1}`,
      section_name: `Section ${s + 1}`,
      description: `Questions of section ${s + 1}`,
      answers,
    });
  }
  return {
    document_name: 'Penhold RFP.pdf',
    total_pages: 1200,
    engine: 'extractive',
    model: null,
    config_name: 'test config',
    enabled_sections: sections.map((section) => section.section_id),
    guardrails: '',
    ocr_pages: [],
    sections,
    stats: {
      processing_time: 83.4,
      total_tokens: 123_456,
      prompt_tokens: 100_000,
      completion_tokens: 23_456,
      estimated_cost: 0.1234,
      questions_answered: answered,
      total_questions: ordinal,
      average_confidence: answered === 0 ? 0 : confidenceSum / answered,
      llm_calls: 12,
    },
    metadata: {
      started_at: '2026-11-26T04:00:00.000Z',
      completed_at: '2026-11-26T04:01:23.400Z',
      stopped_reason: null,
      thorough: false,
    },
  };
}

export function makeExportInput(
  options: ResultFactoryOptions & { status?: SessionStatus; error?: string | null; documentName?: string } = {},
): ExportInput {
  const status = options.status ?? 'completed';
  const session: ExportSession = {
    id: 'k3J9x2LmQp7RtV8wYz4AbC',
    status,
    documentName: options.documentName ?? 'Penhold RFP.pdf',
    createdAt: new Date('2026-11-26T04:00:00.000Z'),
    completedAt:
      status === 'completed' || status === 'partial' || status === 'failed'
        ? new Date('2026-11-26T04:01:23.400Z')
        : null,
    engine: 'extractive',
    model: null,
    error: status === 'failed' ? (options.error ?? 'The language model could not be reached.') : null,
    owner: 'estimator@example.com',
  };
  const result = makeFullResult(options);
  return { session, result: { ...result, document_name: session.documentName } };
}
