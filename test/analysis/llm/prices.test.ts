import { describe, expect, it } from 'vitest';
import { costOf, lookupPrice } from '../../../src/analysis/llm/prices.js';

describe('prices', () => {
  it('prices built-in models per 1M tokens', () => {
    expect(costOf('gpt-4o-mini', { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 })).toEqual({
      cost_usd: 0.75,
      priced: true,
    });
    expect(costOf('gpt-4o', { prompt_tokens: 2_000, completion_tokens: 500 }).cost_usd).toBeCloseTo(0.005 + 0.005, 10);
    expect(costOf('gpt-4.1-nano', { prompt_tokens: 10_000, completion_tokens: 0 }).cost_usd).toBeCloseTo(0.001, 10);
  });

  it('matches dated snapshots and provider prefixes to the longest family name', () => {
    expect(lookupPrice('gpt-4o-mini-2024-07-18')).toMatchObject({ input: 0.15, output: 0.6, matched: 'gpt-4o-mini' });
    expect(lookupPrice('gpt-4o-2024-08-06')).toMatchObject({ input: 2.5, matched: 'gpt-4o' });
    expect(lookupPrice('openai/GPT-4.1-mini')).toMatchObject({ input: 0.4, output: 1.6 });
  });

  it('costs an unknown model 0 and flags it unpriced', () => {
    expect(costOf('llama3.1:8b', { prompt_tokens: 5_000, completion_tokens: 100 })).toEqual({
      cost_usd: 0,
      priced: false,
    });
  });

  it('lets LLM_PRICES override and extend the table', () => {
    const overrides = { 'gpt-4o-mini': { input: 1, output: 2 }, 'llama3.1:8b': { input: 0.05, output: 0.05 } };
    expect(costOf('gpt-4o-mini', { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 }, overrides).cost_usd).toBe(
      3,
    );
    expect(costOf('llama3.1:8b', { prompt_tokens: 1_000_000, completion_tokens: 0 }, overrides)).toEqual({
      cost_usd: 0.05,
      priced: true,
    });
  });
});
