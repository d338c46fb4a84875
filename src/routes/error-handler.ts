/**
 * The one error handler: AppErrors answer with their catalogued status and code; framework errors are mapped
 * to catalogue codes; anything else is a 500 whose message never leaks internals (it is logged instead).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CATALOGUE, type ErrorCode } from '../errors.js';

export interface ErrorBody {
  success: false;
  error: string;
  code: ErrorCode;
  details?: unknown;
}

function fromFramework(err: FastifyError): AppError | null {
  if (err.validation)
    return new AppError('VALIDATION_FAILED', `Invalid request: ${err.message}`, { details: err.validation });
  switch (err.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError(
        'UPLOAD_TOO_LARGE',
        err.code === 'FST_REQ_FILE_TOO_LARGE' ? undefined : `Request too large: ${err.message}`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError('VALIDATION_FAILED', 'Unsupported content type for this endpoint.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('VALIDATION_FAILED', 'The request body is not valid JSON.');
    default:
      break;
  }
  if (err.statusCode === 429) return new AppError('RATE_LIMITED');
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return new AppError('VALIDATION_FAILED', err.message);
  return null;
}

export function sendError(reply: FastifyReply, err: AppError): FastifyReply {
  const body: ErrorBody = { success: false, error: err.message, code: err.code };
  if (err.details !== undefined) body.details = err.details;
  if (err.retryAfterSeconds !== undefined) void reply.header('retry-after', String(err.retryAfterSeconds));
  return reply.code(err.status).type('application/json; charset=utf-8').send(body);
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = error instanceof AppError ? error : fromFramework(error);
    if (appError) {
      if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code: appError.code }, appError.message);
      return sendError(reply, appError);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, new AppError('INTERNAL', ERROR_CATALOGUE.INTERNAL.message));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new AppError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`)),
  );
}
