/** POST /api/documents (upload a PDF once) and GET /api/documents/:id (its metadata): owner-scoped. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { loadOwnDocument, presentDocument, uploadDocument } from '../../sessions/upload-document.js';
import { ownerOf } from '../../http/session-access.js';
import { documentPath, readAnalyzeForm } from './analyze.js';

const documentSchema = {
  type: 'object',
  properties: {
    success: { type: 'boolean' },
    document_id: { type: 'string' },
    filename: { type: 'string' },
    total_pages: { type: 'integer' },
    ocr_pages: { type: 'integer' },
    sha256: { type: 'string' },
    size_bytes: { type: 'integer' },
    expires_at: { type: ['string', 'null'], description: 'ISO time; null once an analysis used it (it no longer expires)' },
  },
} as const;

export async function documentRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.post(
    '/api/documents',
    {
      schema: {
        tags: ['analysis'],
        summary: 'Upload a PDF once: validated, parsed and stored; estimates and analyses then take its document_id',
        description:
          '201 when stored; 200 with the existing document when the same user already uploaded these bytes (no second parse). ' +
          'Unused documents expire 24 h after the last upload.',
        consumes: ['multipart/form-data'],
        body: { type: 'object', properties: { file: { type: 'string', format: 'binary', description: 'The PDF' } } } as never,
        response: { 200: documentSchema, 201: documentSchema },
      },
      validatorCompiler: () => () => true,
      // As costly as accepting an analysis (a full validation parse): the same per-user limit.
      config: { rateLimit: { max: ctx.config.auth.analyzeRatePerMinute, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => req.user?.id ?? req.ip } },
    },
    async (request, reply) => {
      const form = await readAnalyzeForm(ctx, request);
      const { document, created } = await uploadDocument(ctx, form.file, ownerOf(request), form.fileSha256 ?? undefined);
      request.log.info({ documentId: document.id, pages: document.pageCount, created }, created ? 'document stored' : 'document already stored');
      return reply.code(created ? 201 : 200).send({ success: true, ...presentDocument(document) });
    },
  );

  // The original front end's two-step flow (POST /api/upload, then JSON POST /api/analyze with pdf_path): the same
  // upload-once document, answered in that page's shape. `filepath` is an opaque reference, not a file on disk.
  app.post(
    '/api/upload',
    {
      schema: {
        tags: ['analysis'],
        summary: 'Upload a PDF (original front end): {success, filepath, filename}; pass filepath as pdf_path to POST /api/analyze',
        consumes: ['multipart/form-data'],
        body: { type: 'object', properties: { file: { type: 'string', format: 'binary', description: 'The PDF' } } } as never,
        response: {
          200: { type: 'object', properties: { ...documentSchema.properties, filepath: { type: 'string', description: 'Opaque reference to the stored upload (db:documents/<document_id>)' } } },
        },
      },
      validatorCompiler: () => () => true,
      config: { rateLimit: { max: ctx.config.auth.analyzeRatePerMinute, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => req.user?.id ?? req.ip } },
    },
    async (request) => {
      const form = await readAnalyzeForm(ctx, request);
      const { document, created } = await uploadDocument(ctx, form.file, ownerOf(request), form.fileSha256 ?? undefined);
      request.log.info({ documentId: document.id, pages: document.pageCount, created }, created ? 'document stored' : 'document already stored');
      return { success: true, filepath: documentPath(document.id), ...presentDocument(document) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/documents/:id',
    { schema: { tags: ['analysis'], summary: 'An uploaded document of yours (404 DOCUMENT_NOT_FOUND, 410 DOCUMENT_EXPIRED)', response: { 200: documentSchema } } },
    async (request) => {
      const { document } = await loadOwnDocument(ctx, request.params.id, ownerOf(request), { withPages: false });
      return { success: true, ...presentDocument(document) };
    },
  );
}
