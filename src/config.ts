/**
 * Environment → validated, typed Config. Parsed once at start-up; every problem is reported together.
 * Behaviour follows these explicit variables, never NODE_ENV. Every variable is documented in
 * .env.example and in the README's configuration table.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes' || v === 'on');

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

const postgresUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL')
    .optional(),
);

const EnvSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: intIn(0, 65535).default(8080),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: postgresUrl,
  /**
   * Direct (non-pooled) connection for LISTEN/NOTIFY when DATABASE_URL goes through PgBouncer (Neon pooled endpoint).
   */
  DATABASE_DIRECT_URL: postgresUrl,
  DATABASE_POOL_MAX: intIn(1, 200).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: intIn(0, 3_600_000).default(30_000),
  DATABASE_SSL: z.preprocess(emptyToUndefined, z.enum(['auto', 'require', 'off', 'no-verify']).default('auto')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // Ingestion
  MAX_UPLOAD_MB: intIn(1, 2048).default(100),
  MAX_PAGES: intIn(1, 100_000).default(2000),
  OCR: z.enum(['auto', 'off']).default('auto'),
  OCR_PAGE_TIMEOUT_MS: intIn(1000, 600_000).default(30_000),
  OCR_DOCUMENT_TIMEOUT_MS: intIn(1000, 7_200_000).default(600_000),
  OCR_MAX_PAGES: intIn(0, 100_000).default(200),
  PARSE_TIMEOUT_MS: intIn(1000, 3_600_000).default(120_000),
  PARSE_MAX_MEMORY_MB: intIn(64, 16_384).default(1024),
  /** Parse threads kept warm (pdf.js loaded) for the next upload; ~55 MB each. Default: one per core, at most 2. */
  PARSE_WARM_WORKERS: intIn(0, 16).default(Math.min(2, os.availableParallelism())),
  /** PDFs parsed at once in this process (uploads, estimates and runs alike); more wait in a queue. */
  PARSE_CONCURRENCY: intIn(1, 64).default(2),
  /** How long an upload waits for a parse slot (or memory) before 503 SERVER_BUSY. */
  PARSE_QUEUE_TIMEOUT_MS: intIn(0, 600_000).default(20_000),
  /** Memory all parses in this process may need at once, estimated as 2× what their streams inflate to. */
  PARSE_MEMORY_BUDGET_MB: intIn(16, 65_536).default(512),

  // Analysis
  DEFAULT_ENGINE: z.enum(['extractive', 'llm']).default('extractive'),
  LLM_BASE_URL: z.preprocess(emptyToUndefined, z.url().default('https://api.openai.com/v1')),
  LLM_API_KEY: optionalString,
  OPENAI_API_KEY: optionalString,
  LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  LLM_TIMEOUT_MS: intIn(1000, 600_000).default(60_000),
  LLM_MAX_RETRIES: intIn(0, 10).default(3),
  LLM_CONCURRENCY: intIn(1, 64).default(4),
  LLM_PROMPT_TOKEN_BUDGET: intIn(1000, 1_000_000).default(12_000),
  /** JSON: {"model": {"input": USD per 1M tokens, "output": USD per 1M tokens}} — merged over the built-in table. */
  LLM_PRICES: optionalString,
  MAX_COST_USD: z.preprocess(emptyToUndefined, z.coerce.number().positive().optional()),
  /**
   * USD per 1M prompt / completion tokens of LLM_MODEL (both or neither); win over LLM_PRICES and the built-in table.
   */
  LLM_PRICE_INPUT_PER_MTOK: z.preprocess(emptyToUndefined, z.coerce.number().nonnegative().optional()),
  LLM_PRICE_OUTPUT_PER_MTOK: z.preprocess(emptyToUndefined, z.coerce.number().nonnegative().optional()),

  // Runs
  WORKER_ENABLED: bool.default(true),
  RUN_CONCURRENCY: intIn(1, 32).default(2),
  /**
   * Threads that run analyses and estimates off the HTTP thread; 0 = on it. Default RUN_CONCURRENCY + 1 (one for
   * estimates).
   */
  ANALYSIS_THREADS: z.preprocess(emptyToUndefined, intIn(0, 64).optional()),
  RUN_MAX_ATTEMPTS: intIn(1, 20).default(3),
  LEASE_MS: intIn(2000, 600_000).default(20_000),
  WEB_CONCURRENCY: intIn(1, 64).default(1),
  MAX_REQUESTS: intIn(0, 10_000_000).default(0),
  MAX_REQUESTS_JITTER: intIn(0, 10_000_000).default(0),
  EVENT_RETENTION_DAYS: intIn(1, 3650).default(7),
  /** How progress streams learn about new events: auto = LISTEN/NOTIFY where possible, else polling. */
  EVENTS_MODE: z.enum(['auto', 'listen', 'poll']).default('auto'),

  // Accounts and security
  AUTH: z.enum(['on', 'off']).default('on'),
  ADMIN_EMAIL: optionalString,
  ADMIN_PASSWORD: optionalString,
  LOGIN_TTL_HOURS: intIn(1, 24 * 365).default(24 * 7),
  PDF_RETENTION_DAYS: intIn(0, 36_500).default(0),
  /**
   * How many proxies in front of the app to trust for X-Forwarded-For/-Proto/-Host: 1 behind Render (its
   * load balancer), 0 = none. "true" (trust every hop) is refused: anyone could then pick their own address.
   */
  TRUST_PROXY: z.preprocess(
    (v) => (typeof v === 'string' && ['false', 'no', 'off'].includes(v.trim().toLowerCase()) ? '0' : v),
    z
      .string()
      .trim()
      .refine((v) => !['true', 'yes', 'on'].includes(v.toLowerCase()), {
        message:
          'must be a number of proxy hops, not "true": trusting every X-Forwarded-For hop lets any client forge its address (and escape rate limits). Set TRUST_PROXY=1 behind one proxy (Render, one nginx), 0 for none',
      })
      .transform((v) => (v === '' ? 0 : Number(v)))
      .pipe(z.number().int().min(0).max(16))
      .default(0),
  ),
  /** Analysis starts allowed per user (per address without sign-in) per minute. */
  ANALYZE_RATE_LIMIT_PER_MINUTE: intIn(1, 100_000).default(30),
  /**
   * Estimates allowed per user (per address without sign-in) per minute; the analyzer page asks on every form change.
   */
  ESTIMATE_RATE_LIMIT_PER_MINUTE: intIn(1, 100_000).default(120),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  database:
    | {
        kind: 'postgres';
        url: string;
        directUrl: string | null;
        poolMax: number;
        statementTimeoutMs: number;
        ssl: 'auto' | 'require' | 'off' | 'no-verify';
      }
    | { kind: 'pglite'; dataDir: string };
  logLevel: Env['LOG_LEVEL'];
  ingest: {
    maxUploadBytes: number;
    maxPages: number;
    ocr: 'auto' | 'off';
    ocrPageTimeoutMs: number;
    ocrDocumentTimeoutMs: number;
    ocrMaxPages: number;
    parseTimeoutMs: number;
    parseMaxMemoryMb: number;
    parseWarmWorkers: number;
    parseConcurrency: number;
    parseQueueTimeoutMs: number;
    parseMemoryBudgetBytes: number;
  };
  analysis: {
    defaultEngine: 'extractive' | 'llm';
    llm: {
      baseUrl: string;
      apiKey: string | null;
      model: string;
      timeoutMs: number;
      maxRetries: number;
      concurrency: number;
      promptTokenBudget: number;
      prices: Record<string, { input: number; output: number }>;
    };
    maxCostUsd: number | null;
  };
  runs: {
    workerEnabled: boolean;
    concurrency: number;
    analysisThreads: number;
    maxAttempts: number;
    leaseMs: number;
    webConcurrency: number;
    maxRequests: number;
    maxRequestsJitter: number;
    eventRetentionDays: number;
    eventsMode: 'auto' | 'listen' | 'poll';
  };
  auth: {
    mode: 'on' | 'off';
    adminEmail: string | null;
    adminPassword: string | null;
    loginTtlHours: number;
    /** Proxy hops trusted for the client address (Fastify `trustProxy` as a number); 0 = the socket's peer. */
    trustProxyHops: number;
    analyzeRatePerMinute: number;
    estimateRatePerMinute: number;
  };
  pdfRetentionDays: number;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const PricesSchema = z.record(
  z.string(),
  z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }),
);

/** Parse the environment. Throws ConfigError listing every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(problems);
  }
  const e = parsed.data;

  let prices: Record<string, { input: number; output: number }> = {};
  if (e.LLM_PRICES) {
    try {
      const p = PricesSchema.safeParse(JSON.parse(e.LLM_PRICES));
      if (p.success) prices = p.data;
      else problems.push(`LLM_PRICES: ${p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    } catch {
      problems.push('LLM_PRICES: must be JSON like {"gpt-4o-mini":{"input":0.15,"output":0.6}} (USD per 1M tokens)');
    }
  }
  if ((e.LLM_PRICE_INPUT_PER_MTOK === undefined) !== (e.LLM_PRICE_OUTPUT_PER_MTOK === undefined)) {
    problems.push(
      'LLM_PRICE_INPUT_PER_MTOK / LLM_PRICE_OUTPUT_PER_MTOK: set both (USD per 1M tokens of LLM_MODEL) or neither',
    );
  } else if (e.LLM_PRICE_INPUT_PER_MTOK !== undefined && e.LLM_PRICE_OUTPUT_PER_MTOK !== undefined) {
    prices = { ...prices, [e.LLM_MODEL]: { input: e.LLM_PRICE_INPUT_PER_MTOK, output: e.LLM_PRICE_OUTPUT_PER_MTOK } };
  }
  if (!e.DATABASE_URL && e.WEB_CONCURRENCY > 1) {
    problems.push(
      'WEB_CONCURRENCY: the embedded PGlite database belongs to one process; set DATABASE_URL to a PostgreSQL server to run several worker processes',
    );
  }
  if (e.AUTH === 'off' && !isLoopbackHost(e.HOST)) {
    problems.push(`AUTH: AUTH=off is only allowed when HOST is a loopback address (got HOST=${e.HOST})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = path.resolve(e.DATA_DIR);
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir,
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          directUrl: e.DATABASE_DIRECT_URL ?? null,
          poolMax: e.DATABASE_POOL_MAX,
          statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
          ssl: e.DATABASE_SSL,
        }
      : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
    logLevel: e.LOG_LEVEL,
    ingest: {
      maxUploadBytes: e.MAX_UPLOAD_MB * 1024 * 1024,
      maxPages: e.MAX_PAGES,
      ocr: e.OCR,
      ocrPageTimeoutMs: e.OCR_PAGE_TIMEOUT_MS,
      ocrDocumentTimeoutMs: e.OCR_DOCUMENT_TIMEOUT_MS,
      ocrMaxPages: e.OCR_MAX_PAGES,
      parseTimeoutMs: e.PARSE_TIMEOUT_MS,
      parseMaxMemoryMb: e.PARSE_MAX_MEMORY_MB,
      parseWarmWorkers: e.PARSE_WARM_WORKERS,
      parseConcurrency: e.PARSE_CONCURRENCY,
      parseQueueTimeoutMs: e.PARSE_QUEUE_TIMEOUT_MS,
      parseMemoryBudgetBytes: e.PARSE_MEMORY_BUDGET_MB * 1024 * 1024,
    },
    analysis: {
      defaultEngine: e.DEFAULT_ENGINE,
      llm: {
        baseUrl: e.LLM_BASE_URL.replace(/\/+$/, ''),
        apiKey: e.LLM_API_KEY ?? e.OPENAI_API_KEY ?? null,
        model: e.LLM_MODEL,
        timeoutMs: e.LLM_TIMEOUT_MS,
        maxRetries: e.LLM_MAX_RETRIES,
        concurrency: e.LLM_CONCURRENCY,
        promptTokenBudget: e.LLM_PROMPT_TOKEN_BUDGET,
        prices,
      },
      maxCostUsd: e.MAX_COST_USD ?? null,
    },
    runs: {
      workerEnabled: e.WORKER_ENABLED,
      concurrency: e.RUN_CONCURRENCY,
      analysisThreads: e.ANALYSIS_THREADS ?? e.RUN_CONCURRENCY + 1,
      maxAttempts: e.RUN_MAX_ATTEMPTS,
      leaseMs: e.LEASE_MS,
      webConcurrency: e.WEB_CONCURRENCY,
      maxRequests: e.MAX_REQUESTS,
      maxRequestsJitter: e.MAX_REQUESTS_JITTER,
      eventRetentionDays: e.EVENT_RETENTION_DAYS,
      eventsMode: e.EVENTS_MODE,
    },
    auth: {
      mode: e.AUTH,
      adminEmail: e.ADMIN_EMAIL ?? null,
      adminPassword: e.ADMIN_PASSWORD ?? null,
      loginTtlHours: e.LOGIN_TTL_HOURS,
      trustProxyHops: e.TRUST_PROXY,
      analyzeRatePerMinute: e.ANALYZE_RATE_LIMIT_PER_MINUTE,
      estimateRatePerMinute: e.ESTIMATE_RATE_LIMIT_PER_MINUTE,
    },
    pdfRetentionDays: e.PDF_RETENTION_DAYS,
  };
}

/** Config for tests and command-line tools: defaults plus overrides, no process.env. */
export function testConfig(overrides: NodeJS.ProcessEnv = {}): Config {
  // No warm parse threads unless a test asks: most tests parse a handful of small PDFs in parallel files.
  return loadConfig({ AUTH: 'off', LOG_LEVEL: 'silent', PARSE_WARM_WORKERS: '0', ...overrides });
}
