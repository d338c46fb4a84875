#!/usr/bin/env node
// The production build, run by `npm run build` (and so by `npm start`, through `prestart`):
//   1. tsc -p tsconfig.build.json: src/**/*.ts → <out>/**/*.js (type errors fail the build);
//   2. every other file under src/ (SQL migrations, the default question set, the browser pages, the plain-JS
//      worker-thread entries *.mjs, …) is copied to the same relative path under <out>, so compiled code finds
//      its assets next to itself exactly as the sources do (`new URL('./x', import.meta.url)` works in both).
// The output folder is emptied first: a renamed migration or a deleted module must never survive in it.
//
// Usage: node scripts/build.mjs [--out-dir <dir inside the repository>]
// The output must stay inside the repository: compiled code finds its packages in ../node_modules.
// Plain JavaScript on purpose: building must not need the build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const SRC_DIR = path.join(REPO_ROOT, 'src');
const require = createRequire(import.meta.url);

function parseArgs(argv) {
  const options = { outDir: path.join(REPO_ROOT, 'dist') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out-dir' && argv[i + 1]) options.outDir = path.resolve(argv[++i]);
    else throw new Error(`unknown argument: ${argv[i]} (usage: node scripts/build.mjs [--out-dir DIR])`);
  }
  const relative = path.relative(REPO_ROOT, options.outDir);
  if (
    !relative ||
    relative.startsWith('..') ||
    path.isAbsolute(relative) ||
    relative === 'src' ||
    relative.startsWith(`src${path.sep}`)
  ) {
    throw new Error(`--out-dir must be a folder inside ${REPO_ROOT} other than src/ (got ${options.outDir})`);
  }
  return options;
}

/** Files the compiler does not emit: everything under src/ except TypeScript sources and folder READMEs. */
function isAsset(file) {
  return !file.endsWith('.ts') && path.basename(file) !== 'README.md';
}

function copyAssets(fromDir, toDir) {
  let copied = 0;
  for (const entry of fs.readdirSync(fromDir, { withFileTypes: true })) {
    const from = path.join(fromDir, entry.name);
    const to = path.join(toDir, entry.name);
    if (entry.isDirectory()) {
      copied += copyAssets(from, to);
    } else if (entry.isFile() && isAsset(from)) {
      fs.mkdirSync(toDir, { recursive: true });
      fs.copyFileSync(from, to);
      copied++;
    }
  }
  return copied;
}

function main() {
  const { outDir } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  fs.rmSync(outDir, { recursive: true, force: true });
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(
    process.execPath,
    [tsc, '-p', path.join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', outDir],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) {
    console.error(`build failed: tsc exited with ${result.status ?? result.signal}`);
    process.exit(1);
  }
  const assets = copyAssets(SRC_DIR, outDir);
  const where = path.relative(REPO_ROOT, outDir);
  console.log(`built ${where}/ (${assets} assets copied) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main();
