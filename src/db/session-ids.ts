import { randomBytes } from 'node:crypto';

// 144 random bits (≥128 required), base64url: unguessable, URL-safe, never derived from time.
const SESSION_ID_BYTES = 18;

export function createSessionId(): string {
  return randomBytes(SESSION_ID_BYTES).toString('base64url');
}

/** Shape check before touching the database: ids are 24 base64url characters. */
export function isSessionIdShape(id: string): boolean {
  return /^[A-Za-z0-9_-]{16,64}$/.test(id);
}
