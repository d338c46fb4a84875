/**
 * The sign-in page's `next` rule (src/web/public/next-path.js, the browser module itself): only paths on this
 * origin survive; every form a browser would resolve to another site falls back to the analyzer. The same
 * forms are driven through a real browser in test/browser/login.test.ts.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain browser ES module without type declarations
import { DEFAULT_NEXT_PATH, safeNextPath } from '../../src/web/public/next-path.js';

const ORIGIN = 'http://127.0.0.1:8080';
const next = (raw: string | null): string => safeNextPath(raw, ORIGIN) as string;

describe('the sign-in page’s next path', () => {
  it('keeps same-origin paths with their query and fragment', () => {
    expect(next('/analyzer')).toBe('/analyzer');
    expect(next('/admin/sessions?status=failed#top')).toBe('/admin/sessions?status=failed#top');
    expect(next('/analyzer?session=abc%2Fdef')).toBe('/analyzer?session=abc%2Fdef');
  });

  it('falls back to the analyzer when next is missing or empty', () => {
    expect(DEFAULT_NEXT_PATH).toBe('/analyzer');
    expect(next(null)).toBe('/analyzer');
    expect(next('')).toBe('/analyzer');
  });

  it('refuses protocol-relative, backslash, scheme and absolute forms', () => {
    for (const raw of [
      '//evil.example',
      '///evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '/a\\b',
      'https://evil.example/',
      'javascript:alert(1)',
      'evil.example',
      './/evil.example',
      'http:/evil.example',
    ]) {
      expect(next(raw), raw).toBe('/analyzer');
    }
  });

  it('refuses tabs, newlines, spaces and other control characters anywhere (browsers strip some of them)', () => {
    for (const raw of [
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r/evil.example',
      '/ /evil.example',
      '/\u0000/x',
      '/\u001f/x',
      '/\u007f/x',
      '/analyzer\t',
      '/\u00a0/evil.example',
      '/\u2028/evil.example',
    ]) {
      expect(next(raw), JSON.stringify(raw)).toBe('/analyzer');
    }
  });

  it('resolves dot segments on this origin and never leaves it', () => {
    expect(next('/a/../analyzer')).toBe('/analyzer');
    expect(next('/../../evil.example')).toBe('/evil.example');
  });
});
