/**
 * Accounts and logins (sign-ins, table login_sessions): create/reset/remove users, the first admin, sign-in, and
 * resolving a bearer/cookie
 * token to its user. Tokens are random 256-bit strings; only their sha256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/database.js';
import { AppError } from '../errors.js';
import {
  dummyPasswordHash,
  generatePassword,
  hashPassword,
  MAX_PASSWORD_CHARS,
  MIN_PASSWORD_CHARS,
  verifyPassword,
} from './passwords.js';
import {
  countUsers,
  deleteUser,
  insertLogin,
  insertUser,
  recordSuccessfulLogin,
  revokeLogin,
  revokeUserLogins,
  selectLoginUser,
  selectUserByEmail,
  updatePassword,
  type Role,
  type User,
} from '../db/queries/users.js';

export interface AuthUser {
  id: string;
  email: string;
  role: Role;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function normalizeEmail(email: string): string {
  const e = email.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(e) || e.length > 254)
    throw new AppError('VALIDATION_FAILED', `"${e.slice(0, 80)}" is not an email address.`);
  return e;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_CHARS)
    throw new AppError('VALIDATION_FAILED', `Passwords need at least ${MIN_PASSWORD_CHARS} characters.`);
  if (password.length > MAX_PASSWORD_CHARS)
    throw new AppError('VALIDATION_FAILED', `Passwords may have at most ${MAX_PASSWORD_CHARS} characters.`);
}

export async function createUser(
  q: Queryable,
  args: { email: string; password?: string; role: Role },
): Promise<{ user: User; generatedPassword: string | null }> {
  const email = normalizeEmail(args.email);
  if (await selectUserByEmail(q, email))
    throw new AppError('VALIDATION_FAILED', `A user with the email ${email} already exists.`);
  const password = args.password ?? generatePassword();
  checkPassword(password);
  const user = await insertUser(q, {
    id: randomBytes(12).toString('base64url'),
    email,
    role: args.role,
    passwordHash: await hashPassword(password),
  });
  return { user, generatedPassword: args.password ? null : password };
}

export async function resetPassword(
  q: Queryable,
  email: string,
  password?: string,
): Promise<{ generatedPassword: string | null }> {
  const user = await selectUserByEmail(q, email);
  if (!user) throw new AppError('NOT_FOUND', `No user with the email ${email}.`);
  const pw = password ?? generatePassword();
  checkPassword(pw);
  await updatePassword(q, user.id, await hashPassword(pw));
  await revokeUserLogins(q, user.id);
  return { generatedPassword: password ? null : pw };
}

export async function removeUser(q: Queryable, email: string): Promise<void> {
  const user = await selectUserByEmail(q, email);
  if (!user) throw new AppError('NOT_FOUND', `No user with the email ${email}.`);
  await deleteUser(q, user.id);
}

/**
 * On first start (no users yet): the admin from ADMIN_EMAIL/ADMIN_PASSWORD; when the password is not given, a
 * generated one is returned so the caller prints it once. Returns null when users already exist.
 */
export async function ensureFirstAdmin(
  q: Queryable,
  env: { adminEmail: string | null; adminPassword: string | null },
): Promise<{ email: string; generatedPassword: string | null } | null> {
  if ((await countUsers(q)) > 0) return null;
  const email = env.adminEmail ?? 'admin@localhost';
  const { generatedPassword } = await createUser(q, { email, password: env.adminPassword ?? undefined, role: 'admin' });
  return { email, generatedPassword };
}

/**
 * Check an email and password. A wrong password and an unknown email take the same work (one scrypt hash, one
 * lookup, no write) and throw the same AUTH_INVALID, so neither the answer nor its timing says which emails
 * exist. Guessing is slowed by the caller's throttle (src/auth/sign-in-throttle.ts), never by locking the
 * account: an account lock would let anyone lock out any user and would answer differently for real emails.
 */
export async function signIn(
  q: Queryable,
  args: { email: string; password: string; userAgent: string | null; ttlHours: number },
): Promise<{ token: string; user: AuthUser; expiresAt: Date }> {
  const user = await selectUserByEmail(q, args.email.trim());
  const passwordMatches = await verifyPassword(args.password, user ? user.passwordHash : await dummyPasswordHash());
  if (!user || !passwordMatches) throw new AppError('AUTH_INVALID');
  await recordSuccessfulLogin(q, user.id);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + args.ttlHours * 3_600_000);
  await insertLogin(q, hashToken(token), user.id, expiresAt, args.userAgent);
  return { token, user: { id: user.id, email: user.email, role: user.role }, expiresAt };
}

/** What a bearer/cookie token can look like; anything else is refused without a query. */
export function isTokenShape(token: string): boolean {
  return /^[A-Za-z0-9_-]{20,200}$/.test(token);
}

export async function resolveToken(q: Queryable, token: string): Promise<(AuthUser & { expiresAt: Date }) | null> {
  if (!isTokenShape(token)) return null;
  return resolveTokenHash(q, hashToken(token));
}

export async function resolveTokenHash(
  q: Queryable,
  tokenHash: string,
): Promise<(AuthUser & { expiresAt: Date }) | null> {
  const u = await selectLoginUser(q, tokenHash);
  return u ? { id: u.id, email: u.email, role: u.role, expiresAt: u.expiresAt } : null;
}

export async function signOut(q: Queryable, token: string): Promise<boolean> {
  return revokeLogin(q, hashToken(token));
}
