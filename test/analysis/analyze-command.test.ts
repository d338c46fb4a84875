import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAnalyzeArgs, runAnalyzeCommand } from '../../src/cli/analyze-command.js';
import { CORPUS_DIR } from './corpus-trial.js';

describe('analyze command', () => {
  it('parses files, options with values and flags', () => {
    expect(
      parseAnalyzeArgs([
        'spec.pdf',
        '--sections',
        'a,b',
        '--engine=llm',
        '--thorough',
        '--out',
        'r.json',
        '--guardrails',
        'only 8-inch',
      ]),
    ).toEqual({
      file: 'spec.pdf',
      config: null,
      sections: 'a,b',
      engine: 'llm',
      guardrails: 'only 8-inch',
      thorough: true,
      out: 'r.json',
      json: false,
    });
    expect(parseAnalyzeArgs([])).toBe('a PDF file is required');
    expect(parseAnalyzeArgs(['a.pdf', '--engine', 'gpt'])).toMatch(/--engine must be/);
    expect(parseAnalyzeArgs(['a.pdf', '--out'])).toBe('--out needs a value');
    expect(parseAnalyzeArgs(['a.pdf', '--bogus'])).toBe('unknown option --bogus');
  });

  it('returns the usage exit code for bad arguments', async () => {
    const err: string[] = [];
    expect(await runAnalyzeCommand(['--bogus'], { stderr: (t) => err.push(t), stdout: () => undefined, env: {} })).toBe(
      2,
    );
    expect(err.join('')).toContain('Usage: spec-analyzer analyze');
  });

  const pdf = path.join(CORPUS_DIR, 'camrose_wdmlrl_shop_addition_rfp_2026.pdf');
  it.skipIf(!existsSync(pdf))(
    'analyses a PDF offline, prints the summary table and writes the full result JSON',
    async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'analyze-cmd-'));
      try {
        const out: string[] = [];
        const file = path.join(dir, 'result.json');
        const code = await runAnalyzeCommand([pdf, '--sections', 'general_info,warranty_closeout', '--out', file], {
          stdout: (t) => out.push(t),
          stderr: () => undefined,
          env: { OCR: 'off' },
        });
        expect(code).toBe(0);
        expect(out.join('')).toMatch(/^question\s+answer\s+pages\s+confidence/);
        const saved = JSON.parse(await readFile(file, 'utf8')) as {
          result: { enabled_sections: string[] };
          legacy: { total_questions: number };
          statistics: { estimated_cost: string };
        };
        expect(saved.result.enabled_sections).toEqual(['general_info', 'warranty_closeout']);
        expect(saved.legacy.total_questions).toBe(20);
        expect(saved.statistics.estimated_cost).toBe('$0.0000');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
