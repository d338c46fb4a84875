/**
 * Page structure is stored beside the page text (page_structure, structure_version): computed once at ingest,
 * read back with the pages; a structure of another algorithm version is dropped (and computed again from the
 * text by the analysis); rows stored before the column existed are moved into it by the migration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { createPgDatabase } from '../../src/db/pg-database.js';
import { createPgliteDatabase } from '../../src/db/pglite-database.js';
import { loadMigrations, migrate } from '../../src/db/migrate.js';
import { createSession } from '../../src/db/queries/create-session.js';
import { selectDocumentPages, updateDocumentPages } from '../../src/db/queries/documents.js';
import {
  copyDocumentToSession,
  insertUploadedDocument,
  selectUploadedDocumentPages,
} from '../../src/db/queries/uploaded-documents.js';
import { STRUCTURE_VERSION, buildPageStructure } from '../../src/ingest/page-structure.js';
import type { IngestedPage } from '../../src/ingest/types.js';
import { buildOutline } from '../../src/analysis/outline.js';
import {
  BACKENDS,
  createEmptyPostgresDatabase,
  describeEachDatabase,
  postgresAvailable,
  type BackendKind,
} from '../helpers/databases.js';
import { makeSessionInput } from '../helpers/factories.js';

function page(n: number, text: string): IngestedPage {
  const lines = text.split('\n');
  return {
    pageNumber: n,
    label: null,
    text,
    boilerplateLines: [],
    ocr: false,
    ocrConfidence: null,
    structure: buildPageStructure(lines, [], n),
  };
}

const PAGES: IngestedPage[] = [
  page(1, 'TOWN OF ELMVALE\nWater Main Renewal\nContract Documents'),
  page(
    2,
    'SECTION 00 73 16\nINSURANCE\n1.03 LIMITS\nA. Commercial general liability of $2,000,000 per occurrence shall be carried by the Contractor at all times.',
  ),
  page(3, 'THIS PAGE INTENTIONALLY LEFT BLANK'),
];

describeEachDatabase('page structure stored beside the page text', ({ db }) => {
  it("stores each page's role and headings in page_structure with the algorithm's version, and reads them back with the pages", async () => {
    const s = await createSession(
      db(),
      makeSessionInput({ document: { bytes: new Uint8Array([37, 80, 68, 70]), pageCount: 3 } }),
    );
    await updateDocumentPages(db(), s.id, PAGES);
    const raw = await db().query<{
      pages: Array<Record<string, unknown>>;
      page_structure: Array<{ role: string; headings: Array<{ number: string | null }> }>;
      structure_version: number;
    }>('SELECT pages, page_structure, structure_version FROM session_documents WHERE session_id = $1', [s.id]);
    const row = raw.rows[0]!;
    expect(row.structure_version).toBe(STRUCTURE_VERSION);
    expect(row.pages.some((p) => 'structure' in p)).toBe(false);
    expect(row.page_structure.map((st) => st.role)).toEqual(['cover', 'body', 'blank']);
    expect(row.page_structure[1]!.headings.map((h) => h.number)).toEqual(['SECTION 00 73 16', null, '1.03', 'A.']);
    const back = await selectDocumentPages(db(), s.id);
    expect(back).toEqual(PAGES);
    expect(buildOutline(back!).pages.get(2)?.pathAt[3]).toBe('00 73 16 Insurance › 1.03 Limits › A.');
  });

  it('drops structures computed by another version of the algorithm, so the analysis computes them again from the text', async () => {
    const s = await createSession(
      db(),
      makeSessionInput({ document: { bytes: new Uint8Array([37, 80, 68, 70]), pageCount: 3 } }),
    );
    await updateDocumentPages(db(), s.id, PAGES);
    await db().query('UPDATE session_documents SET structure_version = $2 WHERE session_id = $1', [
      s.id,
      STRUCTURE_VERSION + 1,
    ]);
    const back = await selectDocumentPages(db(), s.id);
    expect(back?.map((p) => p.structure)).toEqual([undefined, undefined, undefined]);
    expect(back?.map((p) => p.text)).toEqual(PAGES.map((p) => p.text));
    expect([...buildOutline(back!).pages.values()].map((p) => p.role)).toEqual(['cover', 'body', 'blank']);
  });

  it('copies the structure with the page text when an uploaded document is given to a session', async () => {
    const doc = await insertUploadedDocument(db(), {
      id: `doc-${Math.random().toString(36).slice(2)}`,
      ownerId: null,
      filename: 'elmvale.pdf',
      sha256: `sha-${Math.random().toString(36).slice(2)}`,
      bytes: new Uint8Array([37, 80, 68, 70]),
      pageCount: 3,
      ocrPages: 0,
      pages: PAGES,
      ttlMs: 60_000,
    });
    expect(await selectUploadedDocumentPages(db(), doc!.id)).toEqual(PAGES);
    const s = await createSession(
      db(),
      makeSessionInput({ document: { bytes: new Uint8Array([37, 80, 68, 70]), pageCount: 3 } }),
    );
    await db().query('DELETE FROM session_documents WHERE session_id = $1', [s.id]);
    await copyDocumentToSession(db(), doc!.id, s.id);
    expect(await selectDocumentPages(db(), s.id)).toEqual(PAGES);
  });
});

/** A database of this backend migrated up to (not including) the page-structure migration. */
async function databaseBefore(kind: BackendKind, upTo: number): Promise<{ db: Database; drop: () => Promise<void> }> {
  const migrations = loadMigrations().slice(0, upTo);
  if (kind === 'pglite') {
    const db = await createPgliteDatabase();
    await migrate(db, migrations);
    return { db, drop: () => db.close() };
  }
  const { url, drop } = await createEmptyPostgresDatabase();
  const db = createPgDatabase({ url, directUrl: null, poolMax: 3, statementTimeoutMs: 30_000, ssl: 'auto' });
  await migrate(db, migrations);
  return { db, drop: async () => (await db.close(), await drop()) };
}

const STRUCTURE_MIGRATION = loadMigrations().findIndex((m) => m.name.endsWith('_page_structure'));

for (const kind of BACKENDS) {
  const run = kind === 'pglite' || postgresAvailable();
  (run ? describe : describe.skip)(`pages stored before the page-structure column, then upgraded [${kind}]`, () => {
    let t: { db: Database; drop: () => Promise<void> } | undefined;
    const db = () => t!.db;
    const sessionWith = async (pages: IngestedPage[] | null) => {
      const s = await createSession(
        db(),
        makeSessionInput({ document: { bytes: new Uint8Array([37, 80, 68, 70]), pageCount: 3 } }),
      );
      // As the code before the migration wrote them: the structure inside each page object.
      if (pages !== null)
        await db().query('UPDATE session_documents SET pages = $2::jsonb WHERE session_id = $1', [
          s.id,
          JSON.stringify(pages),
        ]);
      return s.id;
    };
    let embedded = '';
    let withoutStructure = '';
    let unparsed = '';

    beforeAll(async () => {
      expect(STRUCTURE_MIGRATION).toBeGreaterThan(0);
      t = await databaseBefore(kind, STRUCTURE_MIGRATION);
      embedded = await sessionWith(PAGES);
      withoutStructure = await sessionWith(PAGES.map(({ structure: _s, ...p }) => p));
      unparsed = await sessionWith(null);
      await migrate(db());
    });
    afterAll(async () => {
      await t?.drop();
    });

    it('moves structures stored inside the page objects into page_structure, in page order, tagged as version 1', async () => {
      const r = await db().query<{
        pages: Array<Record<string, unknown>>;
        page_structure: Array<{ role: string }> | null;
        structure_version: number | null;
      }>('SELECT pages, page_structure, structure_version FROM session_documents WHERE session_id = $1', [embedded]);
      expect(r.rows[0]?.pages.some((p) => 'structure' in p)).toBe(false);
      expect(r.rows[0]?.page_structure?.map((s) => s.role)).toEqual(['cover', 'body', 'blank']);
      expect(r.rows[0]?.structure_version).toBe(1);
      // Version 1 structures are older than this algorithm's: read back without them, derived again by the analysis.
      const back = await selectDocumentPages(db(), embedded);
      expect(STRUCTURE_VERSION).toBeGreaterThan(1);
      expect(back?.map((p) => p.structure)).toEqual([undefined, undefined, undefined]);
      expect([...buildOutline(back!).pages.values()].map((p) => p.role)).toEqual(['cover', 'body', 'blank']);
    });

    it('leaves pages stored without structure (and unparsed documents) without one: the analysis computes it on the fly', async () => {
      const back = await selectDocumentPages(db(), withoutStructure);
      expect(back?.map((p) => p.structure)).toEqual([undefined, undefined, undefined]);
      expect([...buildOutline(back!).pages.values()].map((p) => p.role)).toEqual(['cover', 'body', 'blank']);
      expect(await selectDocumentPages(db(), unparsed)).toBeNull();
    });
  });
}
