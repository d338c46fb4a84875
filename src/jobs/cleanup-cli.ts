/**
 * `npm run cleanup`: trim old progress events, expired uploaded documents (and old PDFs when PDF_RETENTION_DAYS is set)
 * now, then exit.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../config.js';
import { createDatabase } from '../db/create-database.js';
import { migrate } from '../db/migrate.js';
import { createAppContext } from '../app-context.js';
import { runMaintenance } from './maintenance.js';

try {
  const config = loadConfig();
  const db = await createDatabase(config);
  try {
    await migrate(db);
    const r = await runMaintenance(createAppContext(config, db, `cleanup:${randomBytes(3).toString('hex')}`));
    console.log(
      `Removed ${r.eventsRemoved} events older than ${config.runs.eventRetentionDays} days; removed ${r.pdfsRemoved} stored PDFs and ${r.documentsRemoved} uploaded documents.`,
    );
  } finally {
    await db.close();
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exitCode = 1;
}
