/**
 * Security headers (CSP, HSTS, nosniff, frame options...) exactly as helmet defines them, computed once at
 * start-up and attached to every reply. @fastify/helmet re-runs helmet's option parsing for every request
 * (it calls helmet(config) per request): measured at ~7 % of the server's CPU serving cached results under
 * load (bench/http-results.bench.ts). Our headers never vary per request (no CSP nonces), so the result of
 * that parsing is the same every time.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers helmet's middleware sets for `options` (lower-case names). */
export function computeSecurityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown = null;
  // helmet's middleware is synchronous and, with static options, reads nothing from the request.
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    failure = err ?? null;
  });
  if (failure) throw failure;
  return headers;
}

/**
 * Attach the security headers to every reply. They are set on the raw response, as helmet does, so that
 * replies written directly (the SSE progress stream hijacks its reply) carry them too; a route may still
 * override one through Fastify's reply headers, as the API docs do for their CSP.
 */
export function registerSecurityHeaders(app: FastifyInstance, options: HelmetOptions): void {
  const headers = Object.entries(computeSecurityHeaders(options));
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
}
