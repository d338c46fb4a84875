import { startLoadClient } from './load-client.js';
import { createSpecPdf, createTempDir, createTempPostgresDatabase, startAnalysis, startBenchServer, stopChild, waitForTerminal } from './server-fixtures.js';
const which = process.argv[2] ?? 'pg';
const db = await createTempPostgresDatabase('sa_prof');
const dir = await createTempDir('sa-prof');
const env = which === 'pg' ? { DATABASE_URL: db!.url, DATA_DIR: dir.dir } : { DATABASE_URL: '', DATA_DIR: dir.dir };
import { spawn } from 'node:child_process';
import { freePort } from '../test/helpers/processes.js';
const port = await freePort();
const proc = spawn(process.execPath, [...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/sa-mine-prof'] : []), '--import', 'tsx', 'src/server.ts'], { env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port), AUTH: 'off', LOG_LEVEL: 'warn', OCR: 'off' }, stdio: 'inherit' });
const server = { baseUrl: `http://127.0.0.1:${port}` };
for (let i = 0; i < 200; i++) { try { const r = await fetch(server.baseUrl + '/ready'); if (r.ok) break; } catch {} await new Promise(r => setTimeout(r, 200)); }

const client = startLoadClient();
try {
  const id = await startAnalysis(server.baseUrl, await createSpecPdf(100), 'x.pdf');
  await waitForTerminal(server.baseUrl, id, 120000);
  const url = `${server.baseUrl}/api/results/${id}`;
  await client.run({ url, connections: 16, durationMs: 1500, expectStatus: 200 });
  const s = await client.run({ url, connections: 16, durationMs: 6000, expectStatus: 200 });
  const l = s.latenciesMs.sort((a, b) => a - b);
  console.log(which, 'rps', Math.round(l.length / s.seconds), 'p50', l[Math.floor(l.length / 2)], 'p99', l[Math.floor(l.length * 0.99)]);
} finally {
  await client.close();
  proc.kill('SIGTERM'); await new Promise(r => proc.on('exit', r));
  await db!.drop();
  await dir.remove();
}
