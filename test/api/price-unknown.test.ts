/**
 * MAX_COST_USD with a model that has no price: the cap could never trigger (every call would cost 0), so the
 * run is refused with PRICE_UNKNOWN at validation time — /api/analyze and /api/estimate, before anything is
 * stored — unless the deployment prices the model (LLM_PRICE_INPUT_PER_MTOK / _OUTPUT_PER_MTOK, or LLM_PRICES).
 */
import { afterEach, beforeAll, expect, it } from 'vitest';
import { createTextPdf } from '../helpers/pdf-factory.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { createTestApp, multipart, type TestApp } from '../helpers/test-app.js';
import { makeQuestionConfig } from '../helpers/factories.js';

// An endpoint that is never called: every request here is refused or only estimated.
/** One question the page text answers, so the llm engine plans a real call for it. */
const LINER_CONFIG = (() => {
  const c = makeQuestionConfig(1, 1);
  c.sections[0]!.questions[0]!.text = 'What is the minimum liner thickness?';
  return c;
})();
const UNUSED_LLM = { LLM_BASE_URL: 'http://127.0.0.1:9/v1', LLM_API_KEY: 'test', WORKER_ENABLED: 'false' };

describeEachDatabase('a cost cap on an unpriced model', ({ db }) => {
  let pdf: Uint8Array;
  let t: TestApp | null = null;
  beforeAll(async () => {
    pdf = await createTextPdf(['The minimum liner thickness shall be 6.0 mm.', 'A bid bond of 5 percent is required.']);
  });
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  const post = (app: TestApp, url: string, engine = 'llm') => {
    const m = multipart([
      { name: 'file', filename: 'spec.pdf', content: pdf, type: 'application/pdf' },
      { name: 'config', filename: 'q.json', content: JSON.stringify(LINER_CONFIG), type: 'application/json' },
      { name: 'engine', value: engine },
    ]);
    return app.app.inject({ method: 'POST', url, payload: m.payload, headers: m.headers });
  };
  const countSessions = async () =>
    (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM sessions')).rows[0]!.n;

  it('refuses to start or estimate the run with PRICE_UNKNOWN (400), storing nothing', async () => {
    t = await createTestApp(db(), { ...UNUSED_LLM, LLM_MODEL: 'my-local-model', MAX_COST_USD: '0.50' });
    const before = await countSessions();
    for (const url of ['/api/analyze', '/api/estimate']) {
      const r = await post(t, url);
      expect(r.statusCode, url).toBe(400);
      expect(r.json(), url).toMatchObject({ success: false, code: 'PRICE_UNKNOWN' });
      expect((r.json() as { error: string }).error).toMatch(/LLM_PRICE_INPUT_PER_MTOK/);
    }
    expect(await countSessions()).toBe(before);
    // The offline engine costs nothing: unaffected.
    expect((await post(t, '/api/analyze', 'extractive')).statusCode).toBe(202);
  });

  it('starts the run once LLM_PRICE_INPUT_PER_MTOK and LLM_PRICE_OUTPUT_PER_MTOK price the model, and the estimate uses them', async () => {
    t = await createTestApp(db(), {
      ...UNUSED_LLM,
      LLM_MODEL: 'my-local-model',
      MAX_COST_USD: '0.50',
      LLM_PRICE_INPUT_PER_MTOK: '1',
      LLM_PRICE_OUTPUT_PER_MTOK: '2',
    });
    const estimate = await post(t, '/api/estimate');
    expect(estimate.statusCode).toBe(200);
    const e = (
      estimate.json() as { estimate: { prompt_tokens: number; completion_tokens: number; estimated_cost_usd: number } }
    ).estimate;
    expect(e.prompt_tokens).toBeGreaterThan(0);
    // USD 1 per 1M prompt tokens and 2 per 1M completion tokens.
    expect(e.estimated_cost_usd).toBeCloseTo((e.prompt_tokens * 1 + e.completion_tokens * 2) / 1_000_000, 9);
    expect((await post(t, '/api/analyze')).statusCode).toBe(202);
  });

  it('keeps LLM_PRICES working for the same purpose', async () => {
    t = await createTestApp(db(), {
      ...UNUSED_LLM,
      LLM_MODEL: 'my-local-model',
      MAX_COST_USD: '0.50',
      LLM_PRICES: '{"my-local-model":{"input":0,"output":0}}',
    });
    expect((await post(t, '/api/analyze')).statusCode).toBe(202);
  });

  it('does not ask for a price when no cap is set', async () => {
    t = await createTestApp(db(), { ...UNUSED_LLM, LLM_MODEL: 'my-local-model' });
    expect((await post(t, '/api/analyze')).statusCode).toBe(202);
  });
});
