import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnTs, startServerProcess } from '../helpers/processes.js';
import { createEmptyPostgresDatabase, postgresAvailable } from '../helpers/databases.js';

/**
 * The founding regression: the old system lost every finished analysis when a worker restarted.
 * Write sessions and results in one process, kill it (SIGKILL, no goodbye), start the real server on the
 * same data, stop it, and read everything back from a brand-new process — on both backends.
 */
const backends = [
  { kind: 'pglite', run: true },
  { kind: 'postgres', run: postgresAvailable() },
] as const;

for (const backend of backends) {
  (backend.run ? describe : describe.skip)(`persistence across processes [${backend.kind}]`, () => {
    const cleanups: Array<() => Promise<void> | void> = [];
    afterAll(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    it('reads back every session, result, answer and event after the writer is killed and a server restarts on the same data', async () => {
      let env: NodeJS.ProcessEnv;
      if (backend.kind === 'pglite') {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-restart-'));
        cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
        env = { PGLITE_DIR: path.join(dir, 'pglite'), DATA_DIR: dir, DATABASE_URL: '' };
      } else {
        const pgdb = await createEmptyPostgresDatabase();
        cleanups.push(pgdb.drop);
        env = { DATABASE_URL: pgdb.url };
      }

      const writer = spawnTs('test/db/store-child.ts', ['write'], env);
      cleanups.push(() => writer.kill());
      const line = await writer.waitForLine(/^WRITTEN /, 90_000);
      const ids = JSON.parse(line.slice('WRITTEN '.length)) as string[];
      writer.kill('SIGKILL');
      await writer.exited;

      // The real server starts on the same data (taking over the stale PGlite lock), serves /ready, stops cleanly.
      const server = await startServerProcess(env, 90_000);
      cleanups.push(() => server.kill());
      const ready = await fetch(`${server.baseUrl}/ready`);
      expect(ready.status).toBe(200);
      server.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);

      const reader = spawnTs('test/db/store-child.ts', ['read', ...ids], env);
      cleanups.push(() => reader.kill());
      const readLine = await reader.waitForLine(/^READ /, 90_000);
      const read = JSON.parse(readLine.slice('READ '.length)) as Array<{
        session: { id: string; status: string; pdfFilename: string };
        result: { resultData: { document_name: string; sections: unknown[] } } | null;
        answers: Array<{ question_id: string; pages: number[] }>;
        events: Array<{ event: string; index: number }>;
      }>;
      expect(read.map((r) => r.session.id)).toEqual(ids);
      expect(read.map((r) => r.session.status)).toEqual(['completed', 'partial', 'active']);
      expect(read[0]!.result?.resultData.document_name).toBe('restart-0.pdf');
      expect(read[1]!.result?.resultData.sections).toHaveLength(2);
      expect(read[2]!.result).toBeNull();
      read.forEach((r, i) => {
        expect(r.answers).toEqual([expect.objectContaining({ question_id: 'Q1', pages: [i + 1, i + 2] })]);
        expect(r.events.map((e) => e.event)).toContain('analysis_started');
      });
    }, 240_000); // three processes, each opening (and on first use creating) an embedded database
  });
}
