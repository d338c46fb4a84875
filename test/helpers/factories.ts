/** Small factories for database and API tests. */
import type { CreateSessionInput } from '../../src/db/queries/create-session.js';
import type { QuestionAnswer } from '../../src/analysis/types.js';
import type { QuestionConfig } from '../../src/questions/types.js';

export function makeQuestionConfig(sections = 2, questionsPerSection = 3): QuestionConfig {
  return {
    config_name: 'Test config',
    version: '1.0',
    description: 'made by a test',
    sections: Array.from({ length: sections }, (_, s) => ({
      section_id: `sec_${s + 1}`,
      section_name: `Section ${s + 1}`,
      description: `Section ${s + 1} description`,
      questions: Array.from({ length: questionsPerSection }, (_, q) => ({
        id: `S${s + 1}Q${q + 1}`,
        text: `Question ${q + 1} of section ${s + 1}?`,
        required: q === 0,
        expected_type: 'string' as const,
      })),
    })),
  };
}

export function makeSessionInput(overrides: Partial<CreateSessionInput> = {}): CreateSessionInput {
  const config = overrides.config ?? makeQuestionConfig();
  return {
    pdfFilename: 'spec.pdf',
    engine: 'extractive',
    model: null,
    thorough: false,
    config,
    enabledSections: config.sections.map((s) => s.section_id),
    guardrails: '',
    ownerId: null,
    totalPages: 10,
    totalQuestions: config.sections.reduce((n, s) => n + s.questions.length, 0),
    ...overrides,
  };
}

export function makeAnswer(questionId: string, overrides: Partial<QuestionAnswer> = {}): QuestionAnswer {
  return {
    question_id: questionId,
    section_id: 'sec_1',
    question: `Question ${questionId}?`,
    expected_type: 'string',
    answer: `Answer to ${questionId}`,
    value: null,
    pages: [3, 4],
    confidence: 0.8,
    footnote: `"quote for ${questionId}" (pp. 3–4)`,
    quotes: [{ page: 3, text: `quote for ${questionId}` }],
    variants: [],
    ocr: false,
    ...overrides,
  };
}
