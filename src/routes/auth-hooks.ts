/**
 * Who is asking, and may they see this session? Accounts arrive with the access-control issue; until then
 * every request is anonymous and every session is visible (AUTH=off behaviour).
 */
import type { FastifyRequest } from 'fastify';
import type { Session } from '../db/queries/sessions.js';

export function ownerOf(_request: FastifyRequest): string | null {
  return null;
}

export function assertCanSee(_request: FastifyRequest, _session: Pick<Session, 'ownerId'>): void {}

/** Admin-only routes. Without accounts (AUTH=off) everyone on the loopback interface is the admin. */
export async function requireAdmin(_request: FastifyRequest): Promise<void> {}
