/**
 * The app as one Fastify plugin tree: external plugins → app plugins → routes. Built from an AppContext so
 * tests can build it on any database and drive it with `app.inject`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { AppContext } from './app-context.js';
import { loggerOptions } from './logger.js';
import { registerErrorHandler } from './routes/error-handler.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes, observeHttpLatency } from './routes/metrics.js';
import { analyzeRoutes } from './routes/api/analyze.js';
import { documentRoutes } from './routes/api/documents.js';
import { sessionRoutes } from './routes/api/sessions.js';
import { configRoutes } from './routes/api/config.js';
import { exportRoutes } from './routes/api/export.js';
import { reviewRoutes } from './routes/api/reviews.js';
import { rerunRoutes } from './routes/api/rerun.js';
import { adminRoutes } from './routes/admin/analyses.js';
import { pageRoutes } from './routes/pages.js';
import { authRoutes } from './routes/api/auth.js';
import { registerAuth } from './routes/auth-hooks.js';
import { LOGIN_COOKIE } from './http/login-token.js';
import { registerSecurityHeaders } from './routes/security-headers.js';
import { registerServices } from './services.js';
import { RateLimitCounters, rateLimitStoreFor, type Clock } from './auth/rate-limit-counters.js';

export interface BuildAppOptions {
  /** Override the logger (tests pass false). */
  logger?: boolean;
  /** Send log lines here instead of stdout (tests that read the logs). */
  logStream?: NodeJS.WritableStream;
  /** Close ctx.db when the app closes (the server owns its database). */
  closeDatabase?: boolean;
  /** Clock for rate-limit windows (tests move time instead of sleeping). Default: Date.now. */
  clock?: Clock;
}

/**
 * Fastify's `trustProxy` for TRUST_PROXY=N: trust the socket's peer and the N-1 addresses it forwarded, so the
 * client address is the one the Nth proxy saw; anything a client writes further left in X-Forwarded-For is
 * ignored. (This Fastify fails closed for a bare number, trusting nothing, hence the function.)
 */
export function trustProxyHops(hops: number): false | ((address: string, hop: number) => boolean) {
  return hops > 0 ? (_address, hop) => hop < hops : false;
}

export async function buildApp(ctx: AppContext, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : { ...(loggerOptions(ctx.config) as object), ...(options.logStream ? { stream: options.logStream } : {}) },
    trustProxy: trustProxyHops(ctx.config.auth.trustProxyHops),
    // Requests other than uploads are small JSON; uploads go through multipart with their own limit.
    bodyLimit: 1024 * 1024,
    // Graceful drain (worker recycling, deploys): a request already arriving on a kept-alive connection is
    // served (with `Connection: close`) instead of getting Fastify's bare 503; the database closes only after.
    return503OnClosing: false,
  });

  // Route schemas are zod (fastify-type-provider-zod): requests are validated and replies serialised with them,
  // and the same schemas make /api/openapi.json. A failed request validation answers 400 VALIDATION_FAILED.
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  observeHttpLatency(app);
  // Run worker, LISTEN connections, timers, parse threads: started on ready, stopped by app.close().
  await registerServices(app, ctx, { closeDatabase: options.closeDatabase });

  registerSecurityHeaders(app, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        // pdf.js renders the PDF viewer's pages in a module worker served from /static/vendor/pdfjs/.
        workerSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'self'"],
        frameSrc: ["'self'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
    // The PDF viewer opens stored PDFs in a new tab/iframe from the same origin.
    crossOriginEmbedderPolicy: false,
  });
  await app.register(multipart, {
    // Keep the client's file name as sent (busboy would cut it at any "/"); cleanFilename() handles real paths.
    preservePath: true,
    limits: {
      fileSize: ctx.config.ingest.maxUploadBytes,
      files: 2, // the PDF and an optional config file
      fields: 20,
      fieldSize: 256 * 1024, // guardrails, sections, engine: small text
      parts: 25,
    },
  });

  await app.register(cookie);
  registerAuth(app, ctx);

  // Per-route limits only (e.g. analysis starts); reads are cheap and polled by the UI. Counted in the
  // database, so every process (WEB_CONCURRENCY) shares one limit.
  const rateLimits = new RateLimitCounters(ctx.db, options.clock);
  await app.register(rateLimit, { global: false, store: rateLimitStoreFor(rateLimits) });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Spec Analyzer API',
        version: '1.0.0',
        description: 'Answers a checklist of questions about a bid-specification PDF, durably.',
      },
      tags: [
        { name: 'analysis', description: 'Start analyses and preflight estimates' },
        { name: 'sessions', description: 'Results, progress and control of one analysis' },
        { name: 'export', description: 'Report downloads' },
        { name: 'config', description: 'Question configs and engines' },
        { name: 'admin', description: 'Every analysis ever run' },
        { name: 'auth', description: 'Sign in and out' },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: LOGIN_COOKIE },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' }, staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () => app.swagger());

  await app.register(authRoutes, { ctx, rateLimits });
  await app.register(metricsRoutes, { ctx });
  await app.register(healthRoutes, { ctx });
  await app.register(configRoutes, { ctx });
  await app.register(analyzeRoutes, { ctx });
  await app.register(documentRoutes, { ctx });
  await app.register(sessionRoutes, { ctx });
  await app.register(exportRoutes, { ctx });
  await app.register(reviewRoutes, { ctx });
  await app.register(rerunRoutes, { ctx });
  await app.register(adminRoutes, { ctx });
  await app.register(pageRoutes);
  return app;
}
