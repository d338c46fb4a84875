/**
 * POST /api/analyze (accept a run) and POST /api/estimate (preflight): the same form, multipart or JSON with a
 * document_id.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { SESSION_STATUSES } from '../../db/queries/sessions.js';
import { looseObject, errorResponses, fileField } from '../schemas.js';
import { AppError } from '../../errors.js';
import {
  cleanFilename,
  estimateAnalysis,
  startAnalysis,
  validateAnalysis,
  type AnalyzeForm,
} from '../../sessions/start-analysis.js';
import { ownerOf } from '../../http/session-access.js';

// Multipart framing around the file: generous, so only the file's own size decides.
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;
// A question config is ~100 questions of text (the default is 30 KB): 1 MB is far more than any real one.
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * The form, as documented and validated. Multipart bodies are read from the stream by the handler (the body
 * itself is then null, hence nullish); JSON bodies are checked here, field by field. The original front end's
 * names (pdf_path, pdf_filename, enabled_sections, context_guardrails, session_id) are accepted too.
 */
const formBody = z
  .looseObject({
    file: fileField('The PDF (multipart; or send document_id)').optional(),
    document_id: z.string().nullish().describe('An uploaded document (POST /api/documents), instead of file'),
    pdf_path: z.string().nullish().describe('Original front end: the filepath from POST /api/upload'),
    pdf_filename: z.string().nullish().describe('Original front end: the display name'),
    session_id: z
      .string()
      .nullish()
      .describe('Original front end: its own id for this analysis (an alias only its owner can use)'),
    config: z
      .unknown()
      .optional()
      .describe('Question config: a JSON file (multipart) or object (JSON); default CIPP config'),
    sections: z
      .union([z.string(), z.array(z.string())])
      .nullish()
      .describe('Enabled section ids: JSON array (optional; all)'),
    enabled_sections: z
      .union([z.string(), z.array(z.string())])
      .nullish()
      .describe('Original front end: enabled section ids'),
    guardrails: z.string().nullish().describe('Free-text context for the analysis (optional)'),
    context_guardrails: z.string().nullish().describe('Original front end: the free-text context'),
    engine: z.enum(['extractive', 'llm']).nullish(),
    thorough: z
      .union([z.boolean(), z.string()])
      .nullish()
      .describe('"true" to sweep every page (llm engine; costs more)'),
  })
  // A multipart body is read from the stream: Fastify's body is then null.
  .nullish();

const analyzeAccepted = looseObject({
  success: z.boolean(),
  session_id: z.string(),
  status: z.enum(SESSION_STATUSES),
  client_session_id: z.string().optional().describe('Your own session_id, when you sent one'),
});

const estimateResponse = looseObject({
  success: z.boolean(),
  estimate: looseObject({
    engine: z.enum(['extractive', 'llm']),
    model: z.string().nullable(),
    total_pages: z.number(),
    total_questions: z.number(),
    llm_calls: z.number(),
    prompt_tokens: z.number(),
    completion_tokens: z.number(),
    estimated_cost_usd: z.number(),
  }),
});

export interface ReadForm extends AnalyzeForm {
  /** SHA-256 of the file part, computed while it streamed in (null without a file). */
  fileSha256: string | null;
  /** The original front end's own `session_id`, kept as an alias for its owner (JSON only). */
  alias: string | null;
  /** The original front end's `pdf_filename`: the display name, in place of the upload's (JSON only). */
  displayName: string | null;
}

// A client-chosen session id: URL-safe, bounded (the original front end sends "session_<milliseconds>").
const ALIAS_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
// POST /api/upload answers `filepath: "db:documents/<document_id>"`; the bare document_id is accepted too.
const DOCUMENT_PATH_PREFIX = 'db:documents/';

export function documentPath(documentId: string): string {
  return `${DOCUMENT_PATH_PREFIX}${documentId}`;
}

/**
 * Read the request: multipart (a `file` or a `document_id`, plus options) while streaming, or a JSON body
 * `{document_id, sections?, guardrails?, engine?, thorough?, config?}`. The file size limit applies as bytes
 * arrive, not after buffering; the file is buffered once and the config file is capped at MAX_CONFIG_BYTES.
 */
export async function readAnalyzeForm(ctx: AppContext, request: FastifyRequest): Promise<ReadForm> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > ctx.config.ingest.maxUploadBytes + MULTIPART_OVERHEAD_BYTES) {
    throw new AppError(
      'UPLOAD_TOO_LARGE',
      `The upload is ${(declared / 1048576).toFixed(1)} MB; the maximum is ${ctx.config.ingest.maxUploadBytes / 1048576} MB.`,
    );
  }
  const form: ReadForm = {
    file: null,
    documentId: null,
    config: null,
    sections: null,
    guardrails: null,
    engine: null,
    thorough: null,
    fileSha256: null,
    alias: null,
    displayName: null,
  };
  if (!request.isMultipart()) {
    if (request.body && typeof request.body === 'object')
      return readJsonForm(request.body as Record<string, unknown>, form);
    throw new AppError(
      'VALIDATION_FAILED',
      'Send multipart/form-data with a "file" (or "document_id") field, or JSON with a "document_id".',
    );
  }
  try {
    await readParts(request, form, ctx.config.ingest.maxUploadBytes, declared);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    // Size limits keep their own code (mapped by the error handler); anything else the parser throws means the
    // body is not well-formed multipart (missing boundary, truncated part): the client's mistake, not ours.
    if (err instanceof AppError || code.startsWith('FST_')) throw err;
    throw new AppError(
      'VALIDATION_FAILED',
      `The upload is not a well-formed multipart/form-data body (${(err as Error).message}).`,
    );
  }
  if (form.file && form.documentId !== null)
    throw new AppError('VALIDATION_FAILED', 'Send either a "file" or a "document_id", not both.');
  return form;
}

function readJsonForm(body: Record<string, unknown>, form: ReadForm): ReadForm {
  const text = (v: unknown): string | null =>
    v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
  // The original front end's names: pdf_path (from POST /api/upload), enabled_sections, context_guardrails, session_id.
  const pdfPath = typeof body.pdf_path === 'string' && body.pdf_path !== '' ? body.pdf_path : null;
  const documentId =
    typeof body.document_id === 'string' && body.document_id !== ''
      ? body.document_id
      : (pdfPath?.replace(DOCUMENT_PATH_PREFIX, '') ?? null);
  if (documentId === null) {
    throw new AppError(
      'VALIDATION_FAILED',
      'A JSON request needs "document_id" (upload the PDF with POST /api/documents first) or "pdf_path" (from POST /api/upload).',
    );
  }
  form.documentId = documentId;
  form.config = body.config === undefined || body.config === null ? null : text(body.config);
  form.sections = text(body.sections ?? body.enabled_sections);
  form.guardrails = text(body.guardrails ?? body.context_guardrails);
  if (body.session_id !== undefined && body.session_id !== null) {
    if (typeof body.session_id !== 'string' || !ALIAS_PATTERN.test(body.session_id)) {
      throw new AppError(
        'VALIDATION_FAILED',
        '"session_id" must be 1–128 characters: letters, digits, "_", "-", "." or ":".',
      );
    }
    form.alias = body.session_id;
  }
  form.displayName =
    typeof body.pdf_filename === 'string' && body.pdf_filename.trim() !== '' ? body.pdf_filename : null;
  form.engine = text(body.engine);
  form.thorough = text(body.thorough);
  return form;
}

async function readParts(
  request: FastifyRequest,
  form: ReadForm,
  maxFileBytes: number,
  declaredBytes: number,
): Promise<void> {
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname === 'file') {
        const read = await readFileStream(part.file, declaredBytes, maxFileBytes, 'UPLOAD_TOO_LARGE');
        form.file = { filename: part.filename, bytes: read.bytes };
        form.fileSha256 = read.sha256;
      } else if (part.fieldname === 'config') {
        const read = await readFileStream(part.file, 0, MAX_CONFIG_BYTES, 'CONFIG_TOO_LARGE');
        form.config = read.bytes.length === 0 ? null : read.bytes;
      } else {
        part.file.resume(); // discard unknown files (still bounded by the limits)
      }
    } else {
      const value = typeof part.value === 'string' ? part.value : String(part.value ?? '');
      if (part.fieldname === 'config' && value.trim()) form.config = value;
      else if (part.fieldname === 'document_id' && value.trim()) form.documentId = value.trim();
      else if (part.fieldname === 'sections') form.sections = value;
      else if (part.fieldname === 'guardrails') form.guardrails = value;
      else if (part.fieldname === 'engine') form.engine = value;
      else if (part.fieldname === 'thorough') form.thorough = value;
    }
  }
}

/**
 * Buffer one file part, hashing it as it arrives. With a declared Content-Length (which bounds the part) the
 * bytes are copied into one allocation as they come, so a 100 MB upload is held once, never as chunks plus a
 * concatenated copy.
 */
async function readFileStream(
  stream: AsyncIterable<Buffer> & { truncated?: boolean; resume(): unknown },
  declaredBytes: number,
  limitBytes: number,
  tooLarge: 'UPLOAD_TOO_LARGE' | 'CONFIG_TOO_LARGE',
): Promise<{ bytes: Buffer; sha256: string }> {
  const hash = createHash('sha256');
  let target: Buffer | null = declaredBytes > 0 ? Buffer.allocUnsafe(Math.min(declaredBytes, limitBytes)) : null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    if (size + chunk.length > limitBytes) {
      stream.resume(); // let the rest of the part flow away; the error answers the request
      throw new AppError(
        tooLarge,
        tooLarge === 'CONFIG_TOO_LARGE'
          ? `The question config file is larger than ${MAX_CONFIG_BYTES / 1048576} MB.`
          : undefined,
      );
    }
    hash.update(chunk);
    if (target && size + chunk.length > target.length) {
      // Only with an untruthful Content-Length: carry on with chunks.
      chunks.push(target.subarray(0, size));
      target = null;
    }
    if (target) chunk.copy(target, size);
    else chunks.push(chunk);
    size += chunk.length;
  }
  if (stream.truncated) throw new AppError(tooLarge);
  return { bytes: target ? target.subarray(0, size) : Buffer.concat(chunks, size), sha256: hash.digest('hex') };
}

export async function analyzeRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/api/analyze',
    {
      schema: {
        tags: ['analysis'],
        summary: 'Start an analysis: answered 202 once the PDF, config and session are durably stored',
        consumes: ['multipart/form-data', 'application/json'],
        body: formBody,
        response: { 202: analyzeAccepted, ...errorResponses },
      },
      // Analysis starts per user (per address when anonymous in AUTH=off mode).
      config: {
        rateLimit: {
          max: ctx.config.auth.analyzeRatePerMinute,
          timeWindow: '1 minute',
          keyGenerator: (req: FastifyRequest) => req.user?.id ?? req.ip,
        },
      },
    },
    async (request, reply) => {
      const form = await readAnalyzeForm(ctx, request);
      const validated = await validateAnalysis(ctx, form, ownerOf(request));
      if (form.displayName !== null) validated.filename = cleanFilename(form.displayName);
      const session = await startAnalysis(ctx, validated, ownerOf(request), form.alias ?? undefined);
      request.log.info(
        {
          sessionId: session.id,
          pages: validated.pageCount,
          questions: validated.totalQuestions,
          engine: session.engine,
        },
        'analysis accepted',
      );
      // client_session_id: the caller's own id for this analysis, usable in every session URL (its owner only).
      const alias = form.alias !== null ? { client_session_id: form.alias } : {};
      return reply.code(202).send({ success: true, session_id: session.id, status: session.status, ...alias });
    },
  );

  api.post(
    '/api/estimate',
    {
      schema: {
        tags: ['analysis'],
        summary: 'Preflight estimate (pages, questions, LLM calls, tokens, cost) without starting',
        consumes: ['multipart/form-data', 'application/json'],
        body: formBody,
        response: { 200: estimateResponse, ...errorResponses },
      },
      // Every form change on the analyzer page asks for an estimate: bounded per user like analysis starts.
      config: {
        rateLimit: {
          max: ctx.config.auth.estimateRatePerMinute,
          timeWindow: '1 minute',
          keyGenerator: (req: FastifyRequest) => req.user?.id ?? req.ip,
        },
      },
    },
    async (request) => {
      const form = await readAnalyzeForm(ctx, request);
      const validated = await validateAnalysis(ctx, form, ownerOf(request));
      return { success: true, estimate: await estimateAnalysis(ctx, validated) };
    },
  );
}
