/**
 * One limit on concurrent LLM calls for the whole process: several runs (RUN_CONCURRENCY) share one API
 * account and its rate limits, so the limit cannot live inside a run. Limits are kept in a module-level
 * registry keyed by endpoint and size, so every engine created from the same config shares one.
 */
import { AppError } from '../../errors.js';

export class ConcurrencyLimit {
  readonly size: number;
  private active = 0;
  private readonly waiters: Array<{ grant: () => void }> = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${size}`);
    this.size = size;
  }

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Wait for a slot; resolves to a release function that must be called exactly once (extra calls are ignored).
   * An abort while waiting rejects with RUN_ABORTED and gives up the place in the queue.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new AppError('RUN_ABORTED'));
    const makeRelease = () => {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        this.releaseSlot();
      };
    };
    if (this.active < this.size) {
      this.active += 1;
      return Promise.resolve(makeRelease());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(makeRelease());
        },
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new AppError('RUN_ABORTED'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaseSlot(): void {
    const next = this.waiters.shift();
    // The slot passes straight to the next waiter, so `active` stays the same and no one can jump the queue.
    if (next) next.grant();
    else this.active -= 1;
  }
}

const sharedLimits = new Map<string, ConcurrencyLimit>();

/** The process-wide limit for an endpoint: same base URL and size → the same limit object. */
export function getSharedConcurrencyLimit(baseUrl: string, size: number): ConcurrencyLimit {
  const key = `${baseUrl}#${size}`;
  let limit = sharedLimits.get(key);
  if (!limit) {
    limit = new ConcurrencyLimit(size);
    sharedLimits.set(key, limit);
  }
  return limit;
}
