/**
 * Closed-loop HTTP load generator that runs in its own process, so the client's CPU is not charged to the
 * event loop of the server being measured (they still share the machine's cores). N connections each send
 * one request, read the whole body, record the latency and send the next, until the segment's time is up.
 *
 * The benchmark process drives it over IPC: `startLoadClient()` forks it and returns `run(spec)`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const THIS_FILE = fileURLToPath(import.meta.url);
// A request that takes this long means the target is broken, not slow: count it as an error and move on.
const REQUEST_TIMEOUT_MS = 10_000;
// Upper bound on requests per segment, whatever the duration: keeps the sample array bounded in memory.
const MAX_REQUESTS_PER_SEGMENT = 2_000_000;
// The parent gives up on a segment this long after its nominal end (client hung or crashed).
const SEGMENT_GRACE_MS = REQUEST_TIMEOUT_MS + 5_000;

export interface LoadSpec {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  durationMs: number;
  /** Responses with another status count as `unexpected` (their latency is still recorded). */
  expectStatus: number;
}

export interface LoadSegment {
  /** Per-request latency, ms, rounded to µs. */
  latenciesMs: number[];
  errors: number;
  unexpected: number;
  seconds: number;
  bodyBytes: number;
}

async function runSegment(spec: LoadSpec): Promise<LoadSegment> {
  const url = new URL(spec.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections, maxFreeSockets: spec.connections });
  const latenciesMs: number[] = [];
  let errors = 0;
  let unexpected = 0;
  let bodyBytes = 0;
  const sendOne = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      let settled = false;
      const fail = () => {
        if (settled) return;
        settled = true;
        errors++;
        resolve();
      };
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          agent,
          headers: spec.headers,
          timeout: REQUEST_TIMEOUT_MS,
        },
        (res) => {
          let n = 0;
          res.on('data', (chunk: Buffer) => (n += chunk.length));
          res.on('error', fail);
          res.on('end', () => {
            if (settled) return;
            settled = true;
            latenciesMs.push(Math.round((performance.now() - t0) * 1000) / 1000);
            if (res.statusCode !== spec.expectStatus) unexpected++;
            bodyBytes = n;
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', fail);
      req.end();
    });
  const started = performance.now();
  const deadline = started + spec.durationMs;
  const loop = async () => {
    while (performance.now() < deadline && latenciesMs.length + errors < MAX_REQUESTS_PER_SEGMENT) await sendOne();
  };
  await Promise.all(Array.from({ length: spec.connections }, loop));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { latenciesMs, errors, unexpected, seconds, bodyBytes };
}

export interface LoadClient {
  run(spec: LoadSpec): Promise<LoadSegment>;
  close(): Promise<void>;
}

/** Fork the load client process (tsx loader, like the servers). Always `close()` it. */
export function startLoadClient(): LoadClient {
  const child: ChildProcess = fork(THIS_FILE, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (s: LoadSegment) => void; reject: (e: Error) => void }>();
  child.on('message', (msg: { id: number; segment?: LoadSegment; error?: string }) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.segment) p.resolve(msg.segment);
    else p.reject(new Error(msg.error ?? 'load client failed'));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  void exited.then(() => {
    for (const p of pending.values()) p.reject(new Error('load client exited'));
    pending.clear();
  });
  return {
    run(spec) {
      const id = nextId++;
      return new Promise<LoadSegment>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`load segment on ${spec.url} did not finish`));
        }, spec.durationMs + SEGMENT_GRACE_MS);
        pending.set(id, {
          resolve: (s) => (clearTimeout(timer), resolve(s)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
        child.send({ id, spec });
      });
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

// Entry point of the forked process: serve segments one at a time; exit with the parent.
if (process.argv[1] === THIS_FILE && process.send) {
  process.on('disconnect', () => process.exit(0));
  process.on('message', (msg: { id: number; spec: LoadSpec }) => {
    runSegment(msg.spec).then(
      (segment) => process.send!({ id: msg.id, segment }),
      (err: unknown) => process.send!({ id: msg.id, error: String(err) }),
    );
  });
}
