/**
 * Offline OCR for pages without a text layer: one tesseract.js worker per document, reused page after page
 * and terminated at the end. Language data comes from the @tesseract.js-data/eng package on disk, never
 * from the network (without a local langPath tesseract.js downloads from a CDN, which offline either hangs
 * or kills the process).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createWorker, OEM, type Worker as TesseractWorker } from 'tesseract.js';

export interface OcrPageResult {
  text: string;
  /** Mean word confidence, 0..1. */
  confidence: number;
}

export interface OcrSession {
  /** OCR one PNG; null when the page time limit or the document time limit was hit or OCR failed. */
  recognize(png: Uint8Array): Promise<OcrPageResult | null>;
  /** Milliseconds spent in OCR so far (including starting the engine). */
  elapsedMs(): number;
  close(): Promise<void>;
}

export interface OcrSessionOptions {
  pageTimeoutMs: number;
  documentTimeoutMs: number;
}

const require = createRequire(import.meta.url);

/** Folder holding eng.traineddata(.gz) for the LSTM engine, and whether the file is gzipped. */
export function resolveLanguageData(): { langPath: string; gzip: boolean } {
  const root = path.dirname(require.resolve('@tesseract.js-data/eng/package.json'));
  // The LSTM-only "best_int" model matches OEM.LSTM_ONLY (tesseract.js's default core).
  for (const folder of ['4.0.0_best_int', '4.0.0']) {
    const dir = path.join(root, folder);
    if (existsSync(path.join(dir, 'eng.traineddata.gz'))) return { langPath: dir, gzip: true };
    if (existsSync(path.join(dir, 'eng.traineddata'))) return { langPath: dir, gzip: false };
  }
  throw new Error(`tesseract language data not found under ${root}`);
}

interface EngineHandle {
  engine: Promise<TesseractWorker>;
  stopped: boolean;
}

export function createOcrSession(options: OcrSessionOptions): OcrSession {
  let current: EngineHandle | null = null;
  let spentMs = 0;
  let closed = false;
  // Settles the page in progress early when the session is closed (abort, or parsing failed).
  let settleCurrent: ((result: null) => void) | null = null;

  const start = (): EngineHandle => {
    const { langPath, gzip } = resolveLanguageData();
    const engine = createWorker('eng', OEM.LSTM_ONLY, {
      langPath,
      gzip,
      // Read straight from the package folder; never write a cache file next to the server's cwd.
      cacheMethod: 'none',
      // Without a handler tesseract.js rethrows worker errors, which would take the whole server down.
      errorHandler: () => undefined,
    });
    engine.catch(() => undefined); // failures surface through the recognize() that awaits it
    return { engine, stopped: false };
  };

  const stop = async () => {
    const handle = current;
    current = null;
    if (!handle) return;
    handle.stopped = true;
    const engine = await handle.engine.catch(() => null);
    if (!engine) return;
    // recognize() posts its job a few microtasks after it is called (it awaits loadImage first); posting to
    // a terminated tesseract worker is an unhandled rejection inside tesseract.js, so let that happen first.
    await new Promise((resolve) => setImmediate(resolve));
    await engine.terminate().catch(() => undefined);
  };

  return {
    async recognize(png) {
      if (closed) return null;
      const remainingMs = options.documentTimeoutMs - spentMs;
      if (remainingMs <= 0) return null;
      const limitMs = Math.min(options.pageTimeoutMs, remainingMs);
      const startedAt = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const handle = (current ??= start());
        const timeout = new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), limitMs);
          settleCurrent = resolve;
        });
        const work = handle.engine.then(async (engine): Promise<OcrPageResult | null> => {
          if (handle.stopped) return null;
          const { data } = await engine.recognize(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
          return { text: data.text ?? '', confidence: Math.max(0, Math.min(1, (data.confidence ?? 0) / 100)) };
        });
        work.catch(() => undefined);
        const result = await Promise.race([work, timeout]);
        // The engine cannot be interrupted mid-page: on time-out it is replaced for the next page.
        if (result === null) await stop();
        return result;
      } catch {
        await stop();
        return null;
      } finally {
        settleCurrent = null;
        clearTimeout(timer);
        spentMs += performance.now() - startedAt;
      }
    },
    elapsedMs: () => spentMs,
    close: async () => {
      closed = true;
      settleCurrent?.(null);
      await stop();
    },
  };
}
