/**
 * The page routes and the static assets, without a browser: every page and alias is served with its assets,
 * and the files keep the rules a strict CSP and offline use need (no inline scripts, handlers or styles, no
 * external URLs, no HTML built from strings).
 */
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_PUBLIC_DIR, pageRoutes } from '../../src/routes/pages.js';

const PAGES: Array<[string, string]> = [
  ['/', 'Spec Analyzer'],
  ['/analyzer', 'Analyzer — Spec Analyzer'],
  ['/cipp-analyzer', 'Analyzer — Spec Analyzer'],
  ['/admin', 'Admin — Spec Analyzer'],
  ['/admin/sessions', 'Admin — Spec Analyzer'],
];

// Every file under the public folder, with its path relative to it (the analyzer's modules sit in analyzer/).
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
        expect(target.startsWith(WEB_PUBLIC_DIR + path.sep) && fs.existsSync(target), `${file.name} → ${m[1]}`).toBe(true);
        expect((await app.inject({ url: `/static/${path.relative(WEB_PUBLIC_DIR, target).split(path.sep).join('/')}` })).statusCode, `${file.name} → ${m[1]}`).toBe(200);
      }
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
      expect(file.text, file.name).not.toMatch(/innerHTML|outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/);
      expect(file.text, file.name).not.toMatch(/setAttribute\(\s*['"]style['"]/);
    }
  });

  it('reference nothing outside the app (works offline)', () => {
    for (const file of publicFiles.filter((f) => /\.(html|js|css)$/.test(f.name))) {
      // The SVG namespace is an identifier, not a request.
      const urls = [...file.text.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s'")]*/gi)].map((m) => m[0]).filter((u) => u !== 'http://www.w3.org/2000/svg');
      expect(urls, file.name).toEqual([]);
      expect(file.text, file.name).not.toMatch(/@import|@font-face/);
    }
  });

  it('label every form control in the pages', () => {
    for (const file of publicFiles.filter((f) => f.name.endsWith('.html'))) {
      const labelled = new Set([...file.text.matchAll(/<label for="([^"]+)"/g)].map((m) => m[1]));
      for (const m of file.text.matchAll(/<(input|select|textarea)\b[^>]*\bid="([^"]+)"/g)) expect(labelled.has(m[2]), `${file.name} #${m[2]}`).toBe(true);
    }
  });
});
