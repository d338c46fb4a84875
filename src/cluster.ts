/**
 * Several worker processes (node:cluster) for one PostgreSQL database: WEB_CONCURRENCY workers share the
 * port; MAX_REQUESTS (+ random MAX_REQUESTS_JITTER) recycles a worker like Gunicorn does — the very setting
 * that lost the old system's results. Recycling forks the replacement first, then drains the old worker
 * gracefully (it releases its run leases, so the replacement or a sibling resumes them at once).
 */
import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config.js';

// A worker that dies this soon after starting, repeatedly, is crash-looping: stop respawning it.
const CRASH_LOOP_WINDOW_MS = 10_000;
const CRASH_LOOP_LIMIT = 5;

export function runPrimary(config: Config): void {
  let stopping = false;
  const recentCrashes: number[] = [];
  const log = (msg: string, extra: Record<string, unknown> = {}) =>
    console.log(JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, role: 'primary', msg, ...extra }));

  const fork = (): Worker => {
    const w = cluster.fork();
    w.on('message', (msg: { type?: string }) => {
      if (msg?.type === 'recycle' && !stopping) recycle(w);
    });
    return w;
  };

  const recycle = (old: Worker) => {
    if ((old as Worker & { recycling?: boolean }).recycling) return;
    (old as Worker & { recycling?: boolean }).recycling = true;
    log('recycling worker', { worker: old.process.pid });
    const replacement = fork();
    replacement.once('listening', () => old.process.kill('SIGTERM'));
  };

  cluster.on('exit', (worker, code, signal) => {
    const recycled = (worker as Worker & { recycling?: boolean }).recycling;
    log('worker exited', { worker: worker.process.pid, code, signal, recycled: Boolean(recycled) });
    if (stopping || recycled) return;
    const now = Date.now();
    recentCrashes.push(now);
    while (recentCrashes.length && recentCrashes[0]! < now - CRASH_LOOP_WINDOW_MS) recentCrashes.shift();
    if (recentCrashes.length > CRASH_LOOP_LIMIT) {
      log('workers are crash-looping; giving up');
      process.exit(1);
    }
    fork();
  });

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('stopping workers', { signal });
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    const t = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        clearInterval(t);
        process.exit(0);
      }
    }, 100);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  log('starting workers', { workers: config.runs.webConcurrency, port: config.port });
  for (let i = 0; i < config.runs.webConcurrency; i++) fork();
}

/** In a worker: after this many requests, ask the primary to recycle us (0 = never). */
export function recycleThreshold(config: Config): number {
  if (!cluster.isWorker || config.runs.maxRequests <= 0) return 0;
  return config.runs.maxRequests + Math.floor(Math.random() * (config.runs.maxRequestsJitter + 1));
}

export function requestRecycle(): void {
  if (cluster.isWorker && process.send) process.send({ type: 'recycle' });
}
