/**
 * Accept an analysis: validate everything that can be validated before anything is stored or paid for
 * (the PDF by content, the config, the sections, the guardrails, the engine), then store the PDF, its page
 * text, the config, the selection and the session row in one transaction, and wake the run worker.
 * The PDF comes either with the request (multipart `file`) or as an uploaded document (`document_id`,
 * see upload-document.ts), which was validated and parsed when it was uploaded and is not parsed again.
 */
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors.js';
import { ingestPdf, ingestOptionsFromConfig, type IngestedDocument } from '../ingest/index.js';
import { buildRunInput, countQuestions, loadDefaultConfig, parseQuestionConfig } from '../questions/index.js';
import type { RunInput } from '../questions/types.js';
import { estimateRunOffThread } from '../analysis-worker/index.js';
import { llmAvailability } from '../analysis/create-engine.js';
import { lookupPrice } from '../analysis/llm/prices.js';
import type { Estimate, EngineName } from '../analysis/types.js';
import type { Session } from '../db/queries/sessions.js';
import { createSession } from '../db/queries/create-session.js';
import { DocumentUnavailableError } from '../db/queries/uploaded-documents.js';
import { loadOwnDocument } from './upload-document.js';

export interface AnalyzeForm {
  file: { filename: string; bytes: Uint8Array } | null;
  /** An uploaded document's id, used instead of `file`. */
  documentId: string | null;
  /** The uploaded config file's bytes or text; null = the built-in default. */
  config: Uint8Array | string | null;
  sections: string | null;
  guardrails: string | null;
  engine: string | null;
  thorough: string | null;
}

export interface ValidatedAnalysis {
  filename: string;
  /** The PDF sent with the request, or null when it comes from an uploaded document (`documentId`). */
  bytes: Uint8Array | null;
  documentId: string | null;
  input: RunInput;
  fullConfig: RunInput['config'];
  engine: EngineName;
  thorough: boolean;
  /** Pages with text (null when some pages still need OCR, which the run does). */
  document: Pick<IngestedDocument, 'pages'> | null;
  pageCount: number;
  totalQuestions: number;
}

const MAX_FILENAME_CHARS = 255;

/**
 * Display name of an upload: the client's file name without path or control characters. Rendered as text everywhere.
 */
export function cleanFilename(name: string | undefined | null): string {
  // Old browsers send a full Windows path ("C:\\Users\\me\\spec.pdf"): keep the last segment. Other characters
  // (even "/" or "<") are kept: the name is only ever rendered as text, and exports sanitise their own file names.
  const raw = name ?? '';
  const base = /^[A-Za-z]:\\/.test(raw) ? (raw.split('\\').pop() ?? '') : raw;
  const cleaned = base
    // eslint-disable-next-line no-control-regex -- stripping control characters from a filename is the point
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, MAX_FILENAME_CHARS);
  return cleaned || 'document.pdf';
}

export function parseEngine(ctx: AppContext, value: string | null): EngineName {
  const v = (value ?? '').trim() || ctx.config.analysis.defaultEngine;
  if (v !== 'extractive' && v !== 'llm')
    throw new AppError('VALIDATION_FAILED', `Unknown engine "${v}"; use "extractive" or "llm".`);
  if (v === 'llm') {
    const a = llmAvailability(ctx.config);
    if (!a.available)
      throw new AppError(
        'LLM_NOT_CONFIGURED',
        `The llm engine is not configured on this server. ${a.reason ?? ''}`.trim(),
      );
    assertBudgetEnforceable(ctx);
  }
  return v;
}

/** A cost cap on a model without a price would count every call as free and never stop: refuse instead. */
function assertBudgetEnforceable(ctx: AppContext): void {
  const { llm, maxCostUsd } = ctx.config.analysis;
  if (maxCostUsd === null || lookupPrice(llm.model, llm.prices).priced) return;
  throw new AppError(
    'PRICE_UNKNOWN',
    `MAX_COST_USD is set, but the model "${llm.model}" has no known price, so the budget cannot be enforced. Set LLM_PRICE_INPUT_PER_MTOK and LLM_PRICE_OUTPUT_PER_MTOK (USD per 1M tokens), or LLM_PRICES.`,
  );
}

function parseBool(value: string | null): boolean {
  return value !== null && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

/** The question config, selection, guardrails and engine of a request: cheap checks, made before any PDF is parsed. */
export function validateRunOptions(ctx: AppContext, form: AnalyzeForm) {
  const fullConfig = form.config === null ? loadDefaultConfig() : parseQuestionConfig(form.config);
  const input = buildRunInput(fullConfig, form.sections, form.guardrails);
  const engine = parseEngine(ctx, form.engine);
  return { fullConfig, input, engine, thorough: parseBool(form.thorough), totalQuestions: countQuestions(input) };
}

export interface ValidatedPdf {
  filename: string;
  bytes: Uint8Array;
  /** Pages with text (null when some pages still need OCR, which the run does). */
  document: IngestedDocument | null;
  pageCount: number;
  /** Pages without a usable text layer: the run reads them with OCR. */
  ocrPages: number;
}

/**
 * Validate a PDF by content: a text-layer pass without OCR (fast) catches not-a-PDF, corrupt, encrypted, too
 * many pages and bombs, in the process-wide parse gate (waiting at most PARSE_QUEUE_TIMEOUT_MS: SERVER_BUSY).
 */
export async function validatePdf(ctx: AppContext, file: AnalyzeForm['file']): Promise<ValidatedPdf> {
  if (!file || file.bytes.length === 0) {
    throw file ? new AppError('PDF_INVALID', 'The uploaded file is empty (0 bytes).') : new AppError('FILE_REQUIRED');
  }
  // No text layer at all is fine when OCR is on: the run reads it with OCR (and fails PDF_NO_TEXT if that finds
  // nothing). One parse answers both questions, so a scanned upload is not opened a second time to count pages.
  const ocrLater = ctx.config.ingest.ocr === 'auto';
  const parsed = await ingestPdf(file.bytes, {
    ...ingestOptionsFromConfig(ctx.config, { boundedQueue: true }),
    ocr: 'off',
    allowNoText: ocrLater,
  });
  const thinPages = parsed.pages.filter((p) => p.text.replace(/\s/g, '').length < 20).length;
  // Pages without a text layer are OCR'd by the run; don't cache text that OCR would improve.
  const document = ocrLater && thinPages > 0 ? null : parsed;
  return {
    filename: cleanFilename(file.filename),
    bytes: file.bytes,
    document,
    pageCount: parsed.pageCount,
    ocrPages: ocrLater ? thinPages : 0,
  };
}

export async function validateAnalysis(
  ctx: AppContext,
  form: AnalyzeForm,
  ownerId: string | null = null,
): Promise<ValidatedAnalysis> {
  if (form.documentId === null && (!form.file || form.file.bytes.length === 0)) {
    throw form.file
      ? new AppError('PDF_INVALID', 'The uploaded file is empty (0 bytes).')
      : new AppError('FILE_REQUIRED');
  }
  // Cheap checks first: a bad config or selection is reported before a long PDF is parsed.
  const options = validateRunOptions(ctx, form);
  if (form.documentId !== null) {
    const stored = await loadOwnDocument(ctx, form.documentId, ownerId);
    return {
      ...options,
      filename: stored.document.filename,
      bytes: null,
      documentId: stored.document.id,
      document: stored.pages ? { pages: stored.pages } : null,
      pageCount: stored.document.pageCount,
    };
  }
  const pdf = await validatePdf(ctx, form.file);
  return {
    ...options,
    filename: pdf.filename,
    bytes: pdf.bytes,
    documentId: null,
    document: pdf.document,
    pageCount: pdf.pageCount,
  };
}

/** `alias`: a client-chosen id (the original front end's session_id), recorded for the owner with the session. */
export async function startAnalysis(
  ctx: AppContext,
  v: ValidatedAnalysis,
  ownerId: string | null,
  alias?: string,
): Promise<Session> {
  let session: Session;
  try {
    session = await createSession(ctx.db, {
      pdfFilename: v.filename,
      engine: v.engine,
      model: v.engine === 'llm' ? ctx.config.analysis.llm.model : null,
      thorough: v.thorough,
      config: v.fullConfig,
      enabledSections: v.input.enabledSections,
      guardrails: v.input.guardrails,
      ownerId,
      totalPages: v.pageCount,
      totalQuestions: v.totalQuestions,
      maxAttempts: ctx.config.runs.maxAttempts,
      document: v.bytes ? { bytes: v.bytes, pageCount: v.pageCount, pages: v.document?.pages } : undefined,
      documentId: v.documentId ?? undefined,
      ...(alias !== undefined ? { alias } : {}),
    });
  } catch (err) {
    // The document expired (and was deleted) between validation and the session's transaction, which stored nothing.
    if (err instanceof DocumentUnavailableError) throw new AppError('DOCUMENT_EXPIRED');
    throw err;
  }
  ctx.worker?.wake();
  return session;
}

/** Preflight: what a run would do and cost. Without page text (scanned PDF) the estimate assumes empty pages. */
export async function estimateAnalysis(ctx: AppContext, v: ValidatedAnalysis): Promise<Estimate> {
  const pages =
    v.document?.pages ??
    Array.from({ length: v.pageCount }, (_, i) => ({
      pageNumber: i + 1,
      label: null,
      text: '',
      boilerplateLines: [],
      ocr: true,
      ocrConfidence: null,
    }));
  // Planning a long document takes seconds of CPU: done in an analysis thread, never on the HTTP thread.
  return estimateRunOffThread(
    { pages, input: v.input, engine: v.engine, thorough: v.thorough },
    { createEngine: ctx.createEngine, settings: ctx.config, threads: ctx.config.runs.analysisThreads },
  );
}
