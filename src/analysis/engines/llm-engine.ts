/**
 * The `llm` engine: any OpenAI-compatible chat-completions endpoint answers each work unit from the excerpts
 * the planner chose. It plans (retrieval-first, or the thorough sweep), estimates, and answers; the pipeline
 * verifies the quotes it returns against the page text, accumulates, and enforces the budget.
 */
import type { AnalysisEngine, CandidateAnswer, PlanArgs, WorkUnit } from '../engine.js';
import type { Usage } from '../types.js';
import { AppError, isAppError } from '../../errors.js';
import { type ChatClientOptions, type ChatCompletion, type LlmConfig, createChatClient } from '../llm/chat-client.js';
import { type ParsedAnswer, parseAnswerContent } from '../llm/answer-schema.js';
import { GUARDRAILS_RESERVE_TOKENS, planRetrievalUnits, planSweepUnits } from '../llm/plan-units.js';
import { costOf } from '../llm/prices.js';
import { buildAnswerMessages, buildCorrectionMessages } from '../llm/prompt.js';
import { estimateMessagesTokens } from '../llm/token-estimate.js';

/** The default endpoint: without a key it can only answer 401, so refuse to start a run against it. */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';
/**
 * Expected completion per question: the JSON item with a short answer and a one-sentence quote (~45 tokens measured)
 * plus margin.
 */
export const COMPLETION_TOKENS_PER_QUESTION = 60;

export interface LlmEngineOptions extends ChatClientOptions {
  /** Passages per question taken from retrieval's ranking (default DEFAULT_PASSAGES_PER_QUESTION = 4). */
  passagesPerQuestion?: number;
}

function isDefaultOpenAiUrl(baseUrl: string): boolean {
  return baseUrl.replace(/\/+$/, '').toLowerCase() === OPENAI_BASE_URL;
}

/** Re-throws an error with the usage already paid in this unit attached (details.usage), so it can still be counted. */
function withPaidUsage(err: unknown, usage: Usage): unknown {
  if (usage.llm_calls === 0 || !isAppError(err)) return err;
  const details = err.details && typeof err.details === 'object' ? err.details : {};
  return new AppError(err.code, err.message, { details: { ...details, usage }, cause: err });
}

/** One candidate per question of the unit: the model's answer, or null when it gave none or an unknown id. */
function toCandidates(unit: WorkUnit, parsed: ParsedAnswer[]): CandidateAnswer[] {
  const byQuestion = new Map<string, ParsedAnswer>();
  for (const answer of parsed) {
    const seen = byQuestion.get(answer.question_id);
    // A model that answers a question twice: keep the first real answer.
    if (!seen || (seen.answer === null && answer.answer !== null)) byQuestion.set(answer.question_id, answer);
  }
  return unit.questions.map((q): CandidateAnswer => {
    const a = byQuestion.get(q.id);
    if (!a || a.answer === null) return { question_id: q.id, answer: null, quotes: [], confidence: 0 };
    return {
      question_id: q.id,
      answer: a.answer,
      quotes: a.quote ? [{ text: a.quote, pages: a.pages }] : [],
      confidence: a.confidence,
    };
  });
}

export function createLlmEngine(config: LlmConfig, options: LlmEngineOptions = {}): AnalysisEngine {
  if (!config.model.trim()) throw new AppError('LLM_NOT_CONFIGURED', 'The llm engine needs a model name (LLM_MODEL).');
  if (isDefaultOpenAiUrl(config.baseUrl) && !config.apiKey) {
    throw new AppError(
      'LLM_NOT_CONFIGURED',
      'The llm engine needs an API key for the OpenAI endpoint: set LLM_API_KEY (or OPENAI_API_KEY), or point LLM_BASE_URL at a local OpenAI-compatible server.',
    );
  }
  const client = createChatClient(config, options);

  function priceUsage(promptTokens: number, completionTokens: number, calls: number): Usage {
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens };
    return {
      ...usage,
      total_tokens: promptTokens + completionTokens,
      cost_usd: costOf(config.model, usage, config.prices).cost_usd,
      llm_calls: calls,
    };
  }

  function addCall(total: Usage, completion: ChatCompletion): Usage {
    return priceUsage(
      total.prompt_tokens + completion.usage.prompt_tokens,
      total.completion_tokens + completion.usage.completion_tokens,
      total.llm_calls + 1,
    );
  }

  return {
    name: 'llm',
    model: config.model,

    planUnits(args: PlanArgs): WorkUnit[] {
      if (args.thorough) return planSweepUnits(args);
      return planRetrievalUnits(args, {
        promptTokenBudget: config.promptTokenBudget,
        passagesPerQuestion: options.passagesPerQuestion,
      });
    },

    estimateUnit(unit: WorkUnit) {
      const promptTokens = estimateMessagesTokens(buildAnswerMessages(unit, '')) + GUARDRAILS_RESERVE_TOKENS;
      const completionTokens = COMPLETION_TOKENS_PER_QUESTION * unit.questions.length;
      const { cost_usd } = costOf(
        config.model,
        { prompt_tokens: promptTokens, completion_tokens: completionTokens },
        config.prices,
      );
      return { prompt_tokens: promptTokens, completion_tokens: completionTokens, cost_usd };
    },

    async answerUnit(unit, ctx) {
      const messages = buildAnswerMessages(unit, ctx.guardrails);
      let usage = priceUsage(0, 0, 0);
      const first = await client.complete(messages, { signal: ctx.signal });
      usage = addCall(usage, first);
      let parsed = parseAnswerContent(first.content);
      if (!parsed.ok) {
        // One corrective turn: models that drift out of JSON usually comply when shown the problem.
        options.log?.warn({ unitKey: unit.key, problem: parsed.error }, 'llm reply unusable; asking once more');
        let second: ChatCompletion;
        try {
          second = await client.complete(buildCorrectionMessages(messages, first.content, parsed.error), {
            signal: ctx.signal,
          });
        } catch (err) {
          throw withPaidUsage(err, usage);
        }
        usage = addCall(usage, second);
        parsed = parseAnswerContent(second.content);
        if (!parsed.ok) {
          throw new AppError(
            'LLM_BAD_RESPONSE',
            `The language model returned an unusable answer twice (${parsed.error}).`,
            {
              details: { unitKey: unit.key, usage },
            },
          );
        }
      }
      return { answers: toCandidates(unit, parsed.answers), usage };
    },
  };
}
