/**
 * Accept an analysis: validate everything that can be validated before anything is stored or paid for
 * (the PDF by content, the config, the sections, the guardrails, the engine), then store the PDF, its page
 * text, the config, the selection and the session row in one transaction, and wake the run worker.
 */
import type { AppContext } from '../app-context.js';
import { AppError, isAppError } from '../errors.js';
import { ingestPdf, ingestOptionsFromConfig, inspectPdf, type IngestedDocument } from '../ingest/index.js';
import { buildRunInput, countQuestions, loadDefaultConfig, parseQuestionConfig } from '../questions/index.js';
import type { RunInput } from '../questions/types.js';
import { estimateRunOffThread } from '../analysis-worker/index.js';
import { llmAvailability } from '../analysis/create-engine.js';
import type { Estimate, EngineName } from '../analysis/types.js';
import type { Session } from '../db/queries/sessions.js';

export interface AnalyzeForm {
  file: { filename: string; bytes: Uint8Array } | null;
  /** The uploaded config file's bytes or text; null = the built-in default. */
  config: Uint8Array | string | null;
  sections: string | null;
  guardrails: string | null;
  engine: string | null;
  thorough: string | null;
}

export interface ValidatedAnalysis {
  filename: string;
  bytes: Uint8Array;
  input: RunInput;
  fullConfig: RunInput['config'];
  engine: EngineName;
  thorough: boolean;
  /** Pages with text (null when some pages still need OCR, which the run does). */
  document: IngestedDocument | null;
  pageCount: number;
  totalQuestions: number;
}

const MAX_FILENAME_CHARS = 255;

/** Display name of an upload: the client's file name without path or control characters. Rendered as text everywhere. */
export function cleanFilename(name: string | undefined | null): string {
  // Old browsers send a full Windows path ("C:\\Users\\me\\spec.pdf"): keep the last segment. Other characters
  // (even "/" or "<") are kept: the name is only ever rendered as text, and exports sanitise their own file names.
  const raw = name ?? '';
  const base = /^[A-Za-z]:\\/.test(raw) ? (raw.split('\\').pop() ?? '') : raw;
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_FILENAME_CHARS);
  return cleaned || 'document.pdf';
}

function parseEngine(ctx: AppContext, value: string | null): EngineName {
  const v = (value ?? '').trim() || ctx.config.analysis.defaultEngine;
  if (v !== 'extractive' && v !== 'llm') throw new AppError('VALIDATION_FAILED', `Unknown engine "${v}"; use "extractive" or "llm".`);
  if (v === 'llm') {
    const a = llmAvailability(ctx.config);
    if (!a.available) throw new AppError('LLM_NOT_CONFIGURED', `The llm engine is not configured on this server. ${a.reason ?? ''}`.trim());
  }
  return v;
}

function parseBool(value: string | null): boolean {
  return value !== null && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

export async function validateAnalysis(ctx: AppContext, form: AnalyzeForm): Promise<ValidatedAnalysis> {
  if (!form.file || form.file.bytes.length === 0) {
    throw form.file ? new AppError('PDF_INVALID', 'The uploaded file is empty (0 bytes).') : new AppError('FILE_REQUIRED');
  }
  // Cheap checks first: a bad config or selection is reported before a long PDF is parsed.
  const fullConfig = form.config === null ? loadDefaultConfig() : parseQuestionConfig(form.config);
  const input = buildRunInput(fullConfig, form.sections, form.guardrails);
  const engine = parseEngine(ctx, form.engine);

  // Text-layer pass without OCR: fast, and catches not-a-PDF, corrupt, encrypted, too many pages, bombs.
  let document: IngestedDocument | null = null;
  let pageCount = 0;
  try {
    document = await ingestPdf(form.file.bytes, { ...ingestOptionsFromConfig(ctx.config), ocr: 'off' });
    pageCount = document.pageCount;
  } catch (err) {
    // No text layer at all: with OCR on, the run reads it with OCR (and fails PDF_NO_TEXT if that finds nothing).
    if (!(isAppError(err) && err.code === 'PDF_NO_TEXT' && ctx.config.ingest.ocr === 'auto')) throw err;
    pageCount = (await inspectPdf(form.file.bytes, ingestOptionsFromConfig(ctx.config))).pageCount;
  }
  // Pages without a text layer are OCR'd by the run; don't cache text that OCR would improve.
  if (document && ctx.config.ingest.ocr === 'auto' && document.pages.some((p) => p.text.replace(/\s/g, '').length < 20)) document = null;

  return {
    filename: cleanFilename(form.file.filename),
    bytes: form.file.bytes,
    input,
    fullConfig,
    engine,
    thorough: parseBool(form.thorough),
    document,
    pageCount,
    totalQuestions: countQuestions(input),
  };
}

export async function startAnalysis(ctx: AppContext, v: ValidatedAnalysis, ownerId: string | null): Promise<Session> {
  const session = await ctx.store.createSession({
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
    document: { bytes: v.bytes, pageCount: v.pageCount, pages: v.document?.pages },
  });
  ctx.worker?.wake();
  return session;
}

/** Preflight: what a run would do and cost. Without page text (scanned PDF) the estimate assumes empty pages. */
export async function estimateAnalysis(ctx: AppContext, v: ValidatedAnalysis): Promise<Estimate> {
  const pages = v.document?.pages ?? Array.from({ length: v.pageCount }, (_, i) => ({ pageNumber: i + 1, label: null, text: '', boilerplateLines: [], ocr: true, ocrConfidence: null }));
  // Planning a long document takes seconds of CPU: done in an analysis thread, never on the HTTP thread.
  return estimateRunOffThread({ pages, input: v.input, engine: v.engine, thorough: v.thorough }, { createEngine: ctx.createEngine, settings: ctx.config, threads: ctx.config.runs.analysisThreads });
}
