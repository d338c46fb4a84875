/** The question config (default, validation) and the engines this server offers. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { loadDefaultConfig, parseQuestionConfig } from '../../questions/index.js';
import { EXPECTED_TYPES } from '../../questions/types.js';
import { llmAvailability } from '../../analysis/create-engine.js';
import { looseObject, errorResponses } from '../schemas.js';

const sectionSummary = looseObject({ section_id: z.string(), section_name: z.string(), question_count: z.number() });
const questionsResponse = looseObject({
  success: z.boolean(),
  config: looseObject({
    config_name: z.string(),
    version: z.string(),
    description: z.string(),
    // The config's own format (src/questions/types.ts), exactly: its objects have no other fields.
    sections: z.array(
      z.object({
        section_id: z.string(),
        section_name: z.string(),
        description: z.string(),
        questions: z.array(
          z.object({ id: z.string(), text: z.string(), required: z.boolean(), expected_type: z.enum(EXPECTED_TYPES) }),
        ),
      }),
    ),
    totalQuestions: z.number().describe('As the original front end reads it'),
  }),
});
const validateResponse = looseObject({
  success: z.boolean(),
  config_name: z.string(),
  total_questions: z.number(),
  sections: z.array(sectionSummary),
});
const enginesResponse = looseObject({
  success: z.boolean(),
  default: z.enum(['extractive', 'llm']),
  engines: z.array(
    looseObject({
      name: z.string(),
      available: z.boolean(),
      label: z.string(),
      model: z.string().nullable(),
      reason: z.string().optional(),
    }),
  ),
  max_cost_usd: z.number().nullable(),
});

export async function configRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  const questionsSchema = {
    tags: ['config'],
    summary: 'The default question config (with totalQuestions, as the original front end reads it)',
    response: { 200: questionsResponse, ...errorResponses },
  };
  api.get('/api/config/questions', { schema: questionsSchema }, async () => {
    const config = loadDefaultConfig();
    return {
      success: true,
      config: { ...config, totalQuestions: config.sections.reduce((n, s) => n + s.questions.length, 0) },
    };
  });

  api.post(
    '/api/config/validate',
    {
      schema: {
        tags: ['config'],
        summary: 'Validate a question config; every problem is reported with its JSON path',
        body: z.object({
          config: z
            .unknown()
            .refine((v) => v !== undefined, 'is required')
            .describe('The question config (JSON object or its text)'),
        }),
        response: { 200: validateResponse, ...errorResponses },
      },
      bodyLimit: 5 * 1024 * 1024,
    },
    async (request) => {
      const config = parseQuestionConfig(request.body.config);
      return {
        success: true,
        config_name: config.config_name,
        total_questions: config.sections.reduce((n, s) => n + s.questions.length, 0),
        sections: config.sections.map((s) => ({
          section_id: s.section_id,
          section_name: s.section_name,
          question_count: s.questions.length,
        })),
      };
    },
  );

  const enginesSchema = {
    tags: ['config'],
    summary: 'Analysis engines available on this server',
    response: { 200: enginesResponse, ...errorResponses },
  };
  api.get('/api/engines', { schema: enginesSchema }, async () => {
    const llm = llmAvailability(ctx.config);
    return {
      success: true,
      default: ctx.config.analysis.defaultEngine,
      engines: [
        { name: 'extractive', available: true, label: 'Extractive (offline, free, deterministic)', model: null },
        {
          name: 'llm',
          available: llm.available,
          label: 'LLM (OpenAI-compatible)',
          model: ctx.config.analysis.llm.model,
          ...(llm.reason ? { reason: llm.reason } : {}),
        },
      ],
      max_cost_usd: ctx.config.analysis.maxCostUsd,
    };
  });
}
