/** Guards the retrieval-first targets on the synthetic 100-page spec (bench/llm-tokens.bench.ts). */
import { describe, expect, it } from 'vitest';
import { loadDefaultConfig, measureLlmTokens } from '../../../bench/llm-tokens.bench.js';

describe('llm token bench', () => {
  it("spends at most 10 % of the full sweep's tokens and still shows the planted page for at least 95 % of questions", async () => {
    const report = (await measureLlmTokens(await loadDefaultConfig(), 'synthetic-spec')) as {
      token_ratio_charged: number;
      page_recall: number;
      answered_recall: number;
      sweep_answered_recall: number;
      retrieval_first: { charged_by_fake_server: { calls: number } };
    };
    expect(report.token_ratio_charged).toBeLessThanOrEqual(0.1);
    expect(report.page_recall).toBeGreaterThanOrEqual(0.95);
    expect(report.answered_recall).toBeGreaterThanOrEqual(0.9);
    expect(report.sweep_answered_recall).toBe(1); // the sweep shows every page, so the fake model finds every plant
    expect(report.retrieval_first.charged_by_fake_server.calls).toBeLessThanOrEqual(20);
  });
});
