/**
 * Sign-in throttling that slows guessing without letting anyone lock a user out.
 *
 * Two fixed windows, counted in the database so every process shares them (src/auth/rate-limit-counters.ts):
 * - per address (an IPv6 /64 counts as one): every sign-in attempt from one client address;
 * - per address and email: attempts at one email from one address since the last success there.
 * There is no per-account lock: an attacker hammering an email from their address blocks only that address
 * for that email, for at most one window; the real user signing in from anywhere else is not slowed at all.
 * Unknown emails are counted exactly like real ones, so throttling answers reveal nothing about which exist.
 */
import { createHash } from 'node:crypto';
import type { RateLimitCounters } from './rate-limit-counters.js';

// 20 attempts a minute from one address: a person retyping never gets near it; a script gets 28,800 a day
// spread over all emails, each costing a ~50–100 ms scrypt hash.
export const SIGN_IN_PER_ADDRESS_MAX = 20;
export const SIGN_IN_PER_ADDRESS_WINDOW_MS = 60_000;
// 5 attempts at one email from one address per 5 minutes (a success clears it): a user who mistypes a few
// times waits minutes at worst; a guesser gets 60 tries an hour per address at one account.
export const SIGN_IN_PER_EMAIL_MAX = 5;
export const SIGN_IN_PER_EMAIL_WINDOW_MS = 5 * 60_000;

/**
 * The unit an address is counted in: an IPv4 address, or an IPv6 /64 — one subscriber usually holds a whole /64
 * and could otherwise start afresh from each of its 2^64 addresses.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = ip.includes('::')
    ? [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

function emailBucket(address: string, email: string): string {
  // Only a hash of the email is stored: the table must not become a list of who tried to sign in as whom.
  const emailHash = createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
  return `sign-in:address-email:${address}:${emailHash}`;
}

/** The message a throttled caller sees: the same for every email, real or not. */
export function signInThrottledMessage(retryAfterSeconds: number): string {
  const wait =
    retryAfterSeconds < 120 ? `${retryAfterSeconds} seconds` : `${Math.ceil(retryAfterSeconds / 60)} minutes`;
  return `Too many sign-in attempts; try again in ${wait}.`;
}

const toSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export class SignInThrottle {
  constructor(private readonly counters: RateLimitCounters) {}

  /** Count an attempt. Returns null when it may proceed, else the seconds to wait (for Retry-After). */
  async admit(address: string, email: string): Promise<number | null> {
    address = addressKey(address);
    const perAddress = await this.counters.hit(`sign-in:address:${address}`, SIGN_IN_PER_ADDRESS_WINDOW_MS);
    if (perAddress.hits > SIGN_IN_PER_ADDRESS_MAX) return toSeconds(this.counters.remainingMs(perAddress));
    const perEmail = await this.counters.hit(emailBucket(address, email), SIGN_IN_PER_EMAIL_WINDOW_MS);
    if (perEmail.hits > SIGN_IN_PER_EMAIL_MAX) return toSeconds(this.counters.remainingMs(perEmail));
    return null;
  }

  /** A correct password from this address: its earlier misses at this email no longer count. */
  async succeeded(address: string, email: string): Promise<void> {
    await this.counters.reset(emailBucket(addressKey(address), email));
  }
}
