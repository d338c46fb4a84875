import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { connectionOptions } from '../../src/db/pg-database.js';

describe('configuration', () => {
  it('runs a bare checkout on PGlite under ./data at 127.0.0.1:8080', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, database: { kind: 'pglite' }, logLevel: 'info' });
    expect(c.database.kind === 'pglite' && c.database.dataDir).toMatch(/data\/pglite$/);
  });

  it('uses PostgreSQL when DATABASE_URL is set, with pool size and statement timeout', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgresql://u:p@ep-x.eu-central-1.aws.neon.tech/db?sslmode=require',
      DATABASE_POOL_MAX: '7',
    });
    expect(c.database).toMatchObject({ kind: 'postgres', poolMax: 7, statementTimeoutMs: 30_000, ssl: 'auto' });
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', MAX_UPLOAD_MB: '-1' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const v of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'MAX_UPLOAD_MB']) expect(problems).toContain(v);
    }
  });

  it('refuses several worker processes on the embedded database, and AUTH=off off loopback', () => {
    expect(() => loadConfig({ WEB_CONCURRENCY: '2' })).toThrow(/WEB_CONCURRENCY/);
    expect(() => loadConfig({ AUTH: 'off', HOST: '0.0.0.0' })).toThrow(/AUTH=off/);
    expect(loadConfig({ AUTH: 'off', HOST: '127.0.0.1' }).auth.mode).toBe('off');
  });

  it('reads TRUST_PROXY as a count of proxy hops (false and 0 = none) and refuses "true" with a clear reason', () => {
    expect(loadConfig({}).auth.trustProxyHops).toBe(0);
    expect(loadConfig({ TRUST_PROXY: '1' }).auth.trustProxyHops).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).auth.trustProxyHops).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'false' }).auth.trustProxyHops).toBe(0);
    expect(loadConfig({ TRUST_PROXY: '0' }).auth.trustProxyHops).toBe(0);
    for (const v of ['true', 'TRUE', 'yes', 'on']) {
      expect(() => loadConfig({ TRUST_PROXY: v })).toThrow(
        /TRUST_PROXY: must be a number of proxy hops.*forge.*TRUST_PROXY=1/,
      );
    }
    expect(() => loadConfig({ TRUST_PROXY: '-1' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: 'all' })).toThrow(/TRUST_PROXY/);
  });

  it('keeps a Neon sslmode=require URL as is, or sets TLS explicitly when DATABASE_SSL says so', () => {
    const url = 'postgresql://u:p@ep-x-pooler.aws.neon.tech/db?sslmode=require';
    expect(connectionOptions(url, 'auto')).toEqual({ connectionString: url });
    const req = connectionOptions(url, 'require');
    expect(req.ssl).toEqual({ rejectUnauthorized: true });
    expect(req.connectionString).not.toContain('sslmode');
    expect(connectionOptions(url, 'off').ssl).toBe(false);
  });

  it('gives analyses one thread per concurrent run plus one for estimates unless ANALYSIS_THREADS says otherwise', () => {
    expect(loadConfig({}).runs.analysisThreads).toBe(3);
    expect(loadConfig({ RUN_CONCURRENCY: '4' }).runs.analysisThreads).toBe(5);
    expect(loadConfig({ ANALYSIS_THREADS: '0' }).runs.analysisThreads).toBe(0);
    expect(() => loadConfig({ ANALYSIS_THREADS: '-1' })).toThrow(ConfigError);
  });
});

describe('LLM prices for the configured model', () => {
  it('prices LLM_MODEL from LLM_PRICE_INPUT_PER_MTOK and LLM_PRICE_OUTPUT_PER_MTOK, over LLM_PRICES, keeping its other entries', () => {
    const c = loadConfig({
      LLM_MODEL: 'my-model',
      LLM_PRICE_INPUT_PER_MTOK: '0.25',
      LLM_PRICE_OUTPUT_PER_MTOK: '1.5',
      LLM_PRICES: '{"my-model":{"input":9,"output":9},"other":{"input":1,"output":2}}',
    });
    expect(c.analysis.llm.prices).toEqual({ 'my-model': { input: 0.25, output: 1.5 }, other: { input: 1, output: 2 } });
  });

  it('refuses one price without the other', () => {
    expect(() => loadConfig({ LLM_PRICE_INPUT_PER_MTOK: '0.25' })).toThrow(
      /LLM_PRICE_INPUT_PER_MTOK \/ LLM_PRICE_OUTPUT_PER_MTOK: set both/,
    );
    expect(() => loadConfig({ LLM_PRICE_OUTPUT_PER_MTOK: '-1', LLM_PRICE_INPUT_PER_MTOK: '1' })).toThrow(ConfigError);
  });
});
