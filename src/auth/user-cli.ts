/**
 * `npm run user -- add EMAIL [--admin] [--password P]`, `reset EMAIL [--password P]`, `remove EMAIL`, `list`:
 * manage accounts from the command line. Without --password a strong one is generated and printed once.
 */
import { ConfigError, loadConfig } from '../config.js';
import { createDatabase } from '../db/create-database.js';
import { migrate } from '../db/migrate.js';
import { isAppError } from '../errors.js';
import { selectUserList } from '../db/queries/users.js';
import { createUser, removeUser, resetPassword } from './accounts.js';

const USAGE = `Usage:
  npm run user -- add EMAIL [--admin] [--password PASSWORD]
  npm run user -- reset EMAIL [--password PASSWORD]
  npm run user -- remove EMAIL
  npm run user -- list`;

export async function runUserCommand(argv: string[]): Promise<number> {
  const [command, email, ...rest] = argv;
  const flag = (name: string) => rest.includes(name);
  const value = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  if (!command || (command !== 'list' && !email)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const db = await createDatabase(config);
  try {
    await migrate(db);
    switch (command) {
      case 'add': {
        const r = await createUser(db, {
          email: email!,
          password: value('--password'),
          role: flag('--admin') ? 'admin' : 'user',
        });
        console.log(
          `Added ${r.user.role} ${r.user.email}${r.generatedPassword ? `\npassword: ${r.generatedPassword}  (shown once)` : ''}`,
        );
        return 0;
      }
      case 'reset': {
        const r = await resetPassword(db, email!, value('--password'));
        console.log(
          `Password reset for ${email}; their sign-ins were revoked.${r.generatedPassword ? `\npassword: ${r.generatedPassword}  (shown once)` : ''}`,
        );
        return 0;
      }
      case 'remove':
        await removeUser(db, email!);
        console.log(`Removed ${email}. Their analyses are kept.`);
        return 0;
      case 'list': {
        for (const u of await selectUserList(db))
          console.log(
            `${u.role.padEnd(6)} ${u.email}  created ${u.createdAt.toISOString()}  last sign-in ${u.lastLoginAt?.toISOString() ?? 'never'}`,
          );
        return 0;
      }
      default:
        console.error(USAGE);
        return 2;
    }
  } catch (err) {
    console.error(isAppError(err) ? err.message : err);
    return 1;
  } finally {
    await db.close();
  }
}

try {
  process.exitCode = await runUserCommand(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exitCode = 1;
}
