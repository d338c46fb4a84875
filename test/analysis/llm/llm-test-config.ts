/** The llm section of a test Config pointed at a fake server: short timeouts, no key, a priced model. */
import { testConfig } from '../../../src/config.js';
import type { LlmConfig } from '../../../src/analysis/llm/chat-client.js';

export function llmTestConfig(baseUrl: string, overrides: Partial<LlmConfig> = {}): LlmConfig {
  return {
    ...testConfig().analysis.llm,
    baseUrl,
    apiKey: null,
    model: 'gpt-4o-mini',
    timeoutMs: 5_000,
    maxRetries: 2,
    concurrency: 4,
    ...overrides,
  };
}
