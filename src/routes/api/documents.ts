/** POST /api/documents (upload a PDF once) and GET /api/documents/:id (its metadata): owner-scoped. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { loadOwnDocument, presentDocument, uploadDocument } from '../../sessions/upload-document.js';
import { ownerOf } from '../../http/session-access.js';
import { documentPath, readAnalyzeForm } from './analyze.js';
import { errorResponses, fileField, looseObject } from '../schemas.js';

const documentSchema = looseObject({
  success: z.boolean(),
  document_id: z.string(),
  filename: z.string(),
  total_pages: z.number().int(),
  ocr_pages: z.number().int(),
  sha256: z.string(),
  size_bytes: z.number().int(),
  expires_at: z.string().nullable().describe('ISO time; null once an analysis used it (it no longer expires)'),
});

// Multipart: the handler streams the file; the body (null) is only documented.
const uploadBody = z
  .object({ file: fileField('The PDF') })
  .partial()
  .nullish();

export async function documentRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/api/documents',
    {
      schema: {
        tags: ['analysis'],
        summary: 'Upload a PDF once: validated, parsed and stored; estimates and analyses then take its document_id',
        description:
          '201 when stored; 200 with the existing document when the same user already uploaded these bytes (no second parse). ' +
          'Unused documents expire 24 h after the last upload.',
        consumes: ['multipart/form-data'],
        body: uploadBody,
        response: { 200: documentSchema, 201: documentSchema, ...errorResponses },
      },
      // As costly as accepting an analysis (a full validation parse): the same per-user limit.
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
      const { document, created } = await uploadDocument(
        ctx,
        form.file,
        ownerOf(request),
        form.fileSha256 ?? undefined,
      );
      request.log.info(
        { documentId: document.id, pages: document.pageCount, created },
        created ? 'document stored' : 'document already stored',
      );
      return reply.code(created ? 201 : 200).send({ success: true, ...presentDocument(document) });
    },
  );

  // The original front end's two-step flow (POST /api/upload, then JSON POST /api/analyze with pdf_path): the same
  // upload-once document, answered in that page's shape. `filepath` is an opaque reference, not a file on disk.
  api.post(
    '/api/upload',
    {
      schema: {
        tags: ['analysis'],
        summary:
          'Upload a PDF (original front end): {success, filepath, filename}; pass filepath as pdf_path to POST /api/analyze',
        consumes: ['multipart/form-data'],
        body: uploadBody,
        response: {
          200: documentSchema.extend({
            filepath: z.string().describe('Opaque reference to the stored upload (db:documents/<document_id>)'),
          }),
          ...errorResponses,
        },
      },
      config: {
        rateLimit: {
          max: ctx.config.auth.analyzeRatePerMinute,
          timeWindow: '1 minute',
          keyGenerator: (req: FastifyRequest) => req.user?.id ?? req.ip,
        },
      },
    },
    async (request) => {
      const form = await readAnalyzeForm(ctx, request);
      const { document, created } = await uploadDocument(
        ctx,
        form.file,
        ownerOf(request),
        form.fileSha256 ?? undefined,
      );
      request.log.info(
        { documentId: document.id, pages: document.pageCount, created },
        created ? 'document stored' : 'document already stored',
      );
      return { success: true, filepath: documentPath(document.id), ...presentDocument(document) };
    },
  );

  api.get(
    '/api/documents/:id',
    {
      schema: {
        tags: ['analysis'],
        summary: 'An uploaded document of yours (404 DOCUMENT_NOT_FOUND, 410 DOCUMENT_EXPIRED)',
        params: z.object({ id: z.string() }),
        response: { 200: documentSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { document } = await loadOwnDocument(ctx, request.params.id, ownerOf(request), { withPages: false });
      return { success: true, ...presentDocument(document) };
    },
  );
}
