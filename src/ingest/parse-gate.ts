/**
 * One process-wide gate in front of every PDF parse (uploads, estimates, runs, the CLI): at most
 * PARSE_CONCURRENCY documents are read at once, and together they may need at most PARSE_MEMORY_BUDGET_MB,
 * estimated as twice what their streams inflate to (measured by the lead parse worker before pdf.js opens
 * the file, see parse-worker.mjs). A 200 KB file can inflate to 200 MB inside pdf.js, outside the worker's
 * heap limit, so without this six small uploads at once took the process to 1.8 GB.
 *
 * Requests wait in a short FIFO queue; an HTTP caller waits at most PARSE_QUEUE_TIMEOUT_MS and then gets
 * 503 SERVER_BUSY with Retry-After (the load is momentary). A document that alone inflates to more than
 * the whole budget can never be read here: 422 PDF_TOO_COMPLEX. Background runs wait as long as it takes.
 */
import { AppError } from '../errors.js';

// A parse takes up to about twice its document's inflated content in RSS (pdf.js's decode buffers grow by
// doubling): one 200 MB-inflating page took a server from 96 to 417 MB (issue 12) and from 246 to 644 MB
// (test/api/upload-memory.test.ts). With the default 512 MB budget, a document of 256 MB (the largest single
// stream allowed) still fits, alone.
const PARSE_MEMORY_PER_INFLATED_BYTE = 2;

/** Memory a parse needs, estimated from what its streams inflate to (as measured by the lead parse worker). */
export function estimateParseMemoryBytes(inflatedBytes: number): number {
  return Math.ceil(inflatedBytes * PARSE_MEMORY_PER_INFLATED_BYTE);
}

// A typical specification is read in a few seconds: a refused client should come back after about one parse.
export const SERVER_BUSY_RETRY_AFTER_S = 5;

export interface ParseGateLimits {
  concurrency: number;
  memoryBudgetBytes: number;
}

export interface AcquireParseOptions {
  limits: ParseGateLimits;
  /** Longest wait for a slot and then for memory, together; undefined = wait until there is room. */
  queueTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface ParsePermit {
  /**
   * Reserve `bytes` of the memory budget for the document's first reader: waits (within the same deadline
   * as the slot) while other parses hold the budget; PDF_TOO_COMPLEX if it exceeds the whole budget.
   */
  reserve(bytes: number): Promise<void>;
  /** Reserve for a further reader of the same document only if it fits now (never waits, never jumps the queue). */
  tryReserve(bytes: number): boolean;
  /** Give back the slot and every byte reserved through this permit. Idempotent. */
  release(): void;
}

export interface ParseGateStats {
  active: number;
  queued: number;
  reservedBytes: number;
}

interface Waiter {
  grant: () => void;
  fail: (err: AppError) => void;
}

interface ByteWaiter extends Waiter {
  bytes: number;
}

export class ParseGate {
  #limits: ParseGateLimits = { concurrency: Number.POSITIVE_INFINITY, memoryBudgetBytes: Number.POSITIVE_INFINITY };
  #active = 0;
  #reservedBytes = 0;
  #slotWaiters: Waiter[] = [];
  #byteWaiters: ByteWaiter[] = [];

  /** Wait for a parse slot. The limits come from the caller's config (one config per process in production). */
  async acquire(options: AcquireParseOptions): Promise<ParsePermit> {
    this.#limits = options.limits;
    const deadline = options.queueTimeoutMs === undefined ? null : Date.now() + options.queueTimeoutMs;
    if (this.#active < this.#limits.concurrency && this.#slotWaiters.length === 0) this.#active++;
    else
      await this.#wait(
        this.#slotWaiters,
        { grant: () => undefined, fail: () => undefined },
        deadline,
        options.signal,
        'a free parse slot',
      );

    let released = false;
    let held = 0;
    // A reservation still queued when the parse ends (its worker failed or was cancelled) must leave the queue,
    // or it would be granted later to nobody and its bytes never given back.
    let pending: ByteWaiter | null = null;
    return {
      reserve: async (bytes) => {
        if (released) throw new AppError('RUN_ABORTED', 'Reading the PDF was stopped.');
        if (bytes > this.#limits.memoryBudgetBytes) {
          throw new AppError(
            'PDF_TOO_COMPLEX',
            `Reading this PDF needs about ${formatMb(bytes)} for its compressed content; this server reads at most ${formatMb(this.#limits.memoryBudgetBytes)} at once (PARSE_MEMORY_BUDGET_MB).`,
          );
        }
        if (this.#byteWaiters.length === 0 && this.#reservedBytes + bytes <= this.#limits.memoryBudgetBytes) {
          this.#reservedBytes += bytes;
        } else {
          pending = { bytes, grant: () => undefined, fail: () => undefined };
          try {
            await this.#wait(this.#byteWaiters, pending, deadline, options.signal, 'memory to read it');
          } finally {
            pending = null;
          }
          if (released) {
            // Granted just as the parse ended: give the bytes straight back.
            this.#reservedBytes -= bytes;
            this.#pump();
            throw new AppError('RUN_ABORTED', 'Reading the PDF was stopped.');
          }
        }
        held += bytes;
      },
      tryReserve: (bytes) => {
        if (released || this.#byteWaiters.length > 0 || this.#reservedBytes + bytes > this.#limits.memoryBudgetBytes)
          return false;
        this.#reservedBytes += bytes;
        held += bytes;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        pending?.fail(new AppError('RUN_ABORTED', 'Reading the PDF was stopped.'));
        this.#active--;
        this.#reservedBytes -= held;
        held = 0;
        this.#pump();
      },
    };
  }

  stats(): ParseGateStats {
    return {
      active: this.#active,
      queued: this.#slotWaiters.length + this.#byteWaiters.length,
      reservedBytes: this.#reservedBytes,
    };
  }

  /** Queue a waiter; the pump grants it (taking the slot or bytes on its behalf) or the deadline/abort fails it. */
  #wait<W extends Waiter>(
    queue: W[],
    waiter: W,
    deadline: number | null,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AppError('RUN_ABORTED', 'Reading the PDF was stopped.'));
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
      };
      const onAbort = () => {
        leave();
        reject(new AppError('RUN_ABORTED', 'Reading the PDF was stopped.'));
        this.#pump(); // a waiter that left may have been blocking the head of the queue
      };
      waiter.grant = () => {
        leave();
        resolve();
      };
      waiter.fail = (err) => {
        leave();
        reject(err);
      };
      queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (deadline !== null) {
        timer = setTimeout(
          () => {
            waiter.fail(
              new AppError(
                'SERVER_BUSY',
                `The server is busy reading other PDFs and had no room for this one (waited for ${what}); try again in a few seconds.`,
                {
                  retryAfterSeconds: SERVER_BUSY_RETRY_AFTER_S,
                },
              ),
            );
            this.#pump();
          },
          Math.max(0, deadline - Date.now()),
        );
      }
    });
  }

  /** Grant waiters in order while there is room (strict FIFO, so a large reservation is never starved). */
  #pump(): void {
    while (this.#byteWaiters.length > 0) {
      const head = this.#byteWaiters[0]!;
      if (this.#reservedBytes + head.bytes > this.#limits.memoryBudgetBytes) break;
      this.#reservedBytes += head.bytes;
      head.grant();
    }
    while (this.#slotWaiters.length > 0 && this.#active < this.#limits.concurrency) {
      this.#active++;
      this.#slotWaiters[0]!.grant();
    }
  }
}

function formatMb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/** The process's gate (parse workers, their memory and the cores are per-process resources). */
export const parseGate = new ParseGate();
