/**
 * `npm run eval` as CI runs it, in its own process on a generated set (no corpus needed): the report it
 * prints and writes agrees with the scorer applied to its own per-question rows, and floors decide the exit code.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarize, type Metrics, type QuestionScore } from '../../eval/scorer.js';
import { loadEvalSets } from '../../eval/sets.js';
import { spawnTs } from '../helpers/processes.js';

// Each run starts tsx, pdf.js and the engine in a fresh process; on a loaded 2-core machine that takes tens of seconds.
const RUN_TIMEOUT_MS = 240_000;

const dir = await mkdtemp(path.join(os.tmpdir(), 'spec-eval-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function runEval(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawnTs('eval/run-eval.ts', args);
  const { code } = await child.exited;
  return { code, output: child.output() };
}

describe('npm run eval', () => {
  it(
    'exits 1 with the unmet floors named, and writes a report whose metrics match its own question rows',
    async () => {
      const floors = path.join(dir, 'floors.json');
      // Impossible floors for the one set run: every metric fails, so the exit code must be 1.
      await writeFile(
        floors,
        JSON.stringify({
          sets: { 'generated-harbor-view': { pageHit: 1.01, answerHit: 1.01, falseAnswerRate: -0.01 } },
        }),
      );
      const out = path.join(dir, 'report.json');
      const { code, output } = await runEval(['--set', 'generated-harbor-view', '--floors', floors, '--json', out]);
      expect(code, output).toBe(1);
      expect(output).toMatch(/FLOORS NOT MET/);
      expect(output).toMatch(/generated-harbor-view: page-hit .* < floor 101\.0 %/);
      expect(output).toMatch(/Reliability/);

      const report = JSON.parse(await readFile(out, 'utf8')) as {
        sets: Array<{ name: string; metrics: Metrics; questions: QuestionScore[] }>;
        floor_violations: string[];
      };
      expect(report.sets.map((s) => s.name)).toEqual(['generated-harbor-view']);
      const [set] = report.sets;
      const expected = (await loadEvalSets()).find((s) => s.name === 'generated-harbor-view');
      expect(set?.questions.map((q) => q.id)).toEqual(expected?.questions.map((q) => q.id));
      expect(set?.metrics).toEqual(summarize(set?.questions ?? []));
      expect(report.floor_violations).toHaveLength(3);

      // The same run against floors it meets exits 0.
      await writeFile(
        floors,
        JSON.stringify({ sets: { 'generated-harbor-view': { pageHit: 0, answerHit: 0, falseAnswerRate: 1 } } }),
      );
      const ok = await runEval(['--set', 'generated-harbor-view', '--floors', floors, '--json', out]);
      expect(ok.code, ok.output).toBe(0);
      expect(ok.output).toMatch(/All floors in .* met/);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'exits 2 on an unknown set and names the known ones',
    async () => {
      const { code, output } = await runEval(['--set', 'no-such-set']);
      expect(code).toBe(2);
      expect(output).toMatch(/unknown set no-such-set \(known: .*generated-harbor-view/);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'skips corpus sets with a visible notice when the corpus folder is absent',
    async () => {
      const { code, output } = await runEval([
        '--set',
        'faa-737max-nprm',
        '--corpus',
        path.join(dir, 'no-corpus-here'),
      ]);
      expect(code, output).toBe(0);
      expect(output).toMatch(/NOTICE: skipping set faa-737max-nprm: corpus folder not found/);
      expect(output).toMatch(/Skipped 1 set\(s\): faa-737max-nprm/);
    },
    RUN_TIMEOUT_MS,
  );
});
