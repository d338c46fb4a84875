/**
 * A pass is a run: when the process running a re-run dies mid-pass (its lease is lost: it stops heartbeating,
 * never releases), another worker claims the session once the lease expires and continues the pass from its
 * checkpoints — not the whole document, and not the pass's finished units again — on both backends.
 * The "dead" process is an attempt executed here whose engine blocks in its second unit; the test then
 * claims the expired run as another process would and runs it to the end.
 */
import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.js';
import { createTestApp, multipart, waitForTerminal, type TestApp } from '../helpers/test-app.js';
import { waitUntil, STOPPED_WITHIN_MS } from '../helpers/bounded-wait.js';
import { createPlantedSpec, isStrictlyIncreasing } from './durability-harness.js';
import { claimNextRun, type ClaimedRun } from '../../src/db/queries/runs.js';
import { executeRun, type AbortReason } from '../../src/jobs/execute-run.js';
import type { CreateEngine } from '../../src/analysis/create-engine.js';

// The dead process's lease: short, so the takeover does not wait long (not a speed claim).
const DEAD_LEASE_MS = 500;
const LIVE_LEASE_MS = 20_000;

interface AskedUnit {
  attempt: number;
  unitSection: string;
}

describeEachDatabase('a pass resumed after its lease is lost', ({ db }) => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  it('another worker continues the pass from its checkpoints, asks no finished unit again, and completes the session', async () => {
    // No run worker (the test is the workers) and engines on this thread, so the test sees every unit asked.
    t = await createTestApp(db(), { WORKER_ENABLED: 'false', ANALYSIS_THREADS: '0', LEASE_MS: String(LIVE_LEASE_MS) });
    const app = t;
    const spec = await createPlantedSpec(3, 2);
    const asked: AskedUnit[] = [];
    let attemptNow = 0;
    let blockSecondUnit = false;
    let blocked = false;
    // The session's engine, recording each unit it is asked; while blockSecondUnit, the second unit blocks until
    // aborted.
    const engines: CreateEngine = (name, options) => {
      const engine = app.ctx.createEngine(name, options);
      const answerUnit = engine.answerUnit.bind(engine);
      let units = 0;
      engine.answerUnit = async (unit, opts) => {
        asked.push({ attempt: attemptNow, unitSection: unit.section.section_id });
        units++;
        if (blockSecondUnit && units === 2) {
          blocked = true;
          await new Promise<never>((_, reject) =>
            opts?.signal?.addEventListener('abort', () => reject(new Error('process died')), { once: true }),
          );
        }
        return answerUnit(unit, opts);
      };
      return engine;
    };
    const execute = async (claimed: ClaimedRun, controller: AbortController, reason: () => AbortReason | null) => {
      attemptNow = claimed.attempt;
      await executeRun(
        { ctx: app.ctx, createEngine: engines, log: app.app.log, signal: controller.signal, abortReason: reason },
        claimed,
      );
    };

    // The original run, to completion.
    const m = multipart([
      { name: 'file', filename: 'spec.pdf', content: spec.pdf, type: 'application/pdf' },
      { name: 'config', filename: 'q.json', content: JSON.stringify(spec.config), type: 'application/json' },
    ]);
    const id = (
      await app.app.inject({ method: 'POST', url: '/api/analyze', payload: m.payload, headers: m.headers })
    ).json().session_id as string;
    const first = await claimNextRun(db(), 'process-a', LIVE_LEASE_MS);
    expect(first?.id).toBe(id);
    await execute(first!, new AbortController(), () => null);
    const original = (await waitForTerminal(app.app, id, 5_000)) as {
      status: string;
      result: { sections: Array<{ questions: Array<{ question_id: string; answer: string | null }> }> };
    };
    expect(original.status).toBe('completed');
    expect(asked.map((a) => a.unitSection)).toEqual(['section_1', 'section_2', 'section_3']);
    asked.length = 0;

    // A pass over one question of each of two sections: two units.
    const r = await app.app.inject({
      method: 'POST',
      url: `/api/rerun/${id}`,
      payload: { question_ids: ['S1Q1', 'S3Q2'] },
    });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ pass: 2 });
    const eventsBefore = (await app.app.inject({ method: 'GET', url: `/api/events/${id}` })).json()
      .last_index as number;

    // Process B claims the pass with a short lease, checkpoints its first unit, and dies in its second.
    blockSecondUnit = true;
    const doomed = await claimNextRun(db(), 'process-b', DEAD_LEASE_MS);
    expect(doomed).toMatchObject({ id, attempt: 2, status: 'active', currentPass: 2 });
    const dying = new AbortController();
    let dyingReason: AbortReason | null = null;
    const dead = execute(doomed!, dying, () => dyingReason);
    await waitUntil(() => blocked, STOPPED_WITHIN_MS, 'the doomed attempt to block in its second unit');
    const checkpoints = async () =>
      (
        await db().query<{ unit_key: string; attempt: number }>(
          'SELECT unit_key, attempt FROM run_checkpoints WHERE session_id = $1 AND unit_key LIKE $2 ORDER BY unit_key',
          [id, 'pass2:%'],
        )
      ).rows;
    expect(await checkpoints()).toEqual([{ unit_key: 'pass2:extractive:section_1', attempt: 2 }]);

    // Its lease expires; process C's worker claims the run (a takeover: one failed attempt) and resumes the pass.
    blockSecondUnit = false;
    const resumed = await waitUntil(
      async () =>
        (
          await db().query<{ expired: boolean }>(
            'SELECT lease_expires_at < now() AS expired FROM sessions WHERE session_id = $1',
            [id],
          )
        ).rows[0]!.expired,
      STOPPED_WITHIN_MS,
      'the dead lease to expire',
    ).then(() => claimNextRun(db(), 'process-c', LIVE_LEASE_MS));
    expect(resumed).toMatchObject({ id, attempt: 3, currentPass: 2, failedAttempts: 1 });
    // The dead process's attempt is fenced out: whatever it still does changes nothing.
    dyingReason = 'lease-lost';
    dying.abort();
    await dead;
    await execute(resumed!, new AbortController(), () => null);

    const done = (await app.app.inject({ method: 'GET', url: `/api/results/${id}` })).json() as typeof original & {
      statistics: { total_questions: number };
    };
    expect(done.status).toBe('completed');
    expect(done.statistics.total_questions).toBe(6);
    // Attempt 2 asked section 1 and (blocked in) section 3; attempt 3 asked only section 3: never the whole document.
    expect(asked).toEqual([
      { attempt: 2, unitSection: 'section_1' },
      { attempt: 2, unitSection: 'section_3' },
      { attempt: 3, unitSection: 'section_3' },
    ]);
    expect(await checkpoints()).toEqual([
      { unit_key: 'pass2:extractive:section_1', attempt: 2 },
      { unit_key: 'pass2:extractive:section_3', attempt: 3 },
    ]);
    // Every answer is the same as before (same engine, same document), and S1Q1/S3Q2 now come from pass 2.
    const answers = (body: typeof original) =>
      Object.fromEntries(body.result.sections.flatMap((s) => s.questions.map((q) => [q.question_id, q.answer])));
    expect(answers(done)).toEqual(answers(original));
    const history = (await app.app.inject({ method: 'GET', url: `/api/rerun/${id}` })).json() as {
      history: Array<{ question_id: string; pass: number; current: boolean }>;
      passes: Array<{ pass: number; status: string; started_at: string | null }>;
    };
    const current = Object.fromEntries(history.history.filter((h) => h.current).map((h) => [h.question_id, h.pass]));
    expect(current).toEqual({ S1Q1: 2, S1Q2: 1, S2Q1: 1, S2Q2: 1, S3Q1: 1, S3Q2: 2 });
    expect(history.passes.map((p) => [p.pass, p.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
    ]);

    // The pass's events: one log, increasing, both attempts, one end.
    const events = (await app.app.inject({ method: 'GET', url: `/api/events/${id}?last_index=${eventsBefore}` })).json()
      .events as Array<{ event: string; index: number; pass?: number; attempt?: number }>;
    expect(isStrictlyIncreasing(events.map((e) => e.index))).toBe(true);
    expect(events.every((e) => e.pass === 2)).toBe(true);
    expect(new Set(events.map((e) => e.attempt).filter((a) => a !== undefined))).toEqual(new Set([2, 3]));
    expect(events.filter((e) => e.event === 'analysis_started').map((e) => e.attempt)).toEqual([2, 3]);
    expect(events.filter((e) => e.event === 'analysis_complete')).toHaveLength(1);
    expect(events.at(-1)?.event).toBe('analysis_complete');
  });
});
