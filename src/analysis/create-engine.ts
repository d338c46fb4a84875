/** Config → engine factory used by the job runner, the preflight estimate and the CLI. */
import type { Config } from '../config.js';
import type { AnalysisEngine } from './engine.js';
import type { EngineName } from './types.js';
import { createExtractiveEngine } from './engines/extractive-engine.js';
import { createLlmEngine, OPENAI_BASE_URL } from './engines/llm-engine.js';

export function createEngineFactory(config: Pick<Config, 'analysis'>): (name: EngineName) => AnalysisEngine {
  return (name) => (name === 'llm' ? createLlmEngine(config.analysis.llm) : createExtractiveEngine());
}

/** Whether the llm engine can run with this config, and why not. */
export function llmAvailability(config: Pick<Config, 'analysis'>): { available: boolean; reason?: string } {
  const llm = config.analysis.llm;
  if (llm.baseUrl === OPENAI_BASE_URL && !llm.apiKey) {
    return { available: false, reason: 'Set LLM_API_KEY (or OPENAI_API_KEY), or LLM_BASE_URL for a local model server.' };
  }
  return { available: true };
}
