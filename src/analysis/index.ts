/** Public API of src/analysis: other modules import from here. */
export {
  runAnalysis,
  estimateRun,
  prepareDocument,
  retrieveForSections,
  RETRIEVAL_TOP_K,
  RETRIEVAL_TOP_K_THOROUGH,
  LLM_UNIT_CONCURRENCY,
} from './run-analysis.js';
export type { AnalysisDeps, EstimateRunArgs, PreparedDocument } from './run-analysis.js';
export {
  buildFullResult,
  toLegacyResult,
  toStatistics,
  createEmptyAnswer,
  selectEnabledSections,
  addUsage,
} from './build-result.js';
export type { BuildFullResultArgs } from './build-result.js';
export { createExtractiveEngine } from './engines/extractive-engine.js';
export {
  buildPageTextIndex,
  verifyCandidate,
  locateQuote,
  formatFootnote,
  UNVERIFIED_CONFIDENCE_CAP,
} from './verify-citations.js';
export { mergeAnswers, accumulateAnswers } from './accumulate.js';
export { buildPassages, sentencesOfPassage } from './passages.js';
export { buildSearchIndex, getSearchIndex, retrieve } from './retrieval.js';
export * from './types.js';
export type { AnalysisEngine, CandidateAnswer, Passage, PlanArgs, RetrievedPassage, WorkUnit } from './engine.js';
