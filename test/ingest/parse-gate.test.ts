import { afterEach, describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config.js';
import { isAppError } from '../../src/errors.js';
import { ingestOptionsFromConfig } from '../../src/ingest/ingest-options.js';
import { ingestPdf, inspectPdf } from '../../src/ingest/index.js';
import { parseGate, ParseGate } from '../../src/ingest/parse-gate.js';
import { deflateSync } from 'node:zlib';
import { assemblePdf, createFlateBombPdf, createTextPdf } from '../helpers/pdf-factory.js';

const MB = 1024 * 1024;
const limits = (concurrency: number, budgetMb: number) => ({ concurrency, memoryBudgetBytes: budgetMb * MB });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isAppError(err) ? err.code : `unexpected: ${String(err)}`;
  }
}

/** Resolves once the gate has `n` waiters (bounded: a wait that never comes fails the test). */
async function waitForQueued(gate: ParseGate, n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (gate.stats().queued < n) {
    if (Date.now() > deadline) throw new Error(`gate never had ${n} waiters: ${JSON.stringify(gate.stats())}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the parse gate', () => {
  afterEach(() => {
    expect(parseGate.stats()).toEqual({ active: 0, queued: 0, reservedBytes: 0 });
  });

  it('hands out slots first come, first served, and a waiter goes ahead as soon as a slot is released', async () => {
    const gate = new ParseGate();
    const first = await gate.acquire({ limits: limits(1, 64) });
    const order: string[] = [];
    const second = gate.acquire({ limits: limits(1, 64) }).then((p) => (order.push('second'), p));
    const third = gate.acquire({ limits: limits(1, 64) }).then((p) => (order.push('third'), p));
    await waitForQueued(gate, 2);
    first.release();
    (await second).release();
    (await third).release();
    expect(order).toEqual(['second', 'third']);
    expect(gate.stats()).toEqual({ active: 0, queued: 0, reservedBytes: 0 });
  });

  it('gives up a bounded wait with SERVER_BUSY and a Retry-After, and leaves the queue clean', async () => {
    const gate = new ParseGate();
    const held = await gate.acquire({ limits: limits(1, 64) });
    const err = await gate.acquire({ limits: limits(1, 64), queueTimeoutMs: 50 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAppError(err) && err.code).toBe('SERVER_BUSY');
    expect(isAppError(err) && err.retryAfterSeconds).toBeGreaterThan(0);
    expect(gate.stats().queued).toBe(0);
    held.release();
  });

  it('stops waiting when the caller aborts (a run being stopped)', async () => {
    const gate = new ParseGate();
    const held = await gate.acquire({ limits: limits(1, 64) });
    const controller = new AbortController();
    const waiting = codeOf(gate.acquire({ limits: limits(1, 64), signal: controller.signal }));
    await waitForQueued(gate, 1);
    controller.abort();
    expect(await waiting).toBe('RUN_ABORTED');
    held.release();
    expect(gate.stats()).toEqual({ active: 0, queued: 0, reservedBytes: 0 });
  });

  it('counts reserved bytes against the budget: a reservation waits for memory and never exceeds the budget', async () => {
    const gate = new ParseGate();
    const a = await gate.acquire({ limits: limits(2, 64) });
    const b = await gate.acquire({ limits: limits(2, 64) });
    await a.reserve(40 * MB);
    expect(b.tryReserve(40 * MB)).toBe(false);
    const waiting = b.reserve(40 * MB);
    await waitForQueued(gate, 1);
    expect(gate.stats().reservedBytes).toBe(40 * MB);
    a.release();
    await waiting;
    expect(gate.stats().reservedBytes).toBe(40 * MB);
    expect(await codeOf(b.reserve(65 * MB))).toBe('PDF_TOO_COMPLEX');
    b.release();
    expect(gate.stats()).toEqual({ active: 0, queued: 0, reservedBytes: 0 });
  });

  it('drops a reservation still waiting when its parse ends, so its bytes are never granted to nobody', async () => {
    const gate = new ParseGate();
    const a = await gate.acquire({ limits: limits(2, 64) });
    const b = await gate.acquire({ limits: limits(2, 64) });
    await a.reserve(60 * MB);
    const waiting = codeOf(b.reserve(10 * MB));
    await waitForQueued(gate, 1);
    b.release(); // b's reader failed while it waited for memory
    expect(await waiting).toBe('RUN_ABORTED');
    a.release();
    expect(gate.stats()).toEqual({ active: 0, queued: 0, reservedBytes: 0 });
  });
});

describe('parses through the process-wide gate', () => {
  const options = (env: Record<string, string>, boundedQueue: boolean) =>
    ingestOptionsFromConfig(testConfig({ OCR: 'off', ...env }), { boundedQueue });

  it('a background parse (no bounded queue) waits for a held slot as long as it takes, then reads the PDF', async () => {
    const pdf = await createTextPdf(['Bids are due on July 15, 2024.']);
    const held = await parseGate.acquire({ limits: limits(1, 512) });
    const parsing = ingestPdf(pdf, options({ PARSE_CONCURRENCY: '1', PARSE_QUEUE_TIMEOUT_MS: '0' }, false));
    await waitForQueued(parseGate, 1);
    held.release();
    const doc = await parsing;
    expect(doc.pages[0]!.text).toContain('July 15, 2024');
  });

  it('an upload waits for memory another parse holds and gets SERVER_BUSY when none comes free in time', async () => {
    const bomb = await createFlateBombPdf(24 * MB);
    const holder = await parseGate.acquire({ limits: limits(2, 64) });
    await holder.reserve(50 * MB);
    try {
      const env = { PARSE_CONCURRENCY: '2', PARSE_MEMORY_BUDGET_MB: '64', PARSE_QUEUE_TIMEOUT_MS: '1500' };
      expect(await codeOf(inspectPdf(bomb, options(env, true)))).toBe('SERVER_BUSY');
      // Released while the next one waits: it goes ahead and reads the document.
      const reading = inspectPdf(bomb, options({ ...env, PARSE_QUEUE_TIMEOUT_MS: '60000' }, true));
      await waitForQueued(parseGate, 1);
      holder.release();
      expect((await reading).pageCount).toBe(1);
    } finally {
      holder.release();
    }
  });

  it('refuses a document whose streams alone inflate past the budget with PDF_TOO_COMPLEX, holding nothing after', async () => {
    const bomb = await createFlateBombPdf(40 * MB);
    expect(await codeOf(ingestPdf(bomb, options({ PARSE_MEMORY_BUDGET_MB: '32' }, true)))).toBe('PDF_TOO_COMPLEX');
    expect(await codeOf(inspectPdf(bomb, options({ PARSE_MEMORY_BUDGET_MB: '32' }, true)))).toBe('PDF_TOO_COMPLEX');
  });

  it("counts a scan's images once (they are decoded a page at a time) but every other stream in full", async () => {
    // Three 12 MB streams: as images they need memory for the largest only; as content, for all three.
    const pixels = deflateSync(Buffer.alloc(12 * MB, 0xff));
    const streams = (dict: string) =>
      assemblePdf([
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >> >>',
        { dict, data: pixels },
        { dict, data: pixels },
        { dict, data: pixels },
      ]);
    const budget = options({ PARSE_MEMORY_BUDGET_MB: '32' }, true);
    const images = streams(
      `<< /Type /XObject /Subtype /Image /Width 4096 /Height 3072 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${pixels.length} /Filter /FlateDecode >>`,
    );
    expect((await inspectPdf(images, budget)).pageCount).toBe(1);
    const content = streams(`<< /Length ${pixels.length} /Filter /FlateDecode >>`);
    expect(await codeOf(inspectPdf(content, budget))).toBe('PDF_TOO_COMPLEX');
  });
});
