/**
 * `spec-analyzer ingest FILE.pdf [--ocr auto|off] [--json]`: run ingestion on one file and show, per page,
 * the page number, printed label, characters read and whether OCR was used, then totals and timings.
 * Useful to check how a customer's PDF will be read before running an analysis on it.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, loadConfig } from '../config.js';
import { isAppError } from '../errors.js';
import { ingestPdf } from '../ingest/index.js';
import type { IngestedDocument } from '../ingest/types.js';

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const USAGE = 'Usage: spec-analyzer ingest FILE.pdf [--ocr auto|off] [--json]';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

interface IngestArgs {
  file: string;
  ocr: 'auto' | 'off' | null;
  json: boolean;
}

function parseArgs(argv: string[]): IngestArgs | string {
  let file: string | null = null;
  let ocr: IngestArgs['ocr'] = null;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--ocr' || arg.startsWith('--ocr=')) {
      const value = arg === '--ocr' ? argv[++i] : arg.slice('--ocr='.length);
      if (value !== 'auto' && value !== 'off') return `--ocr must be "auto" or "off" (got ${value ?? 'nothing'})`;
      ocr = value;
    } else if (arg === '--help' || arg === '-h') return '';
    else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else if (file === null) file = arg;
    else return `unexpected argument ${arg}`;
  }
  if (file === null) return 'a PDF file is required';
  return { file, ocr, json };
}

/**
 * Run the command. `argv` holds the arguments after the `ingest` sub-command.
 * Returns the exit code: 0 success, 1 the file could not be ingested, 2 bad usage or configuration.
 */
export async function runIngestCommand(argv: string[], io: Partial<CommandIo> = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => process.stderr.write(t));
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    err(`${args ? `error: ${args}\n` : ''}${USAGE}\n`);
    return args ? EXIT_USAGE : EXIT_OK;
  }

  let ingest;
  try {
    ingest = loadConfig(io.env ?? process.env).ingest;
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }

  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(args.file));
  } catch (e) {
    err(`error: cannot read ${args.file}: ${(e as Error).message}\n`);
    return EXIT_FAILED;
  }

  try {
    const doc = await ingestPdf(bytes, { ...ingest, ocr: args.ocr ?? ingest.ocr });
    out(args.json ? `${JSON.stringify(toJson(args.file, doc), null, 2)}\n` : formatTable(args.file, doc));
    return EXIT_OK;
  } catch (e) {
    if (isAppError(e)) {
      err(
        args.json
          ? `${JSON.stringify({ success: false, code: e.code, error: e.message })}\n`
          : `error ${e.code}: ${e.message}\n`,
      );
      return EXIT_FAILED;
    }
    throw e;
  }
}

function charsOf(text: string): number {
  return text.replace(/\s+/g, '').length;
}

function toJson(file: string, doc: IngestedDocument) {
  return {
    file,
    pageCount: doc.pageCount,
    ocrPages: doc.ocrPages,
    totalChars: doc.pages.reduce((n, p) => n + charsOf(p.text), 0),
    timings: doc.timings,
    pages: doc.pages.map((p) => ({
      page: p.pageNumber,
      label: p.label,
      chars: charsOf(p.text),
      ocr: p.ocr,
      ocrConfidence: p.ocrConfidence,
      boilerplateLines: p.boilerplateLines,
    })),
  };
}

function formatTable(file: string, doc: IngestedDocument): string {
  const rows = doc.pages.map((p) => [
    String(p.pageNumber),
    p.label ?? '-',
    String(charsOf(p.text)),
    p.ocr ? `yes (${Math.round((p.ocrConfidence ?? 0) * 100)}%)` : 'no',
  ]);
  const header = ['page', 'label', 'chars', 'ocr'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 1 || c === 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  const totalChars = doc.pages.reduce((n, p) => n + charsOf(p.text), 0);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return [
    file,
    line(header),
    ...rows.map(line),
    '',
    `pages: ${doc.pageCount}   characters: ${totalChars}   OCR pages: ${doc.ocrPages.length ? doc.ocrPages.join(', ') : 'none'}`,
    `time: ${seconds(doc.timings.totalMs)} total (text layer ${seconds(doc.timings.parseMs)}, OCR ${seconds(doc.timings.ocrMs)})`,
    '',
  ].join('\n');
}
