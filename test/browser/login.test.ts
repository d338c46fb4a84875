/**
 * Sign-in in a real browser with AUTH=on: a signed-out visit to the analyzer lands on /login (keeping where
 * the user was going), a wrong password shows an error, the right one returns to the analyzer signed in
 * (httpOnly cookie, invisible to scripts), and signing out ends the session. A crafted `next` that a browser
 * would resolve to another site (a tab before "//", a protocol-relative URL) lands on this origin instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  browserAvailable,
  launchBrowser,
  openPage,
  startTestServer,
  UI_TIMEOUT_MS,
  type TestServer,
} from './browser-harness.js';

const run = browserAvailable() ? describe : describe.skip;
const ADMIN = { email: 'chief@example.com', password: 'correct-horse-battery' };

run('sign-in page', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ AUTH: 'on', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }),
      launchBrowser(),
    ]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('sends a signed-out visitor to /login and back to the analyzer after signing in', async () => {
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${server.baseUrl}/analyzer`);
    await page.waitForURL(/\/login\?next=%2Fanalyzer/);

    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('wrong-password!!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.locator('#login-error').textContent(), { timeout: UI_TIMEOUT_MS })
      .toMatch(/incorrect/);
    expect(page.url()).toMatch(/\/login/);

    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/analyzer$/);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'sa_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');
    expect(await page.evaluate('document.cookie')).not.toContain('sa_session');
    const who = await context.request.post(`${server.baseUrl}/api/verify-session`, {
      headers: { origin: server.baseUrl },
    });
    expect(await who.json()).toMatchObject({ success: true, user: { email: ADMIN.email, role: 'admin' } });

    await page.goto(`${server.baseUrl}/login`);
    await expect
      .poll(() => page.locator('#signed-in').textContent(), { timeout: UI_TIMEOUT_MS })
      .toContain(ADMIN.email);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect
      .poll(async () => (await context.cookies()).some((c) => c.name === 'sa_session' && c.value), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe(false);
    // The page reloads after signing out; ask with the context's own request client (same cookie jar) instead.
    const after = await context.request.post(`${server.baseUrl}/api/verify-session`, {
      headers: { origin: server.baseUrl },
    });
    expect(after.status()).toBe(401);
    await page.waitForLoadState('load');
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await context.close();
  });

  for (const crafted of ['/%09/evil.example', '//evil.example', '/%0a/evil.example', '/%5Cevil.example']) {
    it(`stays on this site after signing in through /login?next=${crafted}`, async () => {
      const { page, errors, context } = await openPage(browser);
      // Were the page to follow the link, the request must not leave the machine: answer it here, and record it.
      const offsite: string[] = [];
      await context.route(
        (url) => url.hostname.endsWith('evil.example'),
        async (route) => {
          offsite.push(route.request().url());
          await route.fulfill({ status: 200, contentType: 'text/html', body: '<title>evil</title>' });
        },
      );
      await page.goto(`${server.baseUrl}/login?next=${crafted}`);
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname !== '/login');
      await page.waitForLoadState('load');
      expect(new URL(page.url()).origin).toBe(server.baseUrl);
      expect(new URL(page.url()).pathname).toBe('/analyzer');
      expect(offsite).toEqual([]);
      expect(errors.filter((e) => !e.includes('evil.example'))).toEqual([]);
      await context.close();
    });
  }
});
