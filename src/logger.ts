/** Logger options shared by the server and CLIs: structured pino, secrets redacted (keys, passwords, cookies). */
import type { FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.apiKey',
  '*.api_key',
  '*.token',
  'config.analysis.llm.apiKey',
  'config.auth.adminPassword',
];

export function loggerOptions(config: Pick<Config, 'logLevel'>): FastifyServerOptions['logger'] {
  return { level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
}
