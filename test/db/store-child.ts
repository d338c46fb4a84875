/**
 * A separate process that writes to (or reads from) the session data (src/db/queries), for the founding regression
 * test:
 * write, get killed, and have a new process read everything back.
 * Usage: tsx test/db/store-child.ts write|read [ids...]   env: DATABASE_URL or PGLITE_DIR
 */
import { createPgDatabase } from '../../src/db/pg-database.js';
import { createPgliteDatabase } from '../../src/db/pglite-database.js';
import { migrate } from '../../src/db/migrate.js';
import { selectAnswers, storeAnswers } from '../../src/db/queries/answers.js';
import { createSession } from '../../src/db/queries/create-session.js';
import { appendEvent, selectEvents } from '../../src/db/queries/events.js';
import { selectResult, storeResult } from '../../src/db/queries/results.js';
import { selectSession, updateSessionStatus } from '../../src/db/queries/sessions.js';
import { toLegacyResult } from '../../src/analysis/build-result.js';
import { makeAnswer, makeSessionInput } from '../helpers/factories.js';
import { makeFullResult } from '../export/result-factory.js';

const [mode, ...ids] = process.argv.slice(2);
const db = process.env.DATABASE_URL
  ? createPgDatabase({
      url: process.env.DATABASE_URL,
      directUrl: null,
      poolMax: 2,
      statementTimeoutMs: 10_000,
      ssl: 'auto',
    })
  : await createPgliteDatabase({ dataDir: process.env.PGLITE_DIR! });
await migrate(db);

if (mode === 'write') {
  const written: string[] = [];
  for (let i = 0; i < 3; i++) {
    const s = await createSession(
      db,
      makeSessionInput({
        pdfFilename: `restart-${i}.pdf`,
        document: { bytes: new Uint8Array([37, 80, 68, 70, 45, i]), pageCount: 1 },
      }),
    );
    await updateSessionStatus(db, s.id, 'active');
    await storeAnswers(db, s.id, [makeAnswer('Q1', { pages: [i + 1, i + 2] })]);
    await appendEvent(db, s.id, 'analysis_started', {});
    if (i < 2) {
      const full = makeFullResult({ sections: 2, questionsPerSection: 3 });
      full.document_name = `restart-${i}.pdf`;
      await storeResult(db, s.id, {
        result: full,
        legacy: toLegacyResult(full),
        status: i === 0 ? 'completed' : 'partial',
        stats: { questionsAnswered: 4, totalQuestions: 6 },
      });
    }
    written.push(s.id);
  }
  console.log(`WRITTEN ${JSON.stringify(written)}`);
  // Stay alive: the test kills this process with SIGKILL, like a crash, without a graceful close.
  setInterval(() => undefined, 1000);
} else {
  const out = [];
  for (const id of ids) {
    out.push({
      session: await selectSession(db, id),
      result: await selectResult(db, id),
      answers: await selectAnswers(db, id),
      events: await selectEvents(db, id),
    });
  }
  console.log(`READ ${JSON.stringify(out)}`);
  await db.close();
}
