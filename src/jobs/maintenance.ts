/**
 * Scheduled housekeeping in every process (idempotent, so several processes doing it is harmless):
 * trim progress events older than EVENT_RETENTION_DAYS (results are kept forever) and, when
 * PDF_RETENTION_DAYS is set, delete uploaded PDF bytes older than that (results stay). Uploaded documents
 * (POST /api/documents) that expired unused are deleted; used ones go with PDF retention (analyses keep
 * their own copy either way).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../app-context.js';
import { deleteDocumentBytesOlderThan } from '../db/queries/documents.js';
import { cleanupOldEvents } from '../db/queries/events.js';
import { deleteDocumentsCreatedBefore, deleteExpiredDocuments } from '../db/queries/uploaded-documents.js';

// Hourly is plenty for day-granular retention; the first pass runs a minute after start-up, off the boot path.
const MAINTENANCE_INTERVAL_MS = 60 * 60 * 1000;
const FIRST_RUN_DELAY_MS = 60 * 1000;

export async function runMaintenance(
  ctx: AppContext,
): Promise<{ eventsRemoved: number; pdfsRemoved: number; documentsRemoved: number }> {
  const eventsRemoved = await cleanupOldEvents(ctx.db, ctx.config.runs.eventRetentionDays);
  let pdfsRemoved = 0;
  let documentsRemoved = await deleteExpiredDocuments(ctx.db);
  if (ctx.config.pdfRetentionDays > 0) {
    const cutoff = new Date(Date.now() - ctx.config.pdfRetentionDays * 86_400_000);
    pdfsRemoved = await deleteDocumentBytesOlderThan(ctx.db, cutoff);
    documentsRemoved += await deleteDocumentsCreatedBefore(ctx.db, cutoff);
  }
  return { eventsRemoved, pdfsRemoved, documentsRemoved };
}

export function startMaintenance(ctx: AppContext, log: FastifyBaseLogger): { stop(): void } {
  const tick = () =>
    runMaintenance(ctx).then(
      (r) => (r.eventsRemoved || r.pdfsRemoved || r.documentsRemoved ? log.info(r, 'maintenance done') : undefined),
      (err: unknown) => log.warn({ err }, 'maintenance failed'),
    );
  const first = setTimeout(() => void tick(), FIRST_RUN_DELAY_MS);
  const every = setInterval(() => void tick(), MAINTENANCE_INTERVAL_MS);
  first.unref();
  every.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(every);
    },
  };
}
