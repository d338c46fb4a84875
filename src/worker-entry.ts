/**
 * Start a worker thread whose entry is a TypeScript module, whether this process runs the compiled build or
 * the sources. `npm start` runs dist/**.js (tsc output), where the entry `x.ts` is compiled to its `.js`
 * sibling and starts like any module. Tests, the CLIs and the benchmarks run src/**.ts through tsx, whose
 * loader a worker thread does not inherit on Node 20 (neither from the parent's `--import tsx` nor from
 * `execArgv`: measured, the thread fails with ERR_UNKNOWN_FILE_EXTENSION), so from the sources the thread
 * starts with a two-line bootstrap that registers tsx in the thread and then imports the entry.
 *
 *   const worker = startWorkerThread(import.meta.url, './analysis-worker', { workerData, resourceLimits });
 *
 * The entry reads `workerData` and `parentPort` from node:worker_threads as usual; only `eval` cannot be
 * used in `options`. Plain-JavaScript entries (`.mjs`, like src/ingest/parse-worker.mjs) need none of
 * this: the build copies them into dist/ unchanged, so `new Worker(new URL('./x.mjs', import.meta.url))`
 * finds them from either tree.
 */
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export interface WorkerEntry {
  /** The entry file: `<name>.ts` next to a TypeScript caller, `<name>.js` next to a compiled one. */
  url: URL;
  /** True when the caller is a TypeScript source (so the thread needs tsx's loader). */
  fromSources: boolean;
}

/**
 * Resolve the worker entry `relativePath` (without extension, e.g. `'./analysis-worker'`) next to the module
 * whose `import.meta.url` is `callerUrl`.
 */
export function resolveWorkerEntry(callerUrl: string, relativePath: string): WorkerEntry {
  if (/\.[cm]?[jt]s$/.test(relativePath)) {
    throw new Error(
      `a worker entry is named without its extension, which differs between src/ and dist/ (got ${relativePath})`,
    );
  }
  const fromSources = fileURLToPath(callerUrl).endsWith('.ts');
  return { url: new URL(`${relativePath}${fromSources ? '.ts' : '.js'}`, callerUrl), fromSources };
}

/** `new Worker(entry, options)` for the entry `relativePath` next to `callerUrl` (see the file comment). */
export function startWorkerThread(
  callerUrl: string,
  relativePath: string,
  options: Omit<WorkerOptions, 'eval'> = {},
): Worker {
  const entry = resolveWorkerEntry(callerUrl, relativePath);
  if (!entry.fromSources) return new Worker(entry.url, options);
  // Resolved here, so the thread needs no module resolution of its own to find tsx. (tsx's CommonJS API
  // cannot be used: its register() resolves its own hooks against the eval'd script and fails.)
  const tsxApiUrl = import.meta.resolve('tsx/esm/api');
  // An eval'd worker runs as a CommonJS script; dynamic import() still loads ES modules. A failure to load
  // the entry rejects unhandled, which ends the thread with an 'error' event carrying the cause, exactly
  // like a failing file entry.
  const bootstrap = `import(${JSON.stringify(tsxApiUrl)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
