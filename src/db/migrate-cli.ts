/** `npm run db:migrate`: apply pending migrations to the configured database and exit. */
import { loadConfig, ConfigError } from '../config.js';
import { createDatabase } from './create-database.js';
import { migrate } from './migrate.js';

try {
  const config = loadConfig();
  const db = await createDatabase(config);
  try {
    const applied = await migrate(db);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
  } finally {
    await db.close();
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exitCode = 1;
}
