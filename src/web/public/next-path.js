// Where the sign-in page may send the user afterwards: only a path on this site. `next` comes from the URL, so
// anyone can craft it; browsers forgive a lot when resolving a URL (they drop tabs and newlines, read "\" as
// "/"), so "/%09/evil.example" would become two slashes followed by a host name: another site. Anything unusual falls
// back.

export const DEFAULT_NEXT_PATH = '/analyzer';

/**
 * `raw` (already URL-decoded, as URLSearchParams gives it) if it is a same-origin path, else DEFAULT_NEXT_PATH.
 * Refuses: anything not starting with exactly one "/", any backslash, any control or whitespace character,
 * and anything that resolves to another origin (schemes, "//host"). Returns the path as the browser resolves it.
 */
export function safeNextPath(raw, origin) {
  if (typeof raw !== 'string' || raw === '' || raw.length > 2000) return DEFAULT_NEXT_PATH;
  if (raw[0] !== '/' || raw[1] === '/') return DEFAULT_NEXT_PATH;
  // Backslashes, whitespace (tabs, newlines, Unicode spaces) and every control character (code < 32, or 127).
  if (/[\\\s]/.test(raw) || [...raw].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127))
    return DEFAULT_NEXT_PATH;
  let url;
  try {
    url = new URL(raw, origin);
  } catch {
    return DEFAULT_NEXT_PATH;
  }
  if (url.origin !== new URL(origin).origin) return DEFAULT_NEXT_PATH;
  return url.pathname + url.search + url.hash;
}
