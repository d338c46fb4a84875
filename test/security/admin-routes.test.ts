import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { createUser } from '../../src/auth/accounts.js';

/**
 * Every registered route as [method, path pattern], read from Fastify's own route table. printRoutes draws a
 * tree (4 characters per level, then "├── " or "└── "); a node's path is its parent's path plus its segment.
 */
function registeredRoutes(t: TestApp): Array<[string, string]> {
  const routes: Array<[string, string]> = [];
  const pathAt: string[] = [];
  for (const line of t.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    pathAt[depth] = (depth > 0 ? pathAt[depth - 1]! : '') + m[2]!;
    for (const method of m[3]?.split(', ') ?? []) routes.push([method, pathAt[depth]!]);
  }
  return routes;
}

// A well-formed id nobody owns: parameters are filled with it so each route reaches its access check.
const SOME_ID = 'AAAAAAAAAAAAAAAAAAAAAAAA';

describeEachDatabase('admin access, enforced once', ({ db }) => {
  let t: TestApp;
  const bearer: Record<'admin' | 'user', Record<string, string>> = { admin: {}, user: {} };

  beforeAll(async () => {
    t = await createTestApp(db(), { AUTH: 'on' });
    await createUser(db(), { email: 'boss@example.com', password: 'boss-password-1', role: 'admin' });
    await createUser(db(), { email: 'carol@example.com', password: 'carol-password-1', role: 'user' });
    for (const [who, email, password] of [
      ['admin', 'boss@example.com', 'boss-password-1'],
      ['user', 'carol@example.com', 'carol-password-1'],
    ] as const) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/authenticate',
        payload: { email, password, return_token: true },
      });
      bearer[who] = { authorization: `Bearer ${r.json().token as string}` };
    }
  });
  afterAll(async () => t?.close());

  it('refuses every /api/admin/* route to a signed-in non-admin (403) and to an anonymous caller (401), percent-encoded paths too', async () => {
    const admin = registeredRoutes(t).filter(([, path]) => path.startsWith('/api/admin/'));
    // The route table is read, not a hand-kept list: a new admin route is covered the day it is added.
    expect(admin).toEqual(
      expect.arrayContaining([
        ['GET', '/api/admin/analyses'],
        ['DELETE', '/api/admin/analysis/:id'],
        ['GET', '/api/admin/sessions'],
      ]),
    );
    expect(registeredRoutes(t)).toEqual(
      expect.arrayContaining([
        ['GET', '/api/documents/:id'],
        ['GET', '/docs/static/index.html'],
      ]),
    ); // the tree is read right
    for (const [method, pattern] of admin) {
      const path = pattern.replace(/:[A-Za-z_]+/g, SOME_ID);
      const encoded = path.replace('/api/admin/', '/%61pi/%61dmin/');
      for (const url of [path, encoded]) {
        const asUser = await t.app.inject({ method: method as 'GET', url, headers: bearer.user });
        expect({
          method,
          url,
          status: asUser.statusCode,
          code: method === 'HEAD' ? 'FORBIDDEN' : asUser.json().code,
        }).toEqual({ method, url, status: 403, code: 'FORBIDDEN' });
        const anonymous = await t.app.inject({ method: method as 'GET', url });
        expect({ method, url, status: anonymous.statusCode }).toEqual({ method, url, status: 401 });
      }
      // The check refuses non-admins only: an admin reaches the handler (a missing analysis is a 404, not a refusal).
      const asAdmin = await t.app.inject({ method: method as 'GET', url: path, headers: bearer.admin });
      expect([401, 403]).not.toContain(asAdmin.statusCode);
    }
  });

  it('keeps /metrics (declared admin) to admins', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer.user })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer.admin })).statusCode).toBe(200);
  });

  it('leaves the analysis API to any signed-in user', async () => {
    const r = await t.app.inject({ method: 'GET', url: `/api/results/${SOME_ID}`, headers: bearer.user });
    expect(r.json()).toMatchObject({ code: 'SESSION_NOT_FOUND' });
  });
});
