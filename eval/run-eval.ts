/**
 * `npm run eval [-- --set NAME[,NAME]] [--json out.json] [--verbose] [--corpus DIR] [--floors FILE]`: run the offline
 * (extractive) engine over every evaluation set whose document is available, score the answers against the
 * truth and print page-hit, answer-hit, false-answer and abstention rates per set, per document and in total,
 * plus a reliability table (confidence band -> share right). Writes eval/results/latest.json. Exits 1 when a
 * metric falls below eval/floors.json, 2 on bad usage. Corpus sets need ../shared/corpus (next to the
 * repository or its worktree folder); they are skipped with a notice when it is absent.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QuestionAnswer } from '../src/analysis/types.js';
import { testConfig } from '../src/config.js';
import { ingestPdf } from '../src/ingest/index.js';
import type { IngestedPage } from '../src/ingest/types.js';
import { buildGeneratedPdf } from './generated-documents.js';
import {
  checkFloors,
  reliability,
  scoreQuestion,
  summarize,
  type Floors,
  type Metrics,
  truthProblems,
  type ReliabilityBand,
} from './scorer.js';
import { comparison, type PreviousReport, type QuestionRow } from './compare.js';
import { TAGS, analyseEvalSet, documentLabel, loadEvalSets, type EvalSet } from './sets.js';

const REPO_DIR = fileURLToPath(new URL('../', import.meta.url));
const FLOORS_FILE = path.join(REPO_DIR, 'eval', 'floors.json');
const LATEST_FILE = path.join(REPO_DIR, 'eval', 'results', 'latest.json');
const BASELINE_FILE = path.join(REPO_DIR, 'eval', 'results', 'baseline.json');
/** `--update-floors` sets each floor this far below the measured rate (ceilings this far above): 3 points. */
const FLOOR_MARGIN = 0.03;
/** Where the real corpus is looked for: beside the repository (checkout) or beside its worktree folder. */
const CORPUS_CANDIDATES = [
  path.join(REPO_DIR, '..', 'shared', 'corpus'),
  path.join(REPO_DIR, '..', '..', 'shared', 'corpus'),
];

const DEFINITIONS = [
  'answerable   = questions whose truth lists pages and accepted answers (not marked not-in-document)',
  'page-hit     = answerable questions answered with at least one cited page among the truth pages / answerable',
  'answer-hit   = answerable questions whose answer (or typed value) matches an accepted string or regex and no rejected one / answerable',
  'passage-hit  = as answer-hit but ignoring rejected strings (the quoted passage holds the value, maybe beside a neighbouring one)',
  'false-answer = not-in-document questions given a non-null answer / not-in-document questions',
  'abstained    = answerable questions left unanswered (answer null) / answerable',
  'reliability  = answered questions by confidence band; right = answer-hit (an answer to a not-in-document question is wrong)',
];

interface EvalArgs {
  sets: string[] | null;
  json: string | null;
  verbose: boolean;
  corpus: string | null;
  floors: string;
  updateFloors: boolean;
  writeBaseline: boolean;
  compare: string | null;
}

const USAGE =
  'Usage: npm run eval -- [--set NAME[,NAME...]] [--json out.json] [--verbose] [--corpus DIR] [--floors FILE] [--update-floors] [--write-baseline] [--compare REPORT.json]';

function parseArgs(argv: string[]): EvalArgs | string {
  const args: EvalArgs = {
    sets: null,
    json: null,
    verbose: false,
    corpus: null,
    floors: FLOORS_FILE,
    updateFloors: false,
    writeBaseline: false,
    compare: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (name === '--verbose' || name === '-v') args.verbose = true;
    else if (name === '--update-floors') args.updateFloors = true;
    else if (name === '--write-baseline') args.writeBaseline = true;
    else if (name === '--help' || name === '-h') return '';
    else if (
      name === '--set' ||
      name === '--json' ||
      name === '--corpus' ||
      name === '--floors' ||
      name === '--compare'
    ) {
      const v = value();
      if (v === undefined || v.startsWith('--')) return `${name} needs a value`;
      if (name === '--set') args.sets = [...(args.sets ?? []), ...v.split(',').filter(Boolean)];
      else if (name === '--json') args.json = v;
      else if (name === '--floors') args.floors = v;
      else if (name === '--compare') args.compare = v;
      else args.corpus = v;
    } else return `unknown argument ${arg}`;
  }
  return args;
}

interface FloorsFile {
  /** Checked only when every set ran (a total over fewer sets is a different population). */
  total?: Floors;
  sets?: Record<string, Floors>;
}

interface SetOutcome {
  name: string;
  document: string;
  metrics: Metrics;
  reliability: ReliabilityBand[];
  seconds: number;
  questions: QuestionRow[];
}

const pct = (x: number | null) => (x === null ? '   -  ' : `${(x * 100).toFixed(1).padStart(5)}%`);

function metricsRow(label: string, m: Metrics, width: number): string {
  return [
    label.padEnd(width),
    String(m.questions).padStart(4),
    String(m.answerable).padStart(5),
    String(m.notInDocument).padStart(4),
    `${pct(m.pageHit)} (${m.pageHits})`.padEnd(13),
    `${pct(m.answerHit)} (${m.answerHits})`.padEnd(13),
    `${pct(m.passageHit)} (${m.passageHits})`.padEnd(13),
    `${pct(m.falseAnswerRate)} (${m.falseAnswers})`.padEnd(13),
    `${pct(m.abstentionRate)} (${m.abstainedAnswerable})`,
  ].join('  ');
}

function metricsTable(rows: Array<[string, Metrics]>, label: string): string {
  const width = Math.max(8, ...rows.map(([l]) => l.length));
  const header = [
    label.padEnd(width),
    '   q',
    'answ.',
    ' nid',
    'page-hit'.padEnd(13),
    'answer-hit'.padEnd(13),
    'passage-hit'.padEnd(13),
    'false-answer'.padEnd(13),
    'abstained',
  ].join('  ');
  return [header, ...rows.map(([l, m]) => metricsRow(l, m, width))].join('\n');
}

function reliabilityTable(bands: ReliabilityBand[]): string {
  return [
    'confidence   answered   right   share right',
    ...bands.map(
      (b) =>
        `${b.band.padEnd(11)}  ${String(b.count).padStart(8)}  ${String(b.right).padStart(6)}   ${pct(b.shareRight)}`,
    ),
  ].join('\n');
}

/** Floors a margin below (ceiling above) the given metrics, rounded outward to whole percent. */
function floorsFor(m: Metrics): Floors {
  const out: Floors = {};
  if (m.pageHit !== null) out.pageHit = Math.max(0, Math.floor((m.pageHit - FLOOR_MARGIN) * 100 + 1e-9) / 100);
  if (m.answerHit !== null) out.answerHit = Math.max(0, Math.floor((m.answerHit - FLOOR_MARGIN) * 100 + 1e-9) / 100);
  if (m.falseAnswerRate !== null)
    out.falseAnswerRate = Math.min(1, Math.ceil((m.falseAnswerRate + FLOOR_MARGIN) * 100 - 1e-9) / 100);
  return out;
}

function findCorpusDir(explicit: string | null): string | null {
  if (explicit !== null) return existsSync(explicit) ? path.resolve(explicit) : null;
  return CORPUS_CANDIDATES.find((dir) => existsSync(dir)) ?? null;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(`${args ? `error: ${args}\n` : ''}${USAGE}\n`);
    return args ? 2 : 0;
  }
  const started = performance.now();
  let sets = await loadEvalSets();
  if (args.sets !== null) {
    const unknown = args.sets.filter((n) => !sets.some((s) => s.name === n));
    if (unknown.length) {
      process.stderr.write(`error: unknown set ${unknown.join(', ')} (known: ${sets.map((s) => s.name).join(', ')})\n`);
      return 2;
    }
    sets = sets.filter((s) => args.sets?.includes(s.name));
  }
  const corpusDir = findCorpusDir(args.corpus);
  const floors = JSON.parse(await readFile(args.floors, 'utf8')) as FloorsFile;
  // OCR off: every corpus document has a text layer, and no truth is on an image-only page.
  const ingestConfig = testConfig({ OCR: 'off' }).ingest;
  const pagesCache = new Map<string, IngestedPage[]>();
  const skipped: Array<{ set: string; reason: string }> = [];
  const problems: string[] = [];
  const outcomes: SetOutcome[] = [];

  const documentPages = async (set: EvalSet): Promise<IngestedPage[] | string> => {
    const label = documentLabel(set);
    const cached = pagesCache.get(label);
    if (cached) return cached;
    let bytes: Uint8Array;
    if ('corpus' in set.document) {
      if (corpusDir === null)
        return `corpus folder not found (looked in ${args.corpus ?? CORPUS_CANDIDATES.join(', ')})`;
      const file = path.join(corpusDir, set.document.corpus);
      if (!existsSync(file)) return `${file} not found`;
      bytes = new Uint8Array(await readFile(file));
    } else bytes = await buildGeneratedPdf(set.document.generated);
    const doc = await ingestPdf(bytes, ingestConfig);
    pagesCache.set(label, doc.pages);
    return doc.pages;
  };

  for (const set of sets) {
    const t0 = performance.now();
    const pages = await documentPages(set);
    if (typeof pages === 'string') {
      skipped.push({ set: set.name, reason: pages });
      process.stdout.write(`NOTICE: skipping set ${set.name}: ${pages}\n`);
      continue;
    }
    const pageTexts = pages.map((p) => p.text);
    problems.push(...set.questions.flatMap((q) => truthProblems(q.id, q, pageTexts)).map((m) => `${set.name} ${m}`));
    const outcome = await analyseEvalSet(set, pages);
    const answers = new Map<string, QuestionAnswer>(
      outcome.result.sections.flatMap((s) => s.answers).map((a) => [a.question_id, a]),
    );
    const rows: QuestionRow[] = set.questions.map((q) => {
      const a = answers.get(q.id);
      const score = scoreQuestion(q.id, q, a);
      return {
        ...score,
        text: q.text,
        answer: a?.answer ?? null,
        pages: a?.pages ?? [],
        truth_pages: q.pages ?? null,
        accept: q.accept ?? null,
        not_in_document: q.not_in_document === true,
        tags: q.tags ?? [],
      };
    });
    outcomes.push({
      name: set.name,
      document: documentLabel(set),
      metrics: summarize(rows),
      reliability: reliability(rows),
      seconds: (performance.now() - t0) / 1000,
      questions: rows,
    });
  }

  const out: string[] = [];
  out.push('Definitions:', ...DEFINITIONS.map((d) => `  ${d}`), '');
  if (args.verbose) {
    for (const o of outcomes) {
      out.push(`--- ${o.name} (${o.document})`);
      for (const r of o.questions) {
        const verdict = r.answerable
          ? `${r.pageHit ? 'page+' : 'page-'} ${r.answerHit ? 'ans+' : 'ans-'}`
          : r.answered
            ? 'FALSE-ANSWER'
            : 'abstained-ok';
        const ok = r.answerable ? r.pageHit && r.answerHit : !r.answered;
        out.push(
          `${ok ? ' ' : '✗'} ${r.id.padEnd(8)} ${verdict.padEnd(12)} conf ${r.confidence.toFixed(2)} pages [${r.pages.join(',')}]  ${r.text}`,
        );
        if (!ok) {
          out.push(
            `      answer: ${r.answer === null ? '(none)' : JSON.stringify(r.answer.replace(/\s+/g, ' ').slice(0, 160))}`,
          );
          out.push(
            `      truth : ${r.not_in_document ? 'not in document' : `pages [${r.truth_pages?.join(',')}] accept ${JSON.stringify(r.accept)}`}`,
          );
        }
      }
      out.push('');
    }
  }
  const allRows = outcomes.flatMap((o) => o.questions);
  const byDocument = new Map<string, QuestionRow[]>();
  for (const o of outcomes) byDocument.set(o.document, [...(byDocument.get(o.document) ?? []), ...o.questions]);
  const total = summarize(allRows);
  const totalReliability = reliability(allRows);
  out.push(
    'Per set:',
    metricsTable(
      outcomes.map((o) => [o.name, o.metrics]),
      'set',
    ),
    '',
  );
  out.push(
    'Per document:',
    metricsTable(
      [...byDocument].map(([d, rows]) => [d, summarize(rows)]),
      'document',
    ),
    '',
  );
  out.push('Total:', metricsTable([['all sets run', total]], ''), '');
  const byTag = TAGS.map(
    (tag) => [tag, summarize(allRows.filter((r) => r.tags.includes(tag)))] as [string, Metrics],
  ).filter(([, m]) => m.questions > 0);
  out.push('Per failure class (question tags):', metricsTable(byTag, 'tag'), '');
  out.push('Reliability (all answered questions):', reliabilityTable(totalReliability), '');
  if (skipped.length)
    out.push(
      `Skipped ${skipped.length} set(s): ${skipped.map((s) => s.set).join(', ')} — put the corpus in ../shared/corpus or pass --corpus DIR.`,
      '',
    );

  if (args.compare !== null) {
    const previous = JSON.parse(await readFile(args.compare, 'utf8')) as PreviousReport;
    out.push(
      `Compared with ${args.compare} (fixed = now right or rightly abstained; BROKEN = the reverse):`,
      ...comparison(previous, outcomes),
      '',
    );
  }

  const violations = [
    ...outcomes.flatMap((o) => checkFloors(o.name, o.metrics, floors.sets?.[o.name])),
    ...(skipped.length === 0 && args.sets === null ? checkFloors('total', total, floors.total) : []),
  ];
  const seconds = (performance.now() - started) / 1000;
  out.push(`Time: ${seconds.toFixed(1)} s for ${allRows.length} questions in ${outcomes.length} set(s).`);
  if (problems.length) out.push(`TRUTH DOES NOT MATCH THE PAGE TEXT (fix the set):\n  ${problems.join('\n  ')}`);
  const floorsName = path.relative(process.cwd(), args.floors) || args.floors;
  out.push(
    violations.length
      ? `FLOORS NOT MET (${floorsName}):\n  ${violations.join('\n  ')}`
      : `All floors in ${floorsName} met.`,
  );
  process.stdout.write(`${out.join('\n')}\n`);

  const report = {
    generated_at: new Date().toISOString(),
    engine: 'extractive',
    seconds: Number(seconds.toFixed(2)),
    definitions: DEFINITIONS,
    corpus_dir: corpusDir,
    skipped,
    total: { metrics: total, reliability: totalReliability },
    documents: [...byDocument].map(([document, rows]) => ({
      document,
      metrics: summarize(rows),
      reliability: reliability(rows),
    })),
    tags: byTag.map(([tag, metrics]) => ({ tag, metrics })),
    sets: outcomes.map((o) => ({ ...o, seconds: Number(o.seconds.toFixed(2)) })),
    floor_violations: violations,
    truth_problems: problems,
  };
  const json = `${JSON.stringify(report, null, 2)}\n`;
  await mkdir(path.dirname(LATEST_FILE), { recursive: true });
  await writeFile(LATEST_FILE, json);
  if (args.json !== null) await writeFile(args.json, json);
  if (args.updateFloors || args.writeBaseline) {
    // Only a complete run may redefine the reference: floors or a baseline over fewer sets would silently drop the
    // rest.
    if (args.sets !== null || skipped.length > 0 || problems.length > 0) {
      process.stderr.write(
        'error: --update-floors and --write-baseline need a complete run (no --set, no skipped set, no truth mismatch)\n',
      );
      return 2;
    }
    if (args.writeBaseline) {
      await writeFile(BASELINE_FILE, json);
      process.stdout.write(`Baseline written to ${path.relative(process.cwd(), BASELINE_FILE)}.\n`);
    }
    if (args.updateFloors) {
      const next: FloorsFile & { _comment?: string } = {
        _comment: (floors as { _comment?: string })._comment,
        total: floorsFor(total),
        sets: Object.fromEntries(outcomes.map((o) => [o.name, floorsFor(o.metrics)])),
      };
      await writeFile(args.floors, `${JSON.stringify(next, null, 2)}\n`);
      process.stdout.write(`Floors written to ${floorsName} (${FLOOR_MARGIN * 100} points below this run).\n`);
      return problems.length ? 1 : 0;
    }
  }
  return violations.length || problems.length ? 1 : 0;
}

process.exitCode = await main();
