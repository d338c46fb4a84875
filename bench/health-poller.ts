/**
 * Polls GET /health every POLL_INTERVAL_MS from its own process (so the benchmark's own work never delays a
 * poll) and records each latency with its start time. One request at a time on one keep-alive connection:
 * a stalled server shows up as one long sample, as a load balancer's health check would see it.
 *
 * The benchmark process drives it over IPC: `startHealthPoller(url)` forks it; `stop()` returns the samples.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const THIS_FILE = fileURLToPath(import.meta.url);
// A health check that takes this long counts as failed (its latency is still recorded as this bound).
const REQUEST_TIMEOUT_MS = 30_000;
// Upper bound on samples kept (20 ms × 50,000 = 16 min): the array stays bounded whatever happens.
const MAX_SAMPLES = 50_000;
// The parent gives up waiting for the samples this long after asking.
const STOP_GRACE_MS = REQUEST_TIMEOUT_MS + 5_000;

export interface HealthSample {
  /** Epoch ms when the request was sent. */
  at: number;
  /** Latency, ms (µs precision). */
  ms: number;
  ok: boolean;
}

export interface HealthPoller {
  /** Stop polling and return every sample. */
  stop(): Promise<HealthSample[]>;
}

export function startHealthPoller(url: string, intervalMs: number): Promise<HealthPoller> {
  const child: ChildProcess = fork(THIS_FILE, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const onMessage = (msg: { type: string }) => {
      if (msg.type !== 'started') return;
      child.off('message', onMessage);
      resolve({
        stop: () =>
          new Promise<HealthSample[]>((res, rej) => {
            const timer = setTimeout(() => {
              child.kill('SIGKILL');
              rej(new Error('health poller did not stop'));
            }, STOP_GRACE_MS);
            child.on('message', (m: { type: string; samples?: HealthSample[] }) => {
              if (m.type !== 'samples') return;
              clearTimeout(timer);
              child.kill('SIGKILL');
              void exited.then(() => res(m.samples ?? []));
            });
            child.send({ type: 'stop' });
          }),
      });
    };
    child.on('message', onMessage);
    void exited.then(() => reject(new Error('health poller exited before it started')));
    child.send({ type: 'start', url, intervalMs });
  });
}

function pollOnce(agent: http.Agent, url: URL): Promise<HealthSample> {
  return new Promise((resolve) => {
    const at = Date.now();
    const t0 = performance.now();
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      resolve({ at, ms: Math.round((performance.now() - t0) * 1000) / 1000, ok });
    };
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, agent, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode === 200));
        res.on('error', () => done(false));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', () => done(false));
    req.end();
  });
}

// Entry point of the forked process.
if (process.argv[1] === THIS_FILE && process.send) {
  process.on('disconnect', () => process.exit(0));
  let stopping = false;
  process.on('message', (msg: { type: string; url?: string; intervalMs?: number }) => {
    if (msg.type === 'stop') {
      stopping = true;
      return;
    }
    if (msg.type !== 'start' || !msg.url) return;
    const url = new URL(msg.url);
    const interval = msg.intervalMs ?? 20;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const samples: HealthSample[] = [];
    void (async () => {
      process.send!({ type: 'started' });
      while (!stopping && samples.length < MAX_SAMPLES) {
        const started = performance.now();
        samples.push(await pollOnce(agent, url));
        const wait = interval - (performance.now() - started);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      agent.destroy();
      process.send!({ type: 'samples', samples });
    })();
  });
}
