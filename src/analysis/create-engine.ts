/** Config → engine factory used by the job runner, the preflight estimate and the CLI. */
import type { Config } from '../config.js';
import type { AnalysisEngine } from './engine.js';
import type { EngineName } from './types.js';
import { createExtractiveEngine } from './engines/extractive-engine.js';
import { createLlmEngine, OPENAI_BASE_URL } from './engines/llm-engine.js';
import type { ChatClientOptions } from './llm/chat-client.js';

export interface EngineOptions {
  /** Where the engine reports retries and unusable replies: the run's logger (sessionId, attempt bound). */
  log?: ChatClientOptions['log'];
}

export type CreateEngine = (name: EngineName, options?: EngineOptions) => AnalysisEngine;

export function createEngineFactory(config: Pick<Config, 'analysis'>): CreateEngine {
  return (name, options = {}) =>
    name === 'llm' ? createLlmEngine(config.analysis.llm, { log: options.log }) : createExtractiveEngine();
}

/** Whether the llm engine can run with this config, and why not. */
export function llmAvailability(config: Pick<Config, 'analysis'>): { available: boolean; reason?: string } {
  const llm = config.analysis.llm;
  if (llm.baseUrl === OPENAI_BASE_URL && !llm.apiKey) {
    return {
      available: false,
      reason: 'Set LLM_API_KEY (or OPENAI_API_KEY), or LLM_BASE_URL for a local model server.',
    };
  }
  return { available: true };
}
