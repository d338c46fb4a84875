import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.js';
import { createTestApp, multipart, waitForTerminal, type TestApp } from '../helpers/test-app.js';
import { createTextPdf } from '../helpers/pdf-factory.js';
import { runMaintenance } from '../../src/jobs/maintenance.js';

describeEachDatabase('retention', ({ db }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(db(), { PDF_RETENTION_DAYS: '30', EVENT_RETENTION_DAYS: '7' });
  });
  afterAll(async () => t?.close());

  it('deletes uploaded PDFs past PDF_RETENTION_DAYS and old events, while results, answers and exports stay', async () => {
    const pdf = await createTextPdf([
      'Bids are due on July 15, 2024.',
      'Liquidated damages shall be $1,500 per calendar day.',
    ]);
    const ids: string[] = [];
    for (const name of ['old.pdf', 'new.pdf']) {
      const m = multipart([{ name: 'file', filename: name, content: pdf }]);
      ids.push(
        (await t.app.inject({ method: 'POST', url: '/api/analyze', payload: m.payload, headers: m.headers })).json()
          .session_id,
      );
    }
    for (const id of ids) await waitForTerminal(t.app, id);
    const [oldId, newId] = ids as [string, string];
    await db().query("UPDATE session_documents SET created_at = now() - interval '31 days' WHERE session_id = $1", [
      oldId,
    ]);
    await db().query("UPDATE session_events SET created_at = now() - interval '8 days' WHERE session_id = $1", [oldId]);
    const before = (await t.app.inject({ method: 'GET', url: `/api/results/${oldId}` })).json();

    const removed = await runMaintenance(t.ctx);
    expect(removed.pdfsRemoved).toBe(1);
    expect(removed.eventsRemoved).toBeGreaterThan(0);

    const gone = await t.app.inject({ method: 'GET', url: `/api/document/${oldId}` });
    expect(gone.statusCode).toBe(410);
    expect(gone.json().code).toBe('PDF_NOT_AVAILABLE');
    expect((await t.app.inject({ method: 'GET', url: `/api/document/${newId}` })).statusCode).toBe(200);
    const after = (await t.app.inject({ method: 'GET', url: `/api/results/${oldId}` })).json();
    expect(after.result).toEqual(before.result);
    expect((await t.app.inject({ method: 'GET', url: `/api/export/${oldId}?format=xlsx` })).statusCode).toBe(200);
    const detail = (await t.app.inject({ method: 'GET', url: `/api/admin/analysis/${oldId}` })).json();
    expect(detail.document).toMatchObject({ pdf_available: false });
    expect(detail.document.deleted_at).toBeTruthy();
    expect((await t.app.inject({ method: 'GET', url: `/api/events/${oldId}` })).json().events).toEqual([]);
  });
});
