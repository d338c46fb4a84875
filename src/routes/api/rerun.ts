/**
 * POST /api/rerun/:session_id (queue a new pass of a finished session over some questions) and
 * GET /api/rerun/:session_id (its passes and which pass produced which answer). Owner or admin only
 * (alias ids work); CSRF is checked for every state change by the auth hook.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { selectAnswerVersions, selectPasses } from '../../db/queries/passes.js';
import { startPass } from '../../sessions/start-pass.js';
import { MAX_QUESTION_TEXT_CHARS } from '../../questions/parse-question-config.js';
import { loadVisibleSession, ownerOf } from '../../http/session-access.js';
import { errorResponses, looseObject, openObject } from '../schemas.js';

// A checklist has ~100 questions; 1,000 bounds a request while allowing any real config.
const MAX_QUESTION_IDS = 1000;

const rerunBody = z.object({
  question_ids: z.array(z.string().min(1).max(200)).min(1).max(MAX_QUESTION_IDS),
  engine: z.string().max(40).optional(),
  thorough: z.boolean().optional(),
  // A config edit: new wording for some of the re-run questions.
  questions: z
    .array(z.object({ id: z.string().min(1).max(200), text: z.string().trim().min(1).max(MAX_QUESTION_TEXT_CHARS) }))
    .max(MAX_QUESTION_IDS)
    .optional(),
});

const sessionParams = z.object({
  session_id: z.string().min(1).max(200).describe('Session id (or your own client session id)'),
});
const passQuery = z.object({
  question_id: z.string().min(1).max(200).optional().describe("Only this question's answers"),
});
const queuedResponse = looseObject({
  success: z.boolean(),
  session_id: z.string(),
  pass: z.number(),
  status: z.string(),
  question_ids: z.array(z.string()),
  skipped: z.array(openObject('A question left out, and why')),
  engine: z.string(),
  thorough: z.boolean(),
  edited: z.array(openObject('A reworded question: question_id, before, after')),
});
const passesResponse = looseObject({
  success: z.boolean(),
  session_id: z.string(),
  current_pass: z.number(),
  status: z.string(),
  passes: z.array(openObject('One pass: its questions, engine, status and times')),
});

export async function rerunRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  // The body is validated in the handler, after the ownership check: another user's session answers 404 whatever the
  // body.
  api.post(
    '/api/rerun/:session_id',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Re-run some questions of a finished analysis as a new pass (another engine, thorough mode)',
        description:
          'JSON {question_ids, engine?, thorough?, questions?: [{id, text}]} → 202 {success, session_id, pass, question_ids, skipped, edited}. ' +
          'questions rewords some of the re-run questions (a config edit). The pass replaces the ' +
          'machine answers of those questions (older answers stay in the history); questions with an accepted or edited review are skipped. ' +
          '409 SESSION_RUNNING while the analysis is queued or running.',
        params: sessionParams,
        response: { 202: queuedResponse, ...errorResponses },
      },
      // As costly as accepting an analysis: the same per-user limit.
      config: {
        rateLimit: {
          max: ctx.config.auth.analyzeRatePerMinute,
          timeWindow: '1 minute',
          keyGenerator: (req: FastifyRequest) => req.user?.id ?? req.ip,
        },
      },
    },
    async (request, reply) => {
      // Whose it is first: another user's session answers 404 whatever the body.
      const session = await loadVisibleSession(ctx, request, request.params.session_id);
      const parsed = rerunBody.safeParse(request.body ?? {});
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        throw new AppError(
          'VALIDATION_FAILED',
          `Send JSON {question_ids: [...] (1 to ${MAX_QUESTION_IDS}), engine?, thorough?, questions?: [{id, text}]}: ${problems.map((p) => `${p.path || 'body'}: ${p.message}`).join('; ')}`,
          {
            details: { problems },
          },
        );
      }
      const queued = await startPass(
        ctx,
        session,
        {
          questionIds: parsed.data.question_ids,
          engine: parsed.data.engine,
          thorough: parsed.data.thorough,
          questionEdits: parsed.data.questions,
        },
        ownerOf(request),
      );
      request.log.info(
        {
          sessionId: queued.sessionId,
          pass: queued.pass,
          questions: queued.questionIds.length,
          skipped: queued.skipped.length,
        },
        'pass queued',
      );
      return reply.code(202).send({
        success: true,
        session_id: queued.sessionId,
        pass: queued.pass,
        status: 'queued',
        question_ids: queued.questionIds,
        skipped: queued.skipped,
        engine: queued.engine,
        thorough: queued.thorough,
        edited: queued.edited,
      });
    },
  );

  api.get(
    '/api/rerun/:session_id',
    {
      schema: {
        tags: ['sessions'],
        summary: "A session's passes and every answer each pass produced (in force or replaced)",
        params: sessionParams,
        querystring: passQuery,
        response: { 200: passesResponse, ...errorResponses },
      },
    },
    async (request) => {
      const session = await loadVisibleSession(ctx, request, request.params.session_id);
      const [passes, versions] = await Promise.all([
        selectPasses(ctx.db, session.id),
        selectAnswerVersions(ctx.db, session.id, request.query.question_id ? [request.query.question_id] : null),
      ]);
      const current = session.currentPass;
      return {
        success: true,
        session_id: session.id,
        current_pass: current,
        status: session.status,
        passes: (passes.length > 0 ? passes : [null]).map((p) =>
          p === null
            ? // Never re-run: the original run is the only pass.
              {
                pass: 1,
                question_ids: null,
                skipped: [],
                engine: session.engine,
                model: session.model,
                thorough: session.thorough,
                requested_by: session.ownerId,
                created_at: session.createdAt.toISOString(),
                started_at: session.startedAt?.toISOString() ?? null,
                status: session.status,
                completed_at: session.completedAt?.toISOString() ?? null,
              }
            : {
                pass: p.pass,
                question_ids: p.questionIds,
                skipped: p.skipped,
                engine: p.engine,
                model: p.model,
                thorough: p.thorough,
                requested_by: p.requestedBy,
                created_at: p.createdAt.toISOString(),
                started_at: p.startedAt?.toISOString() ?? null,
                // The current pass's state is the session's own.
                status: p.pass === current ? session.status : p.status,
                completed_at: (p.pass === current ? session.completedAt : p.completedAt)?.toISOString() ?? null,
              },
        ),
        history: versions.map((v) => ({
          question_id: v.questionId,
          pass: v.pass,
          answer: v.answer,
          pages: v.pages,
          confidence: v.confidence,
          footnote: v.footnote,
          answered_at: v.answeredAt.toISOString(),
          current: v.supersededAt === null,
          superseded_at: v.supersededAt?.toISOString() ?? null,
          superseded_by: v.supersededBy,
        })),
      };
    },
  );
}
