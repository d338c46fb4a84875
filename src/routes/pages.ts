/**
 * The browser pages: static assets under /static/ and the four HTML pages (with their legacy aliases).
 * Pages are plain files from src/web/public (copied unchanged into dist/ by the build), read once at
 * registration, so they work with no internet; the scripts they load do all the work against the JSON API.
 */
import { readFile } from 'node:fs/promises';
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
