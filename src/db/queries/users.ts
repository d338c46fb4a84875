/** SQL for users and their logins (sign-ins; table login_sessions — a "session" in code is an analysis). */
import type { Queryable } from '../database.js';

export type Role = 'admin' | 'user';

/** NOTIFY channel (triggers of the login_change_notify migration): a user's logins changed (payload: the user id). */
export const LOGIN_CHANGED_CHANNEL = 'login_changed';

export interface User {
  id: string;
  email: string;
  role: Role;
  passwordHash: string;
  failedLogins: number;
  lockedUntil: Date | null;
  createdAt: Date;
}

type UserRow = {
  user_id: string;
  email: string;
  role: Role;
  password_hash: string;
  failed_logins: number;
  locked_until: string | null;
  created_at: string;
};
const USER_COLUMNS = 'user_id, email, role, password_hash, failed_logins, locked_until, created_at';

function mapUser(r: UserRow): User {
  return {
    id: r.user_id,
    email: r.email,
    role: r.role,
    passwordHash: r.password_hash,
    failedLogins: Number(r.failed_logins),
    lockedUntil: r.locked_until ? new Date(r.locked_until) : null,
    createdAt: new Date(r.created_at),
  };
}

export async function insertUser(
  q: Queryable,
  u: { id: string; email: string; role: Role; passwordHash: string },
): Promise<User> {
  const r = await q.query<UserRow>(
    `INSERT INTO users (user_id, email, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING ${USER_COLUMNS}`,
    [u.id, u.email, u.role, u.passwordHash],
  );
  return mapUser(r.rows[0]!);
}

export async function selectUserByEmail(q: Queryable, email: string): Promise<User | null> {
  const r = await q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE lower(email) = lower($1)`, [email]);
  return r.rows[0] ? mapUser(r.rows[0]) : null;
}

export async function selectUserById(q: Queryable, id: string): Promise<User | null> {
  const r = await q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE user_id = $1`, [id]);
  return r.rows[0] ? mapUser(r.rows[0]) : null;
}

/** Every account, oldest first (the `user list` command). */
export async function selectUserList(
  q: Queryable,
): Promise<Array<{ email: string; role: Role; createdAt: Date; lastLoginAt: Date | null }>> {
  const r = await q.query<{ email: string; role: Role; created_at: string; last_login_at: string | null }>(
    'SELECT email, role, created_at, last_login_at FROM users ORDER BY created_at',
  );
  return r.rows.map((u) => ({
    email: u.email,
    role: u.role,
    createdAt: new Date(u.created_at),
    lastLoginAt: u.last_login_at ? new Date(u.last_login_at) : null,
  }));
}

export async function countUsers(q: Queryable): Promise<number> {
  const r = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return r.rows[0]?.n ?? 0;
}

export async function updatePassword(q: Queryable, userId: string, passwordHash: string): Promise<boolean> {
  const r = await q.query(
    'UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL, updated_at = now() WHERE user_id = $1',
    [userId, passwordHash],
  );
  return r.rowCount > 0;
}

export async function deleteUser(q: Queryable, userId: string): Promise<boolean> {
  const r = await q.query('DELETE FROM users WHERE user_id = $1', [userId]);
  return r.rowCount > 0;
}

export async function recordSuccessfulLogin(q: Queryable, userId: string): Promise<void> {
  await q.query('UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now() WHERE user_id = $1', [
    userId,
  ]);
}

export async function insertLogin(
  q: Queryable,
  tokenHash: string,
  userId: string,
  expiresAt: Date,
  userAgent: string | null,
): Promise<void> {
  await q.query('INSERT INTO login_sessions (token_hash, user_id, expires_at, user_agent) VALUES ($1, $2, $3, $4)', [
    tokenHash,
    userId,
    expiresAt,
    userAgent?.slice(0, 300) ?? null,
  ]);
}

export async function selectLoginUser(q: Queryable, tokenHash: string): Promise<(User & { expiresAt: Date }) | null> {
  const r = await q.query<UserRow & { expires_at: string }>(
    `SELECT ${USER_COLUMNS.split(', ')
      .map((c) => `u.${c}`)
      .join(', ')}, s.expires_at
     FROM login_sessions s JOIN users u USING (user_id)
     WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
    [tokenHash],
  );
  const row = r.rows[0];
  return row ? { ...mapUser(row), expiresAt: new Date(row.expires_at) } : null;
}

export async function revokeLogin(q: Queryable, tokenHash: string): Promise<boolean> {
  const r = await q.query('UPDATE login_sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL', [
    tokenHash,
  ]);
  return r.rowCount > 0;
}

export async function revokeUserLogins(q: Queryable, userId: string): Promise<number> {
  const r = await q.query('UPDATE login_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [
    userId,
  ]);
  return r.rowCount;
}
