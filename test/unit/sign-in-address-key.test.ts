import { describe, expect, it } from 'vitest';
import { addressKey } from '../../src/auth/sign-in-throttle.js';

describe('the address sign-in attempts are counted under', () => {
  it('is the IPv4 address itself, also when written as an IPv4-mapped IPv6 address', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('is the /64 of an IPv6 address, however it is written, so one subscriber cannot rotate through its block', () => {
    expect(addressKey('2001:db8:abcd:12:1::7')).toBe('2001:db8:abcd:12::/64');
    expect(addressKey('2001:0db8:abcd:0012:ffff:ffff:ffff:ffff')).toBe('2001:db8:abcd:12::/64');
    expect(addressKey('2001:DB8:ABCD:12::')).toBe('2001:db8:abcd:12::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('2001:db8:abcd:13::1')).not.toBe(addressKey('2001:db8:abcd:12::1'));
  });
});
