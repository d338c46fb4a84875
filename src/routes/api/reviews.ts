/**
 * Reviewing answers: accept, edit, reject or reset one question's answer, and read its history. Owner and
 * admins only (the same visibility as results, the original front end's alias ids included); cookie POSTs
 * are CSRF-checked by auth-hooks. The use cases live in src/sessions/review-answer.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { loadReviewHistory, parseReviewBody, reviewAnswer } from '../../sessions/review-answer.js';
import { loadVisibleSession } from '../../http/session-access.js';

import { errorResponses, looseObject, openObject } from '../schemas.js';

const reviewParams = z.object({
  session_id: z.string().min(1).max(200).describe('Session id (or your own client session id)'),
  question_id: z.string().min(1).max(200),
});
// The body is validated by the use case (parseReviewBody), which words its errors for reviewers.
const reviewResponse = looseObject({
  success: z.boolean(),
  question: openObject('The question as in results, with its review'),
});
const historyResponse = looseObject({
  success: z.boolean(),
  history: z.array(openObject('One review action: review_id, action, answer, pages, note, verified, by, at')),
});

export async function reviewRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/api/review/:session_id/:question_id',
    {
      schema: {
        tags: ['sessions'],
        summary:
          'Review one answer: JSON {action: accept|edit|reject|reset, answer?, pages?, note?, base_review_id?} → {success, question}. ' +
          'With base_review_id (the review_id last seen, null for none), a stale review answers 409 REVIEW_CONFLICT with the current question.',
        params: reviewParams,
        response: { 200: reviewResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = parseReviewBody(request.body);
      const session = await loadVisibleSession(ctx, request, request.params.session_id);
      const user = request.user;
      if (!user) throw new AppError('AUTH_REQUIRED');
      const outcome = await reviewAnswer(ctx, session, request.params.question_id, body, {
        id: user.id,
        email: user.email,
      });
      if (!outcome.ok) {
        const err = new AppError('REVIEW_CONFLICT');
        request.log.info({ code: err.code, sessionId: session.id }, err.message);
        return reply
          .code(err.status)
          .send({ success: false, error: err.message, code: err.code, question: outcome.question });
      }
      return { success: true, question: outcome.question };
    },
  );

  api.get(
    '/api/review/:session_id/:question_id/history',
    {
      schema: {
        tags: ['sessions'],
        summary:
          'Every review action on one answer, oldest first: {success, history: [{review_id, action, answer, pages, note, verified, by, at}]}',
        params: reviewParams,
        response: { 200: historyResponse, ...errorResponses },
      },
    },
    async (request) => {
      const session = await loadVisibleSession(ctx, request, request.params.session_id);
      return { success: true, history: await loadReviewHistory(ctx, session, request.params.question_id) };
    },
  );
}
