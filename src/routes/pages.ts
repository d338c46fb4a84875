/**
 * The browser pages: static assets under /static/ (pdf.js from pdfjs-dist under /static/vendor/pdfjs/) and the
 * four HTML pages (with their legacy aliases).
 * Pages are plain files from src/web/public (copied unchanged into dist/ by the build), read once at
 * registration, so they work with no internet; the scripts they load do all the work against the JSON API.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

export const WEB_PUBLIC_DIR = path.resolve(import.meta.dirname, '../web/public');

// Page paths (with aliases the old front end linked to) → the HTML file that serves them.
const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/analyzer': 'analyzer.html',
  '/cipp-analyzer': 'analyzer.html',
  '/admin': 'admin.html',
  '/admin/sessions': 'admin.html',
  '/login': 'login.html',
};

/** pdfjs-dist's folder (the browser's PDF viewer loads pdf.js from here: no CDN). */
export const PDFJS_DIR = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
export const PDFJS_PREFIX = '/static/vendor/pdfjs/';
// Only what the viewer loads: the library and its worker (minified), the standard-font and CMap data it
// fetches for PDFs that need them, the JavaScript JPEG 2000 decoder (WebAssembly stays off under our CSP).
const PDFJS_FILES =
  /^\/(?:build\/pdf(?:\.worker)?\.min\.mjs|cmaps\/[\w.-]+\.bcmap|standard_fonts\/[\w.-]+\.(?:pfb|ttf)|wasm\/openjpeg_nowasm_fallback\.js|LICENSE)$/;

// Assets change with each deploy but have no content hash in their names: revalidate instead of caching blind.
const STATIC_MAX_AGE_MS = 0;

export async function pageRoutes(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: WEB_PUBLIC_DIR,
    prefix: '/static/',
    decorateReply: false,
    index: false,
    maxAge: STATIC_MAX_AGE_MS,
    etag: true,
    lastModified: true,
  });

  // The same version as the server's own pdf.js; served with the app's security headers like every reply.
  await app.register(fastifyStatic, {
    root: PDFJS_DIR,
    prefix: PDFJS_PREFIX,
    decorateReply: false,
    index: false,
    wildcard: true,
    maxAge: STATIC_MAX_AGE_MS,
    etag: true,
    lastModified: true,
    allowedPath: (pathName) => PDFJS_FILES.test(pathName),
  });

  const html = new Map<string, string>();
  for (const file of new Set(Object.values(PAGES))) {
    html.set(file, await readFile(path.join(WEB_PUBLIC_DIR, file), 'utf8'));
  }

  for (const [url, file] of Object.entries(PAGES)) {
    const body = html.get(file) as string;
    app.get(url, { schema: { hide: true } }, async (_request, reply) => {
      return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(body);
    });
  }
}
