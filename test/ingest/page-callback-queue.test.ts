/**
 * Parsed pages reach their layout callback one per turn of the event loop, so a burst of pages from the parse
 * threads lets other callbacks (an HTTP request, a timer) run in between instead of waiting for all of them.
 */
import { describe, expect, it } from 'vitest';
import { PageCallbackQueue } from '../../src/ingest/extract-pages.js';
import type { RawPage } from '../../src/ingest/run-parse-worker.js';

const page = (pageNumber: number): RawPage => ({
  pageNumber,
  width: 612,
  height: 792,
  items: [],
  textChars: 0,
  image: null,
});

describe('page callback queue', () => {
  it('lets callbacks queued behind a burst of pages run between them, in page order', async () => {
    const order: string[] = [];
    const queue = new PageCallbackQueue((p) => order.push(`page ${p.pageNumber}`));
    for (const n of [1, 2, 3]) queue.push(page(n));
    setImmediate(() => order.push('other work'));
    await queue.drained();
    expect(order).toEqual(['page 1', 'other work', 'page 2', 'page 3']);
  });

  it('reports the first error a callback throws once the queue is drained, and handles no page after it', async () => {
    const seen: number[] = [];
    const queue = new PageCallbackQueue((p) => {
      seen.push(p.pageNumber);
      if (p.pageNumber === 2) throw new Error('layout failed');
    });
    for (const n of [1, 2, 3]) queue.push(page(n));
    await expect(queue.drained()).rejects.toThrow('layout failed');
    expect(seen).toEqual([1, 2]);
    expect(queue.failed).toBeInstanceOf(Error);
  });

  it('is drained at once when nothing was pushed', async () => {
    await expect(new PageCallbackQueue(() => undefined).drained()).resolves.toBeUndefined();
  });
});
