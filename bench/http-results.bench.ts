/**
 * GET /api/results/:id of a completed 100-question result under HTTP load, measured end to end from a
 * separate client process (bench/load-client.ts): the real server on PostgreSQL, the real server on PGlite,
 * and a baseline in-memory-map server (bench/baseline-server.ts) returning the very same bytes. Measured
 * side by side in one run, in interleaved rounds so machine noise hits every target alike; both the full
 * 200 response and the conditional If-None-Match → 304 path.
 *
 * A fourth target serves the same PostgreSQL database with EVENTS_MODE=poll (no LISTEN): the per-read
 * version check that a pooled Neon endpoint without DATABASE_DIRECT_URL falls back to.
 *
 * Signed-in targets: a server with AUTH=on on the same PostgreSQL database, read by a signed-in client
 * (bearer token, and the login cookie), as every production client is. Beside them, the old design itself:
 * the in-memory map holding the result as an object, JSON.stringify-ed per request (baseline_dict_stringify).
 *
 * Targets: p99 added latency vs the baseline ≤ 5 ms, throughput ≥ 50 % of the baseline; signed-in reads
 * (issue 12): p99 ≤ 2 ms above the old design and ≥ 1.0× its throughput.
 *
 *   npx tsx bench/http-results.bench.ts          prints the results as JSON
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnTs, freePort, type Child } from '../test/helpers/processes.js';
import { startLoadClient, type LoadClient, type LoadSegment, type LoadSpec } from './load-client.js';
import {
  createSpecPdf,
  createTempDir,
  createTempPostgresDatabase,
  startAnalysis,
  startBenchServer,
  stopChild,
  waitForTerminal,
  type ServerChild,
} from './server-fixtures.js';
import { machineInfo, percentile } from './stats.js';

// As measured in issue 12 (a signed-in client, 10 connections).
const CONNECTIONS = 10;
// 4 rounds × 2 s = 8 s of measurement per target and mode, after a warm-up per target and mode.
const ROUNDS = 4;
const SEGMENT_MS = 2_000;
const WARMUP_MS = 1_500;
// A 100-page document: big enough that every section of the default config finds its planted answers.
const SPEC_PAGES = 100;
const ANALYSIS_TIMEOUT_MS = 180_000;
const TARGET_ADDED_P99_MS = 5;
const TARGET_THROUGHPUT_RATIO = 0.5;
const SIGNED_IN_TARGET_ADDED_P99_MS = 2;
const SIGNED_IN_TARGET_THROUGHPUT_RATIO = 1.0;
const BENCH_ADMIN_EMAIL = 'bench-admin@example.com';
const THIS_FILE = fileURLToPath(import.meta.url);
const OLD_DESIGN = 'baseline_dict_stringify';
// USER_HZ of /proc/<pid>/stat (100 on every Linux build this runs on).
const CLOCK_TICKS_PER_S = 100;

type Mode = 'full_200' | 'not_modified_304';
const MODES: Mode[] = ['full_200', 'not_modified_304'];

interface Target {
  name: string;
  url: string;
  etag: string;
  bytes: number;
  /** Sent with every request (the signed-in targets' bearer token or cookie). */
  headers?: Record<string, string>;
  /** The serving process, whose CPU time is read around each segment. */
  pid?: number;
}

/** CPU time (user + system, ms) a process has used so far; null where /proc is not available. */
function processCpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return null;
  }
}

interface Measured {
  /** Server CPU per request (µs): robust to a busy machine, unlike latency and throughput. */
  server_cpu_us_per_request: number | null;
  requests: number;
  errors: number;
  unexpected_status: number;
  requests_per_s: number;
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
  response_bytes: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

type MeasuredSegment = LoadSegment & { serverCpuMs: number | null };

function combine(segments: MeasuredSegment[]): Measured {
  const all = segments.flatMap((s) => s.latenciesMs).sort((a, b) => a - b);
  const seconds = segments.reduce((n, s) => n + s.seconds, 0);
  const cpuMs = segments.every((s) => s.serverCpuMs !== null) ? segments.reduce((n, s) => n + s.serverCpuMs!, 0) : null;
  return {
    server_cpu_us_per_request: cpuMs === null || all.length === 0 ? null : Math.round((cpuMs * 1000) / all.length),
    requests: all.length,
    errors: segments.reduce((n, s) => n + s.errors, 0),
    unexpected_status: segments.reduce((n, s) => n + s.unexpected, 0),
    requests_per_s: Math.round(all.length / seconds),
    p50_ms: round3(percentile(all, 50)),
    p99_ms: round3(percentile(all, 99)),
    mean_ms: round3(all.reduce((a, b) => a + b, 0) / all.length),
    response_bytes: segments.at(-1)?.bodyBytes ?? 0,
  };
}

/** One GET to learn the target's ETag and check it answers the body and the 304. */
async function probeTarget(
  name: string,
  url: string,
  pid: number | undefined,
  headers?: Record<string, string>,
): Promise<Target> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  const body = await res.text();
  const etag = res.headers.get('etag');
  if (res.status !== 200 || !etag) throw new Error(`${name}: expected 200 with an ETag, got ${res.status}`);
  const conditional = await fetch(url, {
    headers: { ...headers, 'If-None-Match': etag },
    signal: AbortSignal.timeout(10_000),
  });
  if (conditional.status !== 304) throw new Error(`${name}: expected 304 for If-None-Match, got ${conditional.status}`);
  return { name, url, etag, bytes: Buffer.byteLength(body), headers, pid };
}

/** Sign in as the bench administrator: the login token (from the body, or else from the cookie). */
async function signIn(baseUrl: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ email: BENCH_ADMIN_EMAIL, password, return_token: true }),
    signal: AbortSignal.timeout(10_000),
  });
  const json = (await res.json()) as { token?: string };
  const cookie = /sa_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  const token = json.token ?? cookie;
  if (res.status !== 200 || !token) throw new Error(`sign-in failed (${res.status}): ${JSON.stringify(json)}`);
  return token;
}

async function startBaseline(
  body: string,
  sessionId: string,
  dir: string,
  stringifyPerRequest = false,
): Promise<{ child: Child; baseUrl: string }> {
  const bodyFile = path.join(dir, 'baseline-body.json');
  await writeFile(bodyFile, body);
  const port = await freePort();
  const child = spawnTs('bench/baseline-server.ts', [], {
    BODY_FILE: bodyFile,
    SESSION_ID: sessionId,
    PORT: String(port),
    STRINGIFY_PER_REQUEST: stringifyPerRequest ? '1' : '0',
  });
  await child.waitForLine(/^listening \d+/, 60_000);
  return { child, baseUrl: `http://127.0.0.1:${port}` };
}

export async function runHttpResultsBench(): Promise<Record<string, unknown>> {
  let pgServer: ServerChild | null = null;
  let liteServer: ServerChild | null = null;
  let noListenServer: ServerChild | null = null;
  let baseline: Child | null = null;
  let oldDesign: Child | null = null;
  let signedInServer: ServerChild | null = null;
  let client: LoadClient | null = null;
  const pgDb = await createTempPostgresDatabase('sa_bench_http');
  const dataDir = await createTempDir('sa-bench-http');
  try {
    // Both real servers start and analyse the same document concurrently (PGlite's first start is slow).
    const pdf = await createSpecPdf(SPEC_PAGES);
    const startOne = async (env: NodeJS.ProcessEnv, keep: (s: ServerChild) => void) => {
      const server = await startBenchServer(env);
      keep(server); // handed over at once so the finally block stops it whatever fails next
      const id = await startAnalysis(server.baseUrl, pdf, `bench-spec-${SPEC_PAGES}.pdf`);
      const done = await waitForTerminal(server.baseUrl, id, ANALYSIS_TIMEOUT_MS);
      if (done.status !== 'completed') throw new Error(`analysis ended ${done.status}`);
      return { server, id, body: done.body };
    };
    // allSettled, not all: a failure of one must not leave the other starting after the finally block ran.
    const [pgSettled, liteSettled] = await Promise.allSettled([
      pgDb
        ? startOne({ DATABASE_URL: pgDb.url, DATA_DIR: path.join(dataDir.dir, 'pg-server') }, (s) => (pgServer = s))
        : Promise.resolve(null),
      startOne({ DATABASE_URL: '', DATA_DIR: path.join(dataDir.dir, 'pglite-server') }, (s) => (liteServer = s)),
    ]);
    if (pgSettled.status === 'rejected') throw pgSettled.reason;
    if (liteSettled.status === 'rejected') throw liteSettled.reason;
    const pgRun = pgSettled.value;
    const liteRun = liteSettled.value;
    const source = pgRun ?? liteRun;
    const result = JSON.parse(source.body) as { result: { total_questions: number; questions_answered: number } };
    const started = await startBaseline(source.body, source.id, dataDir.dir);
    baseline = started.child;
    const oldStarted = await startBaseline(source.body, source.id, dataDir.dir, true);
    oldDesign = oldStarted.child;

    // The same database through a server without LISTEN (EVENTS_MODE=poll, as on Neon's pooled endpoint with
    // no DATABASE_DIRECT_URL): it cannot trust finished versions from memory and asks on every read.
    if (pgRun && pgDb) {
      noListenServer = await startBenchServer({
        DATABASE_URL: pgDb.url,
        EVENTS_MODE: 'poll',
        WORKER_ENABLED: 'false',
        DATA_DIR: path.join(dataDir.dir, 'pg-poll-server'),
      });
    }
    // The same database behind sign-in: the first start creates the bench administrator, who sees every session.
    let token: string | null = null;
    if (pgRun && pgDb) {
      const password = randomBytes(12).toString('base64url');
      signedInServer = await startBenchServer({
        DATABASE_URL: pgDb.url,
        AUTH: 'on',
        ADMIN_EMAIL: BENCH_ADMIN_EMAIL,
        ADMIN_PASSWORD: password,
        WORKER_ENABLED: 'false',
        DATA_DIR: path.join(dataDir.dir, 'pg-signed-in-server'),
      });
      token = await signIn(signedInServer.baseUrl, password);
    }

    const targets: Target[] = [];
    if (pgRun)
      targets.push(
        await probeTarget('postgres', `${pgRun.server.baseUrl}/api/results/${pgRun.id}`, pgRun.server.proc.pid),
      );
    if (pgRun && noListenServer)
      targets.push(
        await probeTarget(
          'postgres_without_listen',
          `${(noListenServer as ServerChild).baseUrl}/api/results/${pgRun.id}`,
          (noListenServer as ServerChild).proc.pid,
        ),
      );
    if (pgRun && signedInServer && token) {
      const signedInUrl = `${(signedInServer as ServerChild).baseUrl}/api/results/${pgRun.id}`;
      targets.push(
        await probeTarget('postgres_signed_in_bearer', signedInUrl, (signedInServer as ServerChild).proc.pid, {
          authorization: `Bearer ${token}`,
        }),
      );
      targets.push(
        await probeTarget('postgres_signed_in_cookie', signedInUrl, (signedInServer as ServerChild).proc.pid, {
          cookie: `sa_session=${token}`,
        }),
      );
    }
    targets.push(
      await probeTarget('pglite', `${liteRun.server.baseUrl}/api/results/${liteRun.id}`, liteRun.server.proc.pid),
    );
    targets.push(
      await probeTarget('baseline_memory_map', `${started.baseUrl}/api/results/${source.id}`, started.child.proc.pid),
    );
    targets.push(
      await probeTarget(OLD_DESIGN, `${oldStarted.baseUrl}/api/results/${source.id}`, oldStarted.child.proc.pid),
    );

    client = startLoadClient();
    const segments = new Map<string, MeasuredSegment[]>();
    const specFor = (t: Target, mode: Mode, durationMs: number): LoadSpec => ({
      url: t.url,
      connections: CONNECTIONS,
      durationMs,
      expectStatus: mode === 'full_200' ? 200 : 304,
      headers: mode === 'full_200' ? t.headers : { ...t.headers, 'If-None-Match': t.etag },
    });
    for (const mode of MODES) {
      for (const t of targets) {
        await client.run(specFor(t, mode, WARMUP_MS));
        segments.set(`${t.name}:${mode}`, []);
      }
    }
    // Rotate the order every round so no target always runs right after the same neighbour.
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of MODES) {
        for (let i = 0; i < targets.length; i++) {
          const t = targets[(i + r) % targets.length]!;
          const cpuBefore = processCpuMs(t.pid);
          const segment = await client.run(specFor(t, mode, SEGMENT_MS));
          const cpuAfter = processCpuMs(t.pid);
          segments
            .get(`${t.name}:${mode}`)!
            .push({ ...segment, serverCpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore });
        }
      }
    }

    const out: Record<string, unknown> = {
      bench: 'http-results',
      ...machineInfo(),
      cpus: os.cpus().length,
      note: 'The load client, the servers and anything else running share this machine’s cores; read the ratios, measured side by side in interleaved rounds, rather than absolute numbers.',
      connections: CONNECTIONS,
      seconds_per_target_and_mode: (ROUNDS * SEGMENT_MS) / 1000,
      rounds: ROUNDS,
      document_pages: SPEC_PAGES,
      total_questions: result.result.total_questions,
      questions_answered: result.result.questions_answered,
      response_bytes: Object.fromEntries(targets.map((t) => [t.name, t.bytes])),
      read_path:
        'postgres and pglite: a finished session’s version is trusted from memory while LISTEN/NOTIFY works (migration 0004 announces every change to a finished row); postgres_without_listen: one version query per read, shared by concurrent reads (src/db/result-cache.ts)',
      signed_in:
        'postgres_signed_in_*: AUTH=on, the bench administrator’s login token as a bearer token or as the sa_session cookie, resolved from memory while LISTEN/NOTIFY works (migration login_change_notify announces every change to a login; src/auth/login-cache.ts)',
      old_design: `${OLD_DESIGN}: the old design, the result kept as an object and JSON.stringify-ed per request; baseline_memory_map sends ready-encoded bytes (stricter)`,
      targets: {
        added_p99_ms_at_most: TARGET_ADDED_P99_MS,
        throughput_ratio_at_least: TARGET_THROUGHPUT_RATIO,
        signed_in_vs_old_design: {
          added_p99_ms_at_most: SIGNED_IN_TARGET_ADDED_P99_MS,
          throughput_ratio_at_least: SIGNED_IN_TARGET_THROUGHPUT_RATIO,
        },
      },
    };
    if (!pgRun) out.postgres = 'skipped: PostgreSQL not reachable';
    for (const mode of MODES) {
      const base = combine(segments.get(`baseline_memory_map:${mode}`)!);
      const old = combine(segments.get(`${OLD_DESIGN}:${mode}`)!);
      const byTarget: Record<string, unknown> = { baseline_memory_map: base, [OLD_DESIGN]: old };
      for (const t of targets.filter((x) => x.name !== 'baseline_memory_map' && x.name !== OLD_DESIGN)) {
        const m = combine(segments.get(`${t.name}:${mode}`)!);
        const addedP99 = round3(m.p99_ms - base.p99_ms);
        const ratio = round3(m.requests_per_s / base.requests_per_s);
        const addedP99Old = round3(m.p99_ms - old.p99_ms);
        const ratioOld = round3(m.requests_per_s / old.requests_per_s);
        const signedIn = t.name.startsWith('postgres_signed_in');
        byTarget[t.name] = {
          ...m,
          added_p99_ms_vs_baseline: addedP99,
          throughput_ratio_vs_baseline: ratio,
          added_p99_ms_vs_old_design: addedP99Old,
          throughput_ratio_vs_old_design: ratioOld,
          server_cpu_ratio_vs_old_design:
            m.server_cpu_us_per_request !== null && old.server_cpu_us_per_request
              ? round3(m.server_cpu_us_per_request / old.server_cpu_us_per_request)
              : null,
          within_targets: signedIn
            ? addedP99Old <= SIGNED_IN_TARGET_ADDED_P99_MS && ratioOld >= SIGNED_IN_TARGET_THROUGHPUT_RATIO
            : addedP99 <= TARGET_ADDED_P99_MS && ratio >= TARGET_THROUGHPUT_RATIO,
        };
      }
      out[mode] = byTarget;
    }
    return out;
  } finally {
    await client?.close();
    await Promise.all([
      stopChild(pgServer),
      stopChild(liteServer),
      stopChild(noListenServer),
      stopChild(signedInServer),
      stopChild(baseline),
      stopChild(oldDesign),
    ]);
    await pgDb?.drop().catch((err: unknown) => console.error('could not drop the benchmark database:', err));
    await dataDir.remove();
  }
}

if (process.argv[1] === THIS_FILE) {
  console.log(JSON.stringify(await runHttpResultsBench(), null, 2));
}
