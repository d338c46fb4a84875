/**
 * Entry point: load config, open the database, migrate, build the app, listen, start the run worker, and
 * close gracefully on SIGTERM/SIGINT. With WEB_CONCURRENCY > 1 the primary forks that many workers
 * (node:cluster) and recycles them after MAX_REQUESTS (see src/cluster.ts).
 */
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createDatabase } from './db/create-database.js';
import { migrate } from './db/migrate.js';
import { DataDirLockedError } from './db/pglite-database.js';
import { createAppContext } from './app-context.js';
import { buildApp } from './app.js';
import { runPrimary } from './cluster.js';
import { ensureFirstAdmin } from './auth/accounts.js';

// Last resort: a graceful shutdown that has not finished by then is cut short (exit 1), so a deploy never
// hangs. A normal one takes well under a second (streams are ended, runs released in preClose).
const SHUTDOWN_TIMEOUT_MS = 25_000;

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

export async function startServer(config: Config): Promise<void> {
  const instanceId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  let db;
  try {
    db = await createDatabase(config, (err) =>
      console.error(JSON.stringify({ level: 'warn', msg: 'database connection error', err: err.message })),
    );
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  await migrate(db);
  if (config.auth.mode === 'on') {
    const admin = await ensureFirstAdmin(db, {
      adminEmail: config.auth.adminEmail,
      adminPassword: config.auth.adminPassword,
    });
    if (admin?.generatedPassword) {
      // Printed once, on the first start only; change it with `npm run user -- reset <email>`.
      console.log(
        `\n  First administrator created:\n    email:    ${admin.email}\n    password: ${admin.generatedPassword}\n  (shown once; change it with: npm run user -- reset ${admin.email})\n`,
      );
    } else if (admin) {
      console.log(`First administrator created: ${admin.email} (password from ADMIN_PASSWORD)`);
    }
  }
  const ctx = createAppContext(config, db, instanceId);
  // The app owns its lifecycle (src/services.ts): app.close() ends streams, releases runs and closes the database.
  const app = await buildApp(ctx, { closeDatabase: true });

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error('graceful shutdown timed out');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    try {
      // End progress streams, stop claiming, release run leases (another process resumes at once), stop
      // the server, then the background services and the database: see src/services.ts.
      await app.close();
      clearTimeout(timer);
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
  if (process.send) process.send({ type: 'listening', port: config.port });
}

const config = readConfig();
if (config.runs.webConcurrency > 1 && cluster.isPrimary) {
  runPrimary(config);
} else {
  startServer(config).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
