import { afterAll, beforeAll, expect, it } from 'vitest';
import { storeAnswers } from '../../src/db/queries/answers.js';
import { parse } from 'csv-parse/sync';
import { createTextPdf } from '../helpers/pdf-factory.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { createTestApp, multipart, type TestApp } from '../helpers/test-app.js';
import { createEmptyAnswer } from '../../src/analysis/build-result.js';
import type { QuestionAnswer } from '../../src/analysis/types.js';
import type { QuestionConfig } from '../../src/questions/types.js';

const CONFIG: QuestionConfig = {
  config_name: 'Status config',
  version: '1',
  description: 'three questions',
  sections: [
    {
      section_id: 'bidding',
      section_name: 'Bidding',
      description: 'Bid dates and bonds',
      questions: [
        { id: 'B1', text: 'When are bids due?', required: true, expected_type: 'string' },
        { id: 'B2', text: 'What bid bond is required?', required: true, expected_type: 'string' },
      ],
    },
    {
      section_id: 'technical',
      section_name: 'Technical',
      description: 'Liner requirements',
      questions: [{ id: 'T1', text: 'What is the minimum liner thickness?', required: true, expected_type: 'string' }],
    },
  ],
} as QuestionConfig;

describeEachDatabase('answer_status of a stopped run', ({ db }) => {
  let t: TestApp;
  let id: string;
  beforeAll(async () => {
    // No worker: the test checkpoints the answers a run would have stored before it was stopped.
    t = await createTestApp(db(), { WORKER_ENABLED: 'false' });
    const pdf = await createTextPdf(['Bids are due on July 15, 2024.', 'The minimum liner thickness shall be 6.0 mm.']);
    const m = multipart([
      { name: 'file', filename: 'spec.pdf', content: pdf, type: 'application/pdf' },
      { name: 'config', filename: 'q.json', content: JSON.stringify(CONFIG), type: 'application/json' },
    ]);
    const r = await t.app.inject({ method: 'POST', url: '/api/analyze', payload: m.payload, headers: m.headers });
    id = r.json().session_id as string;
    const bidding = CONFIG.sections[0]!;
    // The bidding unit ran: B1 answered, B2 abstained (a null answer row). The technical unit never ran.
    const b1: QuestionAnswer = {
      ...createEmptyAnswer(bidding.questions[0]!, bidding),
      answer: 'July 15, 2024',
      pages: [1],
      confidence: 0.9,
      footnote: '"Bids are due on July 15, 2024." (p. 1)',
    };
    await storeAnswers(t.ctx.db, id, [b1, createEmptyAnswer(bidding.questions[1]!, bidding)]);
  });
  afterAll(async () => t?.close());

  const statuses = (questions: Array<{ question_id: string; answer_status: string }>) =>
    Object.fromEntries(questions.map((q) => [q.question_id, q.answer_status]));
  const expected = { B1: 'answered', B2: 'not_found', T1: 'not_examined' };

  it('shows the three statuses while the run has not finished and once it is stopped', async () => {
    const queued = (await t.app.inject({ method: 'GET', url: `/api/results/${id}` })).json();
    expect(statuses(queued.result.sections.flatMap((s: { questions: [] }) => s.questions))).toEqual(expected);

    const stop = await t.app.inject({ method: 'POST', url: `/api/stop/${id}` });
    expect(stop.json()).toMatchObject({ success: true, status: 'partial' });
    const stopped = (await t.app.inject({ method: 'GET', url: `/api/results/${id}` })).json();
    expect(stopped).toMatchObject({ status: 'partial', partial: true });
    expect(statuses(stopped.result.sections.flatMap((s: { questions: [] }) => s.questions))).toEqual(expected);
  });

  it('tells not examined from not found in the csv, json and markdown exports', async () => {
    const csv = await t.app.inject({ method: 'GET', url: `/api/export/${id}?format=csv` });
    const rows = parse(csv.rawPayload, { bom: true, columns: true, record_delimiter: '\r\n' }) as Array<
      Record<string, string>
    >;
    expect(Object.fromEntries(rows.map((row) => [row.question_id, row.status]))).toEqual({
      B1: 'Answered',
      B2: 'Not found',
      T1: 'Not examined',
    });

    const json = (await t.app.inject({ method: 'GET', url: `/api/export/${id}?format=json` })).json();
    expect(statuses(json.result.sections.flatMap((s: { answers: [] }) => s.answers))).toEqual(expected);

    const md = (await t.app.inject({ method: 'GET', url: `/api/export/${id}?format=md` })).body;
    expect(md).toMatch(/\| B2 \|[^\n]*\*Not found in document\*/);
    expect(md).toMatch(/\| T1 \|[^\n]*\*Not examined \(the run ended before this question\)\*/);
  });
});
