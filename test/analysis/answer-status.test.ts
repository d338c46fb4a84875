import { describe, expect, it } from 'vitest';
import { buildFullResult, createEmptyAnswer, toLegacyResult } from '../../src/analysis/build-result.js';
import type { QuestionAnswer } from '../../src/analysis/types.js';
import { createQuestion, createRunInput, createSection } from './page-factory.js';

const sections = [
  createSection('s1', [
    createQuestion('A1', 'Is bypass pumping required?'),
    createQuestion('A2', 'Is a pandemic plan required?'),
  ]),
  createSection('s2', [createQuestion('B1', 'What is the liner thickness?', 'technical_spec')]),
];
const [s1] = sections;
const answeredA1: QuestionAnswer = {
  ...createEmptyAnswer(s1!.questions[0]!, s1!),
  answer: 'Yes',
  pages: [2],
  confidence: 0.9,
  footnote: '"Bypass pumping shall be provided" (p. 2)',
};
const abstainedA2: QuestionAnswer = createEmptyAnswer(s1!.questions[1]!, s1!);

function statusesOf(complete: boolean, answers: QuestionAnswer[]) {
  const full = buildFullResult({
    documentName: 'spec.pdf',
    totalPages: 4,
    engine: 'extractive',
    model: null,
    input: createRunInput(sections),
    answers,
    ocrPages: [],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0, llm_calls: 0 },
    startedAt: new Date('2026-12-01T10:00:00Z'),
    completedAt: complete ? new Date('2026-12-01T10:01:00Z') : null,
    stoppedReason: complete ? null : 'user',
    thorough: false,
    complete,
  });
  return Object.fromEntries(
    toLegacyResult(full).sections.flatMap((s) => s.questions.map((q) => [q.question_id, q.answer_status])),
  );
}

describe('answer_status in the result builder', () => {
  it('marks answered, abstained (a null answer row) and never-reached questions of an unfinished run apart', () => {
    expect(statusesOf(false, [answeredA1, abstainedA2])).toEqual({
      A1: 'answered',
      A2: 'not_found',
      B1: 'not_examined',
    });
  });

  it('counts every question without an answer as not_found once the run went through every unit', () => {
    expect(statusesOf(true, [answeredA1])).toEqual({ A1: 'answered', A2: 'not_found', B1: 'not_found' });
  });

  it('reads a result stored before answer_status existed as answered or not_found', () => {
    const legacy = toLegacyResult({
      document_name: 'old.pdf',
      total_pages: 4,
      engine: 'extractive',
      model: null,
      config_name: 'c',
      enabled_sections: ['s1'],
      guardrails: '',
      ocr_pages: [],
      sections: [{ section_id: 's1', section_name: 's1', description: '', answers: [answeredA1, abstainedA2] }],
      stats: {
        processing_time: 1,
        total_tokens: 0,
        prompt_tokens: 0,
        completion_tokens: 0,
        estimated_cost: 0,
        questions_answered: 1,
        total_questions: 2,
        average_confidence: 0.9,
        llm_calls: 0,
      },
      metadata: {
        started_at: '2026-12-01T10:00:00.000Z',
        completed_at: '2026-12-01T10:01:00.000Z',
        stopped_reason: null,
        thorough: false,
      },
    });
    expect(legacy.sections[0]!.questions.map((q) => q.answer_status)).toEqual(['answered', 'not_found']);
  });
});
