/** POST /api/analyze (accept a run) and POST /api/estimate (preflight): the same multipart form. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { estimateAnalysis, startAnalysis, validateAnalysis, type AnalyzeForm } from '../../sessions/start-analysis.js';
import { ownerOf } from '../auth-hooks.js';

// Multipart framing around the file: generous, so only the file's own size decides.
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

const formFields = {
  file: { type: 'string', format: 'binary', description: 'The PDF (required)' },
  config: { type: 'string', format: 'binary', description: 'Question config JSON file (optional; default CIPP config)' },
  sections: { type: 'string', description: 'JSON array of enabled section ids (optional; all)' },
  guardrails: { type: 'string', description: 'Free-text context for the analysis (optional)' },
  engine: { type: 'string', enum: ['extractive', 'llm'] },
  thorough: { type: 'string', description: '"true" to sweep every page (llm engine; costs more)' },
} as const;

/** Read the multipart form while streaming; the file size limit applies as bytes arrive, not after buffering. */
export async function readAnalyzeForm(ctx: AppContext, request: FastifyRequest): Promise<AnalyzeForm> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > ctx.config.ingest.maxUploadBytes + MULTIPART_OVERHEAD_BYTES) {
    throw new AppError('UPLOAD_TOO_LARGE', `The upload is ${(declared / 1048576).toFixed(1)} MB; the maximum is ${ctx.config.ingest.maxUploadBytes / 1048576} MB.`);
  }
  if (!request.isMultipart()) throw new AppError('VALIDATION_FAILED', 'Send the analysis as multipart/form-data with a "file" field.');
  const form: AnalyzeForm = { file: null, config: null, sections: null, guardrails: null, engine: null, thorough: null };
  try {
    await readParts(request, form);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    // Size limits keep their own code (mapped by the error handler); anything else the parser throws means the
    // body is not well-formed multipart (missing boundary, truncated part): the client's mistake, not ours.
    if (err instanceof AppError || code.startsWith('FST_')) throw err;
    throw new AppError('VALIDATION_FAILED', `The upload is not a well-formed multipart/form-data body (${(err as Error).message}).`);
  }
  if (form.file && form.file.bytes.length > ctx.config.ingest.maxUploadBytes) throw new AppError('UPLOAD_TOO_LARGE');
  return form;
}

async function readParts(request: FastifyRequest, form: AnalyzeForm): Promise<void> {
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname === 'file') {
        form.file = { filename: part.filename, bytes: new Uint8Array(await part.toBuffer()) };
      } else if (part.fieldname === 'config') {
        form.config = new Uint8Array(await part.toBuffer());
        if (form.config.length === 0) form.config = null;
      } else {
        await part.toBuffer(); // drain unknown files (still bounded by the limits)
      }
    } else {
      const value = typeof part.value === 'string' ? part.value : String(part.value ?? '');
      if (part.fieldname === 'config' && value.trim()) form.config = value;
      else if (part.fieldname === 'sections') form.sections = value;
      else if (part.fieldname === 'guardrails') form.guardrails = value;
      else if (part.fieldname === 'engine') form.engine = value;
      else if (part.fieldname === 'thorough') form.thorough = value;
    }
  }
}

export async function analyzeRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.post(
    '/api/analyze',
    {
      schema: {
        tags: ['analysis'],
        summary: 'Start an analysis: answered 202 once the PDF, config and session are durably stored',
        consumes: ['multipart/form-data'],
        body: { type: 'object', properties: formFields } as never,
        response: {
          202: {
            type: 'object',
            properties: { success: { type: 'boolean' }, session_id: { type: 'string' }, status: { type: 'string' } },
          },
        },
      },
      validatorCompiler: () => () => true,
      // Analysis starts per user (per address when anonymous in AUTH=off mode).
      config: { rateLimit: { max: ctx.config.auth.analyzeRatePerMinute, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => req.user?.id ?? req.ip } },
    },
    async (request, reply) => {
      const form = await readAnalyzeForm(ctx, request);
      const validated = await validateAnalysis(ctx, form);
      const session = await startAnalysis(ctx, validated, ownerOf(request));
      request.log.info({ sessionId: session.id, pages: validated.pageCount, questions: validated.totalQuestions, engine: session.engine }, 'analysis accepted');
      return reply.code(202).send({ success: true, session_id: session.id, status: session.status });
    },
  );

  app.post(
    '/api/estimate',
    {
      schema: { tags: ['analysis'], summary: 'Preflight estimate (pages, questions, LLM calls, tokens, cost) without starting', consumes: ['multipart/form-data'], body: { type: 'object', properties: formFields } as never },
      validatorCompiler: () => () => true,
    },
    async (request) => {
      const form = await readAnalyzeForm(ctx, request);
      const validated = await validateAnalysis(ctx, form);
      return { success: true, estimate: await estimateAnalysis(ctx, validated) };
    },
  );
}
