/**
 * `npm run bench [name ...]`: runs the benchmarks (all, or those named) one after another and writes each
 * result as JSON to bench/results/<name>.json. Targets are reported as ratios measured side by side in one
 * run, never asserted in unit tests.
 */
import fs from 'node:fs';
import path from 'node:path';

const BENCHES: Record<string, () => Promise<Record<string, unknown>>> = {
  'db-result-fetch': async () => (await import('./db-result-fetch.bench.js')).runDbResultFetchBench(),
  ingest: async () => (await import('./ingest.bench.js')).runIngestBench(),
  analysis: async () => (await import('./analysis.bench.js')).runAnalysisBench(),
  'analysis-1500': async () => (await import('./analysis-1500.bench.js')).runAnalysis1500Bench(),
  'llm-tokens': async () => (await import('./llm-tokens.bench.js')).runLlmTokensBench(),
  'http-results': async () => (await import('./http-results.bench.js')).runHttpResultsBench(),
  'event-latency': async () => (await import('./event-latency.bench.js')).runEventLatencyBench(),
  'event-loop': async () => (await import('./event-loop.bench.js')).runEventLoopBench(),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in BENCHES));
if (unknown.length) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
const outDir = path.join(import.meta.dirname, 'results');
fs.mkdirSync(outDir, { recursive: true });
let failed = false;
for (const [name, run] of Object.entries(BENCHES)) {
  if (wanted.length && !wanted.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  try {
    const result = await run();
    fs.writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } catch (err) {
    failed = true;
    console.error(`${name} failed:`, err);
  }
}
process.exit(failed ? 1 : 0);
