/**
 * Sign-in throttling through the real app (HTTP via app.inject) on PGlite and PostgreSQL: wrong passwords answer
 * the same for real and unknown emails, throttling blocks an address (for one email, or for everything when it
 * floods) but never the account, windows end on the app's clock (moved forward here, never slept through),
 * TRUST_PROXY=1 trusts only the proxy's own hop, and the limits are shared by every process on one PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app-context.js';
import { buildApp } from '../../src/app.js';
import { createUser } from '../../src/auth/accounts.js';
import { dummyPasswordHash } from '../../src/auth/passwords.js';
import {
  SIGN_IN_PER_ADDRESS_MAX,
  SIGN_IN_PER_ADDRESS_WINDOW_MS,
  SIGN_IN_PER_EMAIL_MAX,
  SIGN_IN_PER_EMAIL_WINDOW_MS,
} from '../../src/auth/sign-in-throttle.js';
import { testConfig } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { createPgDatabase } from '../../src/db/pg-database.js';
import { selectUserByEmail } from '../../src/db/queries/users.js';
import {
  createTestDatabase,
  describeEachDatabase,
  postgresAvailable,
  type TestDatabase,
} from '../helpers/databases.js';

const ORIGIN = 'http://localhost:80';
const REAL = { email: 'real@example.com', password: 'real-password-1' };
const UNKNOWN_EMAIL = 'nobody-here@example.com';

/** A clock the test moves: windows end when the test says so, not after real minutes. */
class TestClock {
  nowMs = Date.parse('2026-01-01T00:00:00Z');
  readonly now = () => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

async function startApp(db: Database, clock: TestClock, env: NodeJS.ProcessEnv = {}): Promise<FastifyInstance> {
  const config = testConfig({ AUTH: 'on', DATA_DIR: '/tmp/spec-analyzer-test-unused', ...env });
  const app = await buildApp(createAppContext(config, db, `test:${randomBytes(3).toString('hex')}`), {
    logger: false,
    clock: clock.now,
  });
  await app.ready();
  return app;
}

function signIn(
  app: FastifyInstance,
  email: string,
  password: string,
  remoteAddress: string,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/api/authenticate',
    payload: { email, password },
    headers: { origin: ORIGIN, host: 'localhost:80', ...headers },
    remoteAddress,
  });
}

/** What a client can observe of a refusal: status, body and the Retry-After header. */
function observable(r: LightMyRequestResponse): { status: number; body: unknown; retryAfter: unknown } {
  return { status: r.statusCode, body: r.json(), retryAfter: r.headers['retry-after'] };
}

describeEachDatabase('sign-in throttling', ({ db }) => {
  let app: FastifyInstance;
  const clock = new TestClock();
  beforeAll(async () => {
    app = await startApp(db(), clock);
    await createUser(db(), { email: REAL.email, password: REAL.password, role: 'user' });
  });
  afterAll(async () => app?.close());

  it('answers wrong passwords for a real account and for an unknown email identically, attempt after attempt', async () => {
    const attempts = SIGN_IN_PER_EMAIL_MAX + 3;
    const real: unknown[] = [];
    const unknown: unknown[] = [];
    for (let i = 1; i <= attempts; i++) {
      real.push(observable(await signIn(app, REAL.email, `wrong-guess-${i}`, '198.51.100.1')));
      unknown.push(observable(await signIn(app, UNKNOWN_EMAIL, `wrong-guess-${i}`, '198.51.100.2')));
    }
    expect(real).toEqual(unknown);
    // And what they are: 401 until the per-email window is used up, then 429 with a Retry-After.
    expect(real.slice(0, SIGN_IN_PER_EMAIL_MAX)).toEqual(
      Array(SIGN_IN_PER_EMAIL_MAX).fill({
        status: 401,
        body: { success: false, error: 'Email or password is incorrect.', code: 'AUTH_INVALID' },
        retryAfter: undefined,
      }),
    );
    for (const r of real.slice(SIGN_IN_PER_EMAIL_MAX)) {
      expect(r).toMatchObject({
        status: 429,
        body: {
          success: false,
          code: 'RATE_LIMITED',
          error: expect.stringMatching(/^Too many sign-in attempts; try again in \d+ minutes?\.$/),
        },
      });
    }

    // Guesses spread over many addresses are never throttled, so nothing locks the account (as an account lock
    // would: it answered 429 for real emails only, from everywhere).
    const spreadReal: unknown[] = [];
    const spreadUnknown: unknown[] = [];
    for (let i = 1; i <= attempts; i++) {
      spreadReal.push(observable(await signIn(app, REAL.email, `spread-guess-${i}`, `192.0.2.${i}`)));
      spreadUnknown.push(observable(await signIn(app, UNKNOWN_EMAIL, `spread-guess-${i}`, `192.0.2.${100 + i}`)));
    }
    expect(spreadReal).toEqual(spreadUnknown);
    expect(spreadReal.every((r) => (r as { status: number }).status === 401)).toBe(true);
  });

  it('does the same work for both: one scrypt check with the same parameters, and no write to a real account', async () => {
    const before = await selectUserByEmail(db(), REAL.email);
    await signIn(app, REAL.email, 'another-wrong-one', '198.51.100.3');
    const after = await selectUserByEmail(db(), REAL.email);
    expect(after).toEqual(before);
    // The dummy hash an unknown email is checked against costs what a real one does (same scrypt N, r, p).
    const params = (hash: string) => hash.split('$').slice(0, 4).join('$');
    expect(params(await dummyPasswordHash())).toBe(params(after!.passwordHash));
  });

  it('lets the real user sign in from another address while an attacker hammers the account', async () => {
    for (let i = 0; i < SIGN_IN_PER_EMAIL_MAX * 3; i++) await signIn(app, REAL.email, `attack-${i}`, '203.0.113.66');
    const attacker = await signIn(app, REAL.email, REAL.password, '203.0.113.66');
    expect(attacker.statusCode).toBe(429);
    const user = await signIn(app, REAL.email, REAL.password, '198.51.100.77');
    expect(user.statusCode).toBe(200);
    expect(user.json()).toMatchObject({ success: true, user: { email: REAL.email } });
  });

  it('ends a throttle when its window ends, and a success clears earlier misses', async () => {
    const address = '198.51.100.9';
    for (let i = 0; i < SIGN_IN_PER_EMAIL_MAX; i++)
      expect((await signIn(app, REAL.email, `typo-${i}`, address)).statusCode).toBe(401);
    const throttled = await signIn(app, REAL.email, REAL.password, address);
    expect(throttled.statusCode).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBe(SIGN_IN_PER_EMAIL_WINDOW_MS / 1000);

    clock.advance(SIGN_IN_PER_EMAIL_WINDOW_MS - 1_000);
    const stillThrottled = await signIn(app, REAL.email, REAL.password, address);
    expect(stillThrottled.statusCode).toBe(429);
    expect(Number(stillThrottled.headers['retry-after'])).toBe(1);

    clock.advance(1_000);
    expect((await signIn(app, REAL.email, REAL.password, address)).statusCode).toBe(200);
    // The success wiped the misses: a full window of typos is allowed again before throttling.
    for (let i = 0; i < SIGN_IN_PER_EMAIL_MAX - 1; i++)
      expect((await signIn(app, REAL.email, `typo-again-${i}`, address)).statusCode).toBe(401);
    expect((await signIn(app, REAL.email, REAL.password, address)).statusCode).toBe(200);
  });

  it('limits all sign-in attempts from one address per minute, whatever the emails, and only that address', async () => {
    const flooder = '203.0.113.200';
    for (let i = 0; i < SIGN_IN_PER_ADDRESS_MAX; i++)
      expect((await signIn(app, `spray-${i}@example.com`, 'password-spray', flooder)).statusCode).toBe(401);
    const refused = await signIn(app, 'spray-next@example.com', 'password-spray', flooder);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(SIGN_IN_PER_ADDRESS_WINDOW_MS / 1000);
    expect((await signIn(app, REAL.email, REAL.password, '198.51.100.10')).statusCode).toBe(200);
    clock.advance(SIGN_IN_PER_ADDRESS_WINDOW_MS);
    expect((await signIn(app, 'spray-next@example.com', 'password-spray', flooder)).statusCode).toBe(401);
  });
});

describeEachDatabase('client address behind a proxy (TRUST_PROXY)', ({ db }) => {
  const PROXY = '10.0.0.5';
  const clock = new TestClock();
  let oneHop: FastifyInstance;
  let noProxy: FastifyInstance;
  beforeAll(async () => {
    [oneHop, noProxy] = await Promise.all([
      startApp(db(), clock, { TRUST_PROXY: '1' }),
      startApp(db(), clock, { TRUST_PROXY: '0' }),
    ]);
  });
  afterAll(async () => {
    await oneHop?.close();
    await noProxy?.close();
  });

  it('with TRUST_PROXY=1, a forged X-Forwarded-For does not reset the limit: only the address the proxy saw counts', async () => {
    // The proxy appends the address it saw (203.0.113.50); whatever the client sent is to the left of it.
    for (let i = 0; i < SIGN_IN_PER_ADDRESS_MAX; i++) {
      const r = await signIn(oneHop, `p${i}@example.com`, 'wrong-password', PROXY, {
        'x-forwarded-for': `192.0.2.${i}, 203.0.113.50`,
      });
      expect(r.statusCode).toBe(401);
    }
    const forged = await signIn(oneHop, 'p-next@example.com', 'wrong-password', PROXY, {
      'x-forwarded-for': '192.0.2.250, 203.0.113.50',
    });
    expect(forged.statusCode).toBe(429);
    // Another client behind the same proxy is a different address.
    expect(
      (await signIn(oneHop, 'p-next@example.com', 'wrong-password', PROXY, { 'x-forwarded-for': '203.0.113.51' }))
        .statusCode,
    ).toBe(401);
  });

  it('with TRUST_PROXY=1, trusts the proxy’s X-Forwarded-Proto, so the session cookie is Secure', async () => {
    await createUser(db(), { email: 'proxied@example.com', password: 'proxied-password', role: 'user' });
    const r = await signIn(oneHop, 'proxied@example.com', 'proxied-password', PROXY, {
      'x-forwarded-for': '203.0.113.60',
      'x-forwarded-proto': 'https',
      origin: 'https://localhost:80',
    });
    expect(r.statusCode).toBe(200);
    expect(String(r.headers['set-cookie'])).toMatch(/;\s*Secure/i);
  });

  it('with TRUST_PROXY=0, ignores X-Forwarded-For entirely: the socket’s peer is the address', async () => {
    const peer = '198.51.100.123';
    for (let i = 0; i < SIGN_IN_PER_ADDRESS_MAX; i++) {
      expect(
        (await signIn(noProxy, `d${i}@example.com`, 'wrong-password', peer, { 'x-forwarded-for': `192.0.2.${i}` }))
          .statusCode,
      ).toBe(401);
    }
    expect(
      (await signIn(noProxy, 'd-next@example.com', 'wrong-password', peer, { 'x-forwarded-for': '192.0.2.99' }))
        .statusCode,
    ).toBe(429);
  });
});

const pgOnly = postgresAvailable() ? describe : describe.skip;
pgOnly('rate limits shared by every process on one PostgreSQL database', () => {
  let base: TestDatabase;
  let secondPool: Database;
  let first: FastifyInstance;
  let second: FastifyInstance;
  const clock = new TestClock();
  beforeAll(async () => {
    base = await createTestDatabase('postgres');
    // Two app instances, each with its own connection pool, as two worker processes (WEB_CONCURRENCY=2) have.
    secondPool = createPgDatabase({
      url: base.url!,
      directUrl: null,
      poolMax: 5,
      statementTimeoutMs: 30_000,
      ssl: 'auto',
    });
    const env = { ANALYZE_RATE_LIMIT_PER_MINUTE: '4' };
    [first, second] = await Promise.all([startApp(base.db, clock, env), startApp(secondPool, clock, env)]);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await secondPool?.close();
    await base?.drop();
  });

  it('counts sign-in attempts from one address across both instances, concurrently', async () => {
    const address = '198.51.100.200';
    const replies = await Promise.all(
      Array.from({ length: SIGN_IN_PER_ADDRESS_MAX + 4 }, (_, i) =>
        signIn(i % 2 === 0 ? first : second, `c${i}@example.com`, 'wrong-password', address),
      ),
    );
    const statuses = replies.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(SIGN_IN_PER_ADDRESS_MAX);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
  });

  it('counts analysis starts per user across both instances (the route limit of @fastify/rate-limit)', async () => {
    await createUser(base.db, { email: 'starter@example.com', password: 'starter-password', role: 'user' });
    const token = (
      await first.inject({
        method: 'POST',
        url: '/api/authenticate',
        payload: { email: 'starter@example.com', password: 'starter-password', return_token: true },
        headers: { origin: ORIGIN, host: 'localhost:80' },
      })
    ).json().token as string;
    // Empty starts (no file): the limit counts each request before the body is read, as for a real upload.
    const start = (app: FastifyInstance) =>
      app.inject({
        method: 'POST',
        url: '/api/analyze',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: '{}',
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await start(i % 2 === 0 ? first : second)).statusCode);
    expect(statuses.slice(0, 4).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(4)).toEqual([429, 429]);
    const refused = await start(second);
    expect(refused.json()).toMatchObject({ success: false, code: 'RATE_LIMITED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    clock.advance(60_000);
    expect((await start(first)).statusCode).not.toBe(429);
  });
});
