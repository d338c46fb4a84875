/**
 * `spec-analyzer analyze FILE.pdf [--config Q.json] [--sections a,b] [--engine extractive|llm]
 *  [--guardrails TEXT] [--thorough] [--out result.json] [--json]`: run one analysis locally — no server, no
 * database. Prints a summary table (question, answer, pages, confidence) and writes the full result JSON
 * (FullResult + legacy + statistics) to --out, or to FILE.analysis.json next to the PDF.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AnalysisEngine } from '../analysis/engine.js';
import { createExtractiveEngine } from '../analysis/engines/extractive-engine.js';
import { runAnalysis } from '../analysis/run-analysis.js';
import type { EngineName, RunAnalysisOutcome } from '../analysis/types.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { AppError, isAppError } from '../errors.js';
import { ingestPdf } from '../ingest/index.js';
import { buildRunInput, loadDefaultConfig, parseQuestionConfig } from '../questions/index.js';

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const USAGE =
  'Usage: spec-analyzer analyze FILE.pdf [--config Q.json] [--sections a,b] [--engine extractive|llm] [--guardrails TEXT] [--thorough] [--out result.json] [--json]';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** Answers are cut to this many characters in the summary table (the JSON has them whole). */
const TABLE_ANSWER_CHARS = 60;

export interface AnalyzeArgs {
  file: string;
  config: string | null;
  sections: string | null;
  engine: EngineName | null;
  guardrails: string;
  thorough: boolean;
  out: string | null;
  json: boolean;
}

/** Parse the arguments after `analyze`. Returns the args, or a usage error message ('' for --help). */
export function parseAnalyzeArgs(argv: string[]): AnalyzeArgs | string {
  const args: AnalyzeArgs = {
    file: '',
    config: null,
    sections: null,
    engine: null,
    guardrails: '',
    thorough: false,
    out: null,
    json: false,
  };
  const valueOf = (i: number, name: string): string | null => {
    const arg = argv[i] as string;
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
    const next = argv[i + 1];
    return next === undefined || next.startsWith('--') ? null : next;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const name = arg.split('=')[0] as string;
    if (arg === '--help' || arg === '-h') return '';
    if (arg === '--thorough') args.thorough = true;
    else if (arg === '--json') args.json = true;
    else if (['--config', '--sections', '--engine', '--guardrails', '--out'].includes(name)) {
      const value = valueOf(i, name);
      if (value === null) return `${name} needs a value`;
      if (!arg.includes('=')) i++;
      if (name === '--config') args.config = value;
      else if (name === '--sections') args.sections = value;
      else if (name === '--guardrails') args.guardrails = value;
      else if (name === '--out') args.out = value;
      else if (value === 'extractive' || value === 'llm') args.engine = value;
      else return `--engine must be "extractive" or "llm" (got ${value})`;
    } else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else if (args.file === '') args.file = arg;
    else return `unexpected argument ${arg}`;
  }
  if (args.file === '') return 'a PDF file is required';
  return args;
}

/** The engine factory for a local run; the llm engine is loaded lazily so the offline path never depends on it. */
async function createEngineFactory(name: EngineName, config: Config): Promise<(n: EngineName) => AnalysisEngine> {
  if (name === 'extractive') return () => createExtractiveEngine();
  let mod: { createLlmEngine: (c: Config['analysis']['llm'] & { maxCostUsd?: number | null }) => AnalysisEngine };
  try {
    mod = (await import('../analysis/engines/llm-engine.js')) as typeof mod;
  } catch (e) {
    throw new AppError('ENGINE_UNAVAILABLE', `The llm engine could not be loaded: ${(e as Error).message}`);
  }
  const engine = mod.createLlmEngine({ ...config.analysis.llm, maxCostUsd: config.analysis.maxCostUsd });
  return () => engine;
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}\u2026`;
}

/** The summary table: one row per question. */
export function formatSummary(outcome: RunAnalysisOutcome): string {
  const rows = outcome.result.sections.flatMap((s) =>
    s.answers.map((a) => [
      a.question_id,
      a.answer === null ? '—' : truncate(a.answer, TABLE_ANSWER_CHARS),
      a.pages.join(',') || '-',
      a.answer === null ? '-' : a.confidence.toFixed(2),
    ]),
  );
  const header = ['question', 'answer', 'pages', 'confidence'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 3 ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number)))
      .join('  ')
      .trimEnd();
  const s = outcome.statistics;
  return [
    line(header),
    ...rows.map(line),
    '',
    `answered ${s.questions_answered}/${s.total_questions}   average confidence ${s.average_confidence}   time ${s.processing_time} s   tokens ${s.total_tokens}   cost ${s.estimated_cost}` +
      (outcome.stoppedReason === null ? '' : `   PARTIAL (stopped: ${outcome.stoppedReason})`),
    '',
  ].join('\n');
}

/**
 * Run the command (arguments after `analyze`). Exit codes: 0 done, 1 the analysis failed, 2 bad usage or configuration.
 */
export async function runAnalyzeCommand(argv: string[], io: Partial<CommandIo> = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => void process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => void process.stderr.write(t));
  const args = parseAnalyzeArgs(argv);
  if (typeof args === 'string') {
    err(`${args ? `error: ${args}\n` : ''}${USAGE}\n`);
    return args ? EXIT_USAGE : EXIT_OK;
  }
  let config: Config;
  try {
    config = loadConfig(io.env ?? process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const questionConfig =
      args.config === null ? loadDefaultConfig() : parseQuestionConfig(await readFile(args.config));
    const input = buildRunInput(questionConfig, args.sections, args.guardrails);
    const engineName = args.engine ?? config.analysis.defaultEngine;
    const createEngine = await createEngineFactory(engineName, config);
    const bytes = new Uint8Array(await readFile(args.file));
    const doc = await ingestPdf(bytes, { ...config.ingest, signal: controller.signal });
    const outcome = await runAnalysis(
      {
        documentName: path.basename(args.file),
        pages: doc.pages,
        input,
        engine: engineName,
        thorough: args.thorough,
        signal: controller.signal,
        maxCostUsd: config.analysis.maxCostUsd,
      },
      { createEngine },
    );
    const outFile = args.out ?? `${args.file.replace(/\.pdf$/i, '')}.analysis.json`;
    await writeFile(
      outFile,
      `${JSON.stringify({ result: outcome.result, legacy: outcome.legacy, statistics: outcome.statistics }, null, 2)}\n`,
    );
    out(args.json ? `${JSON.stringify(outcome.statistics)}\n` : `${formatSummary(outcome)}full result: ${outFile}\n`);
    return EXIT_OK;
  } catch (e) {
    if (isAppError(e)) {
      err(`error ${e.code}: ${e.message}\n`);
      return EXIT_FAILED;
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      err(`error: ${(e as Error).message}\n`);
      return EXIT_FAILED;
    }
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
