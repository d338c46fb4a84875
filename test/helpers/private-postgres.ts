/**
 * A private, restartable PostgreSQL for tests that stop the database under a running server (the shared test
 * server must never be stopped). initdb in a temp dir, trust auth, loopback only, a free port, its Unix socket
 * in the same temp dir; start/stop/restart with `pg_ctl -w`. initdb refuses to run as root, so as root every
 * command runs as the `postgres` OS user (`runuser -u postgres --`) on a directory chowned to it.
 *
 *   const reason = privatePostgresUnavailableReason(); // null when usable; otherwise skip with a notice
 *   const pg = await startPrivatePostgres();
 *   ... DATABASE_URL: pg.url ...
 *   await pg.stop('fast'); await pg.start();
 *   await pg.destroy();
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './processes.js';

export const PG_BIN_DIR = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
const OS_USER = 'postgres';
// pg_ctl -w waits at most this long for start/stop (seconds); a loaded CI machine can be slow.
const PG_CTL_WAIT_S = 60;
const COMMAND_TIMEOUT_MS = 90_000;

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function osUserIds(user: string): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

/** Null when a private server can be started here; otherwise why not (for the skip notice). */
export function privatePostgresUnavailableReason(): string | null {
  for (const bin of ['initdb', 'pg_ctl', 'postgres']) {
    if (!fs.existsSync(path.join(PG_BIN_DIR, bin)))
      return `${path.join(PG_BIN_DIR, bin)} is missing (install postgresql-15 or set PG_BIN_DIR)`;
  }
  if (isRoot()) {
    if (!osUserIds(OS_USER)) return `running as root and there is no "${OS_USER}" OS user to run initdb as`;
    try {
      execFileSync('runuser', ['--help'], { stdio: 'ignore' });
    } catch {
      return 'running as root and runuser is not available';
    }
  }
  return null;
}

/** Run a PostgreSQL binary (as the postgres OS user when we are root). */
function runPgBinary(bin: string, args: string[]): Promise<string> {
  const file = path.join(PG_BIN_DIR, bin);
  const [cmd, cmdArgs] = isRoot() ? ['runuser', ['-u', OS_USER, '--', file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    execFile(cmd, cmdArgs, { timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export type StopMode = 'smart' | 'fast' | 'immediate';

export interface PrivatePostgres {
  readonly port: number;
  /** postgresql://postgres@127.0.0.1:PORT/postgres */
  readonly url: string;
  readonly dir: string;
  isRunning(): boolean;
  start(): Promise<void>;
  stop(mode?: StopMode): Promise<void>;
  restart(mode?: StopMode): Promise<void>;
  /** The server log so far (for failure messages). */
  log(): string;
  /** Stop (immediate) and delete the data directory. Safe to call twice. */
  destroy(): Promise<void>;
}

/** initdb + start on a free port. Throws if the binaries are unusable (check the reason function first). */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-private-pg-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  if (isRoot()) {
    const ids = osUserIds(OS_USER);
    if (!ids) throw new Error(`no "${OS_USER}" OS user`);
    fs.chownSync(dir, ids.uid, ids.gid);
  }
  const port = await freePort();
  let running = false;
  let destroyed = false;

  const start = async () => {
    await runPgBinary('pg_ctl', [
      'start',
      '-D',
      dataDir,
      '-w',
      '-t',
      String(PG_CTL_WAIT_S),
      '-l',
      logFile,
      // fsync=off: this server holds throwaway test data; durability across *its* crashes is not under test.
      '-o',
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=100`,
    ]);
    running = true;
  };
  const stop = async (mode: StopMode = 'fast') => {
    await runPgBinary('pg_ctl', ['stop', '-D', dataDir, '-w', '-t', String(PG_CTL_WAIT_S), '-m', mode]);
    running = false;
  };

  try {
    await runPgBinary('initdb', [
      '-D',
      dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-sync',
      '--locale=C',
    ]);
    await start();
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    port,
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    dir,
    isRunning: () => running,
    start,
    stop,
    async restart(mode: StopMode = 'fast') {
      await stop(mode);
      await start();
    },
    log: () => {
      try {
        return fs.readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      if (running) await stop('immediate').catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
