/**
 * One error class and one catalogue of stable codes. Every error a user (or a script) can see carries
 * one of these codes; the HTTP status comes from this table, never from the throw site.
 * Each code is documented in docs/errors.md (a test keeps the two in step).
 */
export const ERROR_CATALOGUE = {
  // Request and input validation
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid.' },
  FILE_REQUIRED: { status: 400, message: 'A PDF file is required (multipart field "file").' },
  UPLOAD_TOO_LARGE: { status: 413, message: 'The upload is larger than the allowed maximum.' },
  PDF_INVALID: { status: 422, message: 'The file is not a readable PDF.' },
  PDF_ENCRYPTED: { status: 422, message: 'The PDF is password-protected; upload an unprotected copy.' },
  PDF_TOO_MANY_PAGES: { status: 422, message: 'The PDF has more pages than the allowed maximum.' },
  PDF_NO_TEXT: { status: 422, message: 'No text could be read from the PDF, even with OCR.' },
  PDF_TIMEOUT: { status: 422, message: 'Reading the PDF took longer than the allowed time.' },
  CONFIG_INVALID: { status: 422, message: 'The question config is not valid.' },
  SECTIONS_INVALID: { status: 422, message: 'The section selection is not valid.' },
  ENGINE_UNAVAILABLE: { status: 422, message: 'The requested analysis engine is not available.' },
  BUDGET_EXCEEDED: { status: 422, message: 'The estimated cost exceeds the allowed budget.' },
  CONFIG_TOO_LARGE: { status: 413, message: 'The question config file is larger than 1 MB.' },
  PDF_TOO_COMPLEX: { status: 422, message: 'The PDF expands to more data than this server can read at once.' },

  // Sessions and runs
  SESSION_NOT_FOUND: { status: 404, message: 'No analysis exists with this id.' },
  SESSION_NOT_STOPPABLE: { status: 409, message: 'The analysis has already finished.' },
  RESULT_NOT_READY: { status: 409, message: 'The analysis has no result yet.' },
  PDF_NOT_AVAILABLE: { status: 410, message: 'The stored PDF is no longer available.' },
  EXPORT_FORMAT_INVALID: { status: 400, message: 'Unknown export format.' },
  SESSION_ALIAS_TAKEN: {
    status: 409,
    message: 'You already used this session_id for another analysis; choose a new one.',
  },
  SESSION_RUNNING: {
    status: 409,
    message:
      'The analysis is still running: re-run questions once it has finished; review a question once it has been reached.',
  },
  QUESTION_UNKNOWN: { status: 400, message: 'A question id is not one of the analysed questions of this session.' },
  NOTHING_TO_RERUN: {
    status: 409,
    message: 'Every question asked for has a reviewed (accepted or edited) answer; nothing to re-run.',
  },

  // Reviews
  QUESTION_NOT_FOUND: { status: 404, message: 'The analysis has no question with this id.' },
  REVIEW_CONFLICT: {
    status: 409,
    message: 'Someone else reviewed this answer since you loaded it; reload and review again.',
  },

  // Uploaded documents
  DOCUMENT_NOT_FOUND: { status: 404, message: 'No uploaded document exists with this id.' },
  DOCUMENT_EXPIRED: { status: 410, message: 'The uploaded document has expired; upload the PDF again.' },

  // LLM
  LLM_NOT_CONFIGURED: {
    status: 422,
    message: 'The llm engine needs LLM_BASE_URL/LLM_API_KEY (or OPENAI_API_KEY) and LLM_MODEL.',
  },
  LLM_REQUEST_FAILED: { status: 502, message: 'The language model could not be reached.' },
  LLM_BAD_RESPONSE: { status: 502, message: 'The language model returned an unusable answer.' },
  RUN_ABORTED: { status: 409, message: 'The run was stopped.' },
  PRICE_UNKNOWN: {
    status: 400,
    message: 'MAX_COST_USD is set but the LLM model has no known price, so the cap cannot be enforced.',
  },

  // Auth
  AUTH_REQUIRED: { status: 401, message: 'Sign in to continue.' },
  AUTH_INVALID: { status: 401, message: 'Email or password is incorrect.' },
  FORBIDDEN: { status: 403, message: 'You do not have access to this.' },
  CSRF_REJECTED: { status: 403, message: 'The request came from another site.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; try again later.' },

  // Infrastructure
  NOT_FOUND: { status: 404, message: 'Not found.' },
  DATABASE_UNAVAILABLE: { status: 503, message: 'The database is not reachable.' },
  NOT_READY: { status: 503, message: 'The service is not ready.' },
  SERVER_BUSY: { status: 503, message: 'The server is busy reading other PDFs; try again shortly.' },
  CONFIG_ENV_INVALID: { status: 500, message: 'The server configuration is not valid.' },
  INTERNAL: { status: 500, message: 'Something went wrong on our side.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra machine-readable detail for the client (e.g. JSON paths of config problems). Never secrets. */
  readonly details: unknown;
  /** Seconds the client should wait before retrying (sent as `Retry-After`), for momentary refusals. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    options?: { details?: unknown; cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(
      message ?? ERROR_CATALOGUE[code].message,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.details = options?.details;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
