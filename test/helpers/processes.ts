/** Child processes for restart, crash and multi-process tests: bounded in time, always cleaned up. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Child {
  proc: ChildProcess;
  output(): string;
  /** Resolves with the first stdout line matching, rejects after timeoutMs or if the process exits first. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/** Run a TypeScript file with tsx's loader, as the CLIs and `npm run bench` do. */
export function spawnTs(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Child {
  return spawnNode(['--import', 'tsx', script, ...args], env);
}

/** Run `node <nodeArgs>` from the repository root, output captured. */
export function spawnNode(nodeArgs: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, nodeArgs, {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      const line = out.split('\n').find((l) => w.re.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    proc,
    output: () => out,
    exited,
    kill: (signal = 'SIGKILL') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    },
    waitForLine(re, timeoutMs = 60_000) {
      const existing = out.split('\n').find((l) => re.test(l));
      if (existing !== undefined) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`timed out waiting for ${re} in output:\n${out.slice(-3000)}`)),
          timeoutMs,
        );
        const w = {
          re,
          resolve: (l: string) => {
            clearTimeout(t);
            resolve(l);
          },
        };
        waiters.push(w);
        void exited.then(({ code, signal }) => {
          if (waiters.includes(w)) {
            clearTimeout(t);
            reject(new Error(`process exited (${code ?? signal}) before ${re}; output:\n${out.slice(-3000)}`));
          }
        });
      });
    },
  };
}

/**
 * Start the real server on a free port; resolves once /ready answers 200. It runs src/server.ts through tsx,
 * or with `compiledDir` the compiled entry `<compiledDir>/server.js` exactly as `npm start` runs dist/.
 */
export async function startServerProcess(
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
  options: { compiledDir?: string; nodeArgs?: string[] } = {},
): Promise<Child & { port: number; baseUrl: string }> {
  const port = Number(env.PORT) || (await freePort());
  const serverEnv = { HOST: '127.0.0.1', PORT: String(port), AUTH: 'off', ...env };
  const child = options.compiledDir
    ? spawnNode([...(options.nodeArgs ?? []), path.join(options.compiledDir, 'server.js')], serverEnv)
    : spawnNode([...(options.nodeArgs ?? []), '--import', 'tsx', 'src/server.ts'], serverEnv);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null)
      throw new Error(`server exited early (${child.proc.exitCode}):\n${child.output().slice(-3000)}`);
    try {
      const r = await fetch(`${baseUrl}/ready`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`server not ready within ${timeoutMs} ms:\n${child.output().slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return Object.assign(child, { port, baseUrl });
}
