import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify from 'fastify';
import helmet from 'helmet';
import { describe, expect, it } from 'vitest';
import { computeSecurityHeaders, registerSecurityHeaders } from '../../src/routes/security-headers.js';

const OPTIONS = {
  contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], objectSrc: ["'none'"] } },
  crossOriginEmbedderPolicy: false,
};

describe('security headers computed once', () => {
  it('are exactly the headers helmet sets on a response for the same options', () => {
    const set = new Map<string, string>();
    const res = {
      setHeader: (n: string, v: unknown) => set.set(n.toLowerCase(), String(v)),
      removeHeader: (n: string) => set.delete(n.toLowerCase()),
    };
    helmet(OPTIONS)({} as IncomingMessage, res as unknown as ServerResponse, () => undefined);

    const headers = computeSecurityHeaders(OPTIONS);
    expect(headers).toEqual(Object.fromEntries(set));
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(headers['cross-origin-embedder-policy']).toBeUndefined(); // switched off above
  });

  it('are sent on every reply, including errors, unknown routes and hijacked streams, and a route may override one', async () => {
    const app = Fastify();
    registerSecurityHeaders(app, OPTIONS);
    app.get('/ok', async () => ({ ok: true }));
    app.get('/boom', async () => {
      throw new Error('boom');
    });
    app.get('/docs', async (_req, reply) => reply.header('content-security-policy', "default-src 'none'").send('docs'));
    // Like the SSE progress stream: the reply is hijacked and written on the raw response.
    app.get('/stream', (_req, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'Content-Type': 'text/event-stream' });
      reply.raw.end('data: x\n\n');
    });
    try {
      for (const url of ['/ok', '/boom', '/missing', '/stream']) {
        const r = await app.inject({ url });
        expect(r.headers['x-content-type-options'], url).toBe('nosniff');
        expect(String(r.headers['content-security-policy']), url).toContain("object-src 'none'");
      }
      expect((await app.inject({ url: '/docs' })).headers['content-security-policy']).toBe("default-src 'none'");
    } finally {
      await app.close();
    }
  });

  it('refuses options helmet refuses, at start-up', () => {
    expect(() =>
      computeSecurityHeaders({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'; evil"] } } }),
    ).toThrow();
  });
});
