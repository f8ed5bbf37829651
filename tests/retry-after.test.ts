// The one Retry-After reading every connector and the outgoing webhooks use.
import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../connectors/retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1);
  it('reads delay-seconds and HTTP-dates as milliseconds from now', () => {
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
    expect(parseRetryAfter(new Date(now + 60_000).toUTCString(), now)).toBe(60_000);
  });
  it('gives no wait for an absent, past, zero or unreadable header', () => {
    for (const v of [undefined, null, '', '0', '-5', 'soon', '1e9', new Date(now - 1_000).toUTCString(), '9'.repeat(40), 'x'.repeat(10_000)]) {
      expect(parseRetryAfter(v, now)).toBeUndefined();
    }
  });
});
