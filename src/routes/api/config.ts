/** The question config (default, validation) and the engines this server offers. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { loadDefaultConfig, parseQuestionConfig } from '../../questions/index.js';
import { llmAvailability } from '../../analysis/create-engine.js';

export async function configRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  const questionsSchema = { tags: ['config'], summary: 'The default question config (with totalQuestions, as the original front end reads it)' };
  app.get('/api/config/questions', { schema: questionsSchema }, async () => {
    const config = loadDefaultConfig();
    return { success: true, config: { ...config, totalQuestions: config.sections.reduce((n, s) => n + s.questions.length, 0) } };
  });

  app.post<{ Body: { config?: unknown } }>(
    '/api/config/validate',
    {
      schema: {
        tags: ['config'],
        summary: 'Validate a question config; every problem is reported with its JSON path',
        body: { type: 'object', required: ['config'], properties: { config: {} } },
      },
      bodyLimit: 5 * 1024 * 1024,
    },
    async (request) => {
      const config = parseQuestionConfig(request.body.config);
      return {
        success: true,
        config_name: config.config_name,
        total_questions: config.sections.reduce((n, s) => n + s.questions.length, 0),
        sections: config.sections.map((s) => ({ section_id: s.section_id, section_name: s.section_name, question_count: s.questions.length })),
      };
    },
  );

  app.get('/api/engines', { schema: { tags: ['config'], summary: 'Analysis engines available on this server' } }, async () => {
    const llm = llmAvailability(ctx.config);
    return {
      success: true,
      default: ctx.config.analysis.defaultEngine,
      engines: [
        { name: 'extractive', available: true, label: 'Extractive (offline, free, deterministic)', model: null },
        { name: 'llm', available: llm.available, label: 'LLM (OpenAI-compatible)', model: ctx.config.analysis.llm.model, ...(llm.reason ? { reason: llm.reason } : {}) },
      ],
      max_cost_usd: ctx.config.analysis.maxCostUsd,
    };
  });
}
