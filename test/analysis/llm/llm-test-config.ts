/**
 * The llm section of a test Config pointed at a fake server: no key, a priced model. The timeout only has to
 * outlast a local fake's reply on a busy machine (a spurious timeout would retry and change the counts the
 * tests assert); tests about timeouts set their own.
 */
import { testConfig } from '../../../src/config.js';
import type { LlmConfig } from '../../../src/analysis/llm/chat-client.js';

export function llmTestConfig(baseUrl: string, overrides: Partial<LlmConfig> = {}): LlmConfig {
  return {
    ...testConfig().analysis.llm,
    baseUrl,
    apiKey: null,
    model: 'gpt-4o-mini',
    timeoutMs: 30_000,
    maxRetries: 2,
    concurrency: 4,
    ...overrides,
  };
}
