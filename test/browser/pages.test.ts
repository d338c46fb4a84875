/**
 * The page routes and the static assets, without a browser: every page and alias is served with its assets,
 * and the files keep the rules a strict CSP and offline use need (no inline scripts, handlers or styles, no
 * external URLs, no HTML built from strings).
 */
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFJS_PREFIX, WEB_PUBLIC_DIR, pageRoutes } from '../../src/routes/pages.js';

const PAGES: Array<[string, string]> = [
  ['/', 'Spec Analyzer'],
  ['/analyzer', 'Analyzer — Spec Analyzer'],
  ['/cipp-analyzer', 'Analyzer — Spec Analyzer'],
  ['/admin', 'Admin — Spec Analyzer'],
  ['/admin/sessions', 'Admin — Spec Analyzer'],
];

// Every file under the public folder, subfolders included (name = path relative to it, e.g. viewer/x.js).
const publicFiles = (fs.readdirSync(WEB_PUBLIC_DIR, { recursive: true }) as string[])
  .filter((name) => fs.statSync(path.join(WEB_PUBLIC_DIR, name)).isFile())
  .map((name) => ({ name, text: fs.readFileSync(path.join(WEB_PUBLIC_DIR, name), 'utf8') }));

describe('page routes', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify({ logger: false });
    await app.register(pageRoutes);
  });

  afterAll(async () => {
    await app.close();
  });

  it.each(PAGES)('serves %s as HTML titled "%s"', async (url, title) => {
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain(`<title>${title}</title>`);
  });

  it('serves every asset a page references from /static/', async () => {
    const referenced = new Set<string>();
    for (const [url] of PAGES) {
      const body = (await app.inject({ url })).body;
      for (const m of body.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)) referenced.add(m[1] as string);
    }
    expect(referenced.size).toBeGreaterThanOrEqual(4);
    for (const asset of referenced) {
      const res = await app.inject({ url: asset });
      expect(res.statusCode, asset).toBe(200);
    }
    const js = await app.inject({ url: '/static/analyzer.js' });
    expect(js.headers['content-type']).toMatch(/javascript/);
    // Modules import each other by relative path: each of those must exist too.
    for (const file of publicFiles.filter((f) => f.name.endsWith('.js'))) {
      for (const m of file.text.matchAll(/from '(\.\.?\/[^']+)'/g)) {
        const target = path.join(WEB_PUBLIC_DIR, path.dirname(file.name), m[1] as string);
        expect(target.startsWith(WEB_PUBLIC_DIR + path.sep) && fs.existsSync(target), `${file.name} → ${m[1]}`).toBe(
          true,
        );
        expect(
          (await app.inject({ url: `/static/${path.relative(WEB_PUBLIC_DIR, target).split(path.sep).join('/')}` }))
            .statusCode,
          `${file.name} → ${m[1]}`,
        ).toBe(200);
      }
    }
  });

  it('serves the PDF viewer’s pdf.js from pdfjs-dist, and nothing else of that package', async () => {
    const lib = await app.inject({ url: `${PDFJS_PREFIX}build/pdf.min.mjs` });
    expect(lib.statusCode).toBe(200);
    expect(lib.headers['content-type']).toMatch(/javascript/);
    const worker = await app.inject({ url: `${PDFJS_PREFIX}build/pdf.worker.min.mjs` });
    expect(worker.statusCode).toBe(200);
    expect(worker.headers['content-type']).toMatch(/javascript/);
    expect((await app.inject({ url: `${PDFJS_PREFIX}standard_fonts/LiberationSans-Regular.ttf` })).statusCode).toBe(
      200,
    );
    expect((await app.inject({ url: `${PDFJS_PREFIX}cmaps/78-EUC-H.bcmap` })).statusCode).toBe(200);
    expect((await app.inject({ url: `${PDFJS_PREFIX}wasm/openjpeg_nowasm_fallback.js` })).statusCode).toBe(200);
    // The viewer module names the files it loads; each must be served.
    const viewer = publicFiles.find((f) => f.name === path.join('viewer', 'document-viewer.js'))!;
    for (const m of viewer.text.matchAll(/\$\{base\}([\w./-]+\.m?js)/g))
      expect((await app.inject({ url: `${PDFJS_PREFIX}${m[1]}` })).statusCode, m[1]).toBe(200);
    for (const other of [
      'package.json',
      'build/pdf.mjs',
      'build/pdf.mjs.map',
      'build/pdf.sandbox.min.mjs',
      'wasm/openjpeg.wasm',
      'web/pdf_viewer.mjs',
      '../../package.json',
      '%2e%2e/%2e%2e/package.json',
    ]) {
      expect((await app.inject({ url: `${PDFJS_PREFIX}${other}` })).statusCode, other).toBeGreaterThanOrEqual(400);
    }
  });

  it('answers 404 for a file outside the public folder', async () => {
    expect((await app.inject({ url: '/static/../../routes/pages.ts' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/static/%2e%2e/%2e%2e/config.ts' })).statusCode).toBe(404);
  });
});

describe('web assets', () => {
  it('have no inline scripts, inline event handlers or style attributes', () => {
    for (const file of publicFiles.filter((f) => f.name.endsWith('.html'))) {
      expect(file.text, file.name).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(file.text, file.name).not.toMatch(/\son[a-z]+\s*=/i);
      expect(file.text, file.name).not.toMatch(/\sstyle\s*=/i);
      expect(file.text, file.name).not.toMatch(/<style/i);
    }
  });

  it('never build HTML from strings in scripts', () => {
    for (const file of publicFiles.filter((f) => f.name.endsWith('.js'))) {
      expect(file.text, file.name).not.toMatch(
        /innerHTML|outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/,
      );
      expect(file.text, file.name).not.toMatch(/setAttribute\(\s*['"]style['"]/);
    }
  });

  it('reference nothing outside the app (works offline)', () => {
    for (const file of publicFiles.filter((f) => /\.(html|js|css)$/.test(f.name))) {
      // The SVG namespace is an identifier, not a request.
      const urls = [...file.text.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s'")]*/gi)]
        .map((m) => m[0])
        .filter((u) => u !== 'http://www.w3.org/2000/svg');
      expect(urls, file.name).toEqual([]);
      expect(file.text, file.name).not.toMatch(/@import|@font-face/);
    }
  });

  it('label every form control in the pages', () => {
    for (const file of publicFiles.filter((f) => f.name.endsWith('.html'))) {
      const labelled = new Set([...file.text.matchAll(/<label for="([^"]+)"/g)].map((m) => m[1]));
      for (const m of file.text.matchAll(/<(input|select|textarea)\b[^>]*\bid="([^"]+)"/g))
        expect(labelled.has(m[2]), `${file.name} #${m[2]}`).toBe(true);
    }
  });
});
