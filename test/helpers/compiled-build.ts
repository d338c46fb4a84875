/** The production build (scripts/build.mjs, what `npm start` runs first) into a folder of its own, for tests. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, spawnNode } from './processes.js';

// tsc needs ~8 s of CPU for src/; on a machine busy with other work that can stretch a lot.
const BUILD_TIMEOUT_MS = 540_000;

export interface CompiledBuild {
  /** Absolute path of the compiled tree (the equivalent of dist/). */
  dir: string;
  remove(): void;
}

/**
 * Build into test-artifacts/compiled-<random>/ (inside the repository, so compiled code finds node_modules as
 * dist/ does), never into dist/ itself, which a developer's running server may be using.
 */
export async function buildCompiledServer(): Promise<CompiledBuild> {
  const dir = path.join(REPO_ROOT, 'test-artifacts', `compiled-${randomBytes(4).toString('hex')}`);
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  const child = spawnNode(['scripts/build.mjs', '--out-dir', dir]);
  const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  if (code !== 0) {
    remove();
    throw new Error(`the build failed (${code ?? signal}):\n${child.output().slice(-5000)}`);
  }
  return { dir, remove };
}
