/**
 * The app as one Fastify plugin tree: external plugins → app plugins → routes. Built from an AppContext so
 * tests can build it on any database and drive it with `app.inject`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import type { AppContext } from './app-context.js';
import { loggerOptions } from './logger.js';
import { registerErrorHandler } from './routes/error-handler.js';
import { healthRoutes } from './routes/health.js';

export interface BuildAppOptions {
  /** Override the logger (tests pass false). */
  logger?: boolean;
}

export async function buildApp(ctx: AppContext, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger === false ? false : loggerOptions(ctx.config),
    trustProxy: ctx.config.auth.trustProxy,
    // Requests other than uploads are small JSON; uploads go through multipart with their own limit.
    bodyLimit: 1024 * 1024,
    disableRequestLogging: false,
  });

  registerErrorHandler(app);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
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
    limits: {
      fileSize: ctx.config.ingest.maxUploadBytes,
      files: 2, // the PDF and an optional config file
      fields: 20,
      fieldSize: 256 * 1024, // guardrails, sections, engine: small text
      parts: 25,
    },
  });

  await app.register(healthRoutes, { ctx });
  return app;
}
