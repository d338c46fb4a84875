/**
 * Waiting for an event with a bound instead of asserting how fast it happened: a loaded machine may be many
 * times slower than an idle one, so bounds here are generous, and a test proves *that* something happens
 * (and, where it matters, that nothing but the cause under test could have made it happen in time — e.g. a
 * hung call that would otherwise last far longer than the bound). Speed itself is measured by `npm run bench`.
 */

/** Resolve (or reject) as `promise` does, or reject with a clear message once `boundMs` has passed. */
export async function settleWithin<T>(promise: Promise<T>, boundMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: did not happen within ${boundMs} ms`)), boundMs);
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** Poll `check` until it is true, or reject with a clear message once `boundMs` has passed. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  boundMs: number,
  what: string,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: did not happen within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// For tests of stopping something slow: the slow thing lasts HUNG_MS unless stopped, and the stop must take
// effect within STOPPED_WITHIN_MS. Ending at all before the bound can only be the stop's doing; how quickly a
// stop takes effect is a speed question, for the benchmarks.
export const HUNG_MS = 600_000;
export const STOPPED_WITHIN_MS = 60_000;

// OCR of one page takes ~1–3 s when idle, the first one including tesseract's start-up; on a machine at load 30
// it was measured above OCR_PAGE_TIMEOUT_MS's production default (30 s), so the page was given up and a test
// expecting its text failed. Tests that expect OCR to succeed allow this much per page.
export const OCR_PAGE_BOUND_MS = 300_000;
