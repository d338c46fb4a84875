/**
 * Races between the run worker, stop requests and finalisation, each forced into the bad interleaving (a
 * barrier or a hook runs the competing step at exactly the wrong moment against the real database) rather
 * than hoped for with sleeps:
 *  - a stop of a queued run racing a claim: never an error, the run ends `partial` exactly once;
 *  - a claim in flight while RunWorker.stop() runs: released (lease cleared, not a failed attempt), not started;
 *  - a budget stop: `stop_reason='budget'` is part of the result's own fenced transaction.
 */
import { afterEach, expect, it } from 'vitest';
import { createSession } from '../../src/db/queries/create-session.js';
import { selectEvents } from '../../src/db/queries/events.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { makeQuestionConfig, makeSessionInput } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { startFakeLlmServer, createPlantedAnswerHandler, type FakeLlmServer } from '../helpers/fake-llm-server.js';
import { claimNextRun, type ClaimedRun } from '../../src/db/queries/runs.js';
import { stopRun } from '../../src/jobs/stop-run.js';
import { executeRun } from '../../src/jobs/execute-run.js';
import { RunWorker } from '../../src/jobs/run-worker.js';
import type { Database } from '../../src/db/database.js';
import type { IngestedPage } from '../../src/ingest/types.js';

const LEASE_MS = 20_000;

interface RunRow {
  status: string;
  lease_owner: string | null;
  failed_attempts: number;
  attempt: number;
  stop_reason: string | null;
}

async function readRow(db: Database, id: string): Promise<RunRow> {
  const r = await db.query<RunRow>(
    'SELECT status, lease_owner, failed_attempts, attempt, stop_reason FROM sessions WHERE session_id = $1',
    [id],
  );
  return r.rows[0]!;
}

function pagesOf(texts: string[]): IngestedPage[] {
  return texts.map((text, i) => ({
    pageNumber: i + 1,
    label: null,
    text,
    boilerplateLines: [],
    ocr: false,
    ocrConfidence: null,
  }));
}

/** A promise resolved from outside: the barrier a test holds a step at. */
function barrier(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** Run one claimed attempt to its end in "another process" (its own abort signal, no shutdown). */
async function executeElsewhere(t: TestApp, claimed: ClaimedRun, onFinished?: () => void): Promise<void> {
  const controller = new AbortController();
  await executeRun(
    {
      ctx: t.ctx,
      createEngine: t.ctx.createEngine,
      log: t.app.log,
      signal: controller.signal,
      abortReason: () => null,
      onFinished,
    },
    claimed,
  );
}

describeEachDatabase('run races, forced', ({ db }) => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  it('a stop of a queued run racing a claim never fails and ends the run partial once (claim right after the takeover)', async () => {
    t = await createTestApp(db(), { WORKER_ENABLED: 'false', LEASE_MS: String(LEASE_MS) });
    const session = await createSession(t.ctx.db, makeSessionInput());
    expect(session.status).toBe('queued');

    let claimedBetween: ClaimedRun | null | 'not tried' = 'not tried';
    const outcome = await stopRun(t.ctx, session.id, {
      // Another process's worker polls right after the stop took the row over for finalising.
      afterTakeOver: async () => {
        claimedBetween = await claimNextRun(db(), 'another-process', LEASE_MS);
      },
    });

    expect(claimedBetween).toBeNull(); // the row being finalised is not claimable
    expect(outcome).toMatchObject({ status: 'partial', alreadyFinished: false });
    const row = await readRow(db(), session.id);
    expect(row).toMatchObject({ status: 'partial', lease_owner: null, failed_attempts: 0 });
    const events = await selectEvents(t.ctx.db, session.id);
    expect(events.filter((e) => e.event === 'analysis_stopped')).toHaveLength(1);
    // Nothing is left for a worker to pick up.
    expect(await claimNextRun(db(), 'another-process', LEASE_MS)).toBeNull();
  });

  it('a stop of a queued run racing a claim never fails and ends the run partial once (claim between the stop request and the takeover)', async () => {
    t = await createTestApp(db(), { WORKER_ENABLED: 'false', LEASE_MS: String(LEASE_MS) });
    const app = t;
    const session = await createSession(app.ctx.db, makeSessionInput());
    let elsewhere: Promise<void> | null = null;
    const outcome = await stopRun(app.ctx, session.id, {
      // Another process claims the run after the stop request was marked, before this process takes it over.
      afterStopRequested: async () => {
        const claimed = await claimNextRun(db(), 'another-process', LEASE_MS);
        expect(claimed).toMatchObject({ id: session.id, attempt: 1 });
        expect(claimed?.stopRequestedAt).not.toBeNull();
        // The claimer sees the stop request and finalises the run itself.
        elsewhere = executeElsewhere(app, claimed!);
      },
    });
    await elsewhere;
    expect(outcome).toMatchObject({ status: 'partial', alreadyFinished: false });
    const events = await selectEvents(app.ctx.db, session.id);
    expect(events.filter((e) => e.event === 'analysis_stopped')).toHaveLength(1);
    expect(await readRow(db(), session.id)).toMatchObject({
      status: 'partial',
      lease_owner: null,
      failed_attempts: 0,
      attempt: 1,
    });
  });

  it('a run claimed while RunWorker.stop() is under way is released (lease cleared, not a failed attempt) and never started', async () => {
    t = await createTestApp(db(), { WORKER_ENABLED: 'false', LEASE_MS: String(LEASE_MS) });
    const session = await createSession(t.ctx.db, makeSessionInput());
    const claimedInFlight = barrier();
    const holdClaim = barrier();
    const worker = new RunWorker({
      ctx: t.ctx,
      createEngine: t.ctx.createEngine,
      log: t.app.log,
      // The claim query commits, then its answer is held until stop() has begun.
      claimRun: async (...args) => {
        const claimed = await claimNextRun(...args);
        if (claimed) {
          claimedInFlight.open();
          await holdClaim.wait;
        }
        return claimed;
      },
    });
    worker.start();
    await claimedInFlight.wait;
    expect(await readRow(db(), session.id)).toMatchObject({
      status: 'active',
      lease_owner: t.ctx.instanceId,
      attempt: 1,
    });

    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false); // stop() waits for the claim in flight
    holdClaim.open();
    await stopping;

    expect(worker.activeCount).toBe(0);
    expect(await readRow(db(), session.id)).toMatchObject({
      status: 'active',
      lease_owner: null,
      failed_attempts: 0,
      attempt: 1,
    });
    expect(await selectEvents(t.ctx.db, session.id)).toHaveLength(0); // never started
    // The next process claims it at once, and the released claim is not counted as a failure.
    const next = await claimNextRun(db(), 'next-process', LEASE_MS);
    expect(next).toMatchObject({ id: session.id, attempt: 2, failedAttempts: 0 });
  });
});

describeEachDatabase('a budget stop', ({ db }) => {
  let t: TestApp | null = null;
  let fake: FakeLlmServer | null = null;
  afterEach(async () => {
    await t?.close();
    await fake?.close();
    t = null;
    fake = null;
  });

  it('records stop_reason=budget in the result’s own transaction', async () => {
    fake = await startFakeLlmServer({ handler: createPlantedAnswerHandler({}) });
    t = await createTestApp(db(), {
      WORKER_ENABLED: 'false',
      LLM_BASE_URL: fake.url,
      LLM_API_KEY: 'test',
      LLM_MODEL: 'gpt-4o-mini', // priced, so the cap applies
      MAX_COST_USD: '0.000001', // below the estimate of any unit: the run stops on budget before its first call
    });
    const config = makeQuestionConfig(1, 2);
    const pages = pagesOf([
      'Question 1 of section 1 is answered here: the liner is 6 mm.',
      'Question 2 of section 1: the bond is 5 percent.',
    ]);
    const session = await createSession(
      t.ctx.db,
      makeSessionInput({
        engine: 'llm',
        model: 'gpt-4o-mini',
        config,
        totalPages: 2,
        document: { bytes: new Uint8Array([1]), pageCount: 2, pages },
      }),
    );
    // Look at the row the instant the result's transaction has committed (onFinished is called right after it).
    let atCommit: Promise<RunRow | null> | null = null;
    const onFinished = () => {
      atCommit = readRow(db(), session.id);
    };

    const claimed = await claimNextRun(db(), t.ctx.instanceId, LEASE_MS);
    expect(claimed?.id).toBe(session.id);
    await executeElsewhere(t, claimed!, onFinished);

    expect(await atCommit).toMatchObject({ status: 'partial', stop_reason: 'budget' });
    expect(await readRow(db(), session.id)).toMatchObject({
      status: 'partial',
      stop_reason: 'budget',
      failed_attempts: 0,
    });
    expect(fake.requests).toHaveLength(0);
    const r = await t.app.inject({ method: 'GET', url: `/api/results/${session.id}` });
    expect((r.json() as { session: { stop_reason: string } }).session.stop_reason).toBe('budget');
  });
});
