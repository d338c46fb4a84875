import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngestCommand } from '../../src/cli/ingest-command.js';
import { createPdf } from '../helpers/pdf-factory.js';

describe('spec-analyzer ingest', () => {
  let dir: string;
  let pdfPath: string;
  const env = { AUTH: 'off', LOG_LEVEL: 'silent' };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ingest-cli-'));
    pdfPath = path.join(dir, 'spec.pdf');
    await writeFile(
      pdfPath,
      await createPdf({
        pages: [{ lines: ['Alpha page text'] }, { lines: ['Beta'] }],
        pageLabels: [{ startPage: 1, style: 'R' }],
      }),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runIngestCommand(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env });
    return { code, stdout, stderr };
  }

  it('prints one row per page with label, characters and OCR, then totals', async () => {
    const { code, stdout } = await run([pdfPath, '--ocr', 'off']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\s*1\s+I\s+13\s+no$/m);
    expect(stdout).toMatch(/^\s*2\s+II\s+4\s+no$/m);
    expect(stdout).toMatch(/pages: 2 {3}characters: 17 {3}OCR pages: none/);
    expect(stdout).toMatch(/time: \d+\.\d\d s total/);
  });

  it('prints JSON with --json', async () => {
    const { code, stdout } = await run([pdfPath, '--json', '--ocr=off']);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as {
      pageCount: number;
      pages: Array<{ page: number; label: string; chars: number; ocr: boolean }>;
    };
    expect(parsed.pageCount).toBe(2);
    expect(parsed.pages[0]).toMatchObject({ page: 1, label: 'I', chars: 13, ocr: false });
  });

  it('exits 1 with the error code for a file that is not a PDF', async () => {
    const notPdf = path.join(dir, 'page.pdf');
    await writeFile(notPdf, '<html><body>hello</body></html>');
    const { code, stderr } = await run([notPdf]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error PDF_INVALID: /);
  });

  it('exits 2 with usage for a missing file argument or a bad --ocr value', async () => {
    expect((await run([])).code).toBe(2);
    const bad = await run([pdfPath, '--ocr', 'sometimes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--ocr must be "auto" or "off"/);
  });

  it('exits 1 when the file cannot be read', async () => {
    const { code, stderr } = await run([path.join(dir, 'missing.pdf')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot read/);
  });
});
