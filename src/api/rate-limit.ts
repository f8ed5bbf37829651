// Fixed-window request counters per key (a visitor, a client address), in memory and bounded:
// at most maxKeys keys per limiter. When full, keys whose window has ended go first, then the
// oldest key (so flooding new keys can reset only the oldest counter, never a current one
// early). Per process: several processes on one store each allow the limit.
import { tooMany } from '../domain/core/errors.js';

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(readonly limit: number, readonly windowMs: number, readonly maxKeys = 10_000) {}

  get size() { return this.windows.size; }

  /** Counts one request for `key`; throws 429 with Retry-After once the window's limit is used. */
  hit(key: string, now: number, what = 'requests'): void {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (w) this.windows.delete(key);
      else if (this.windows.size >= this.maxKeys) this.evict(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= this.limit) throw tooMany('rate_limited', `Too many ${what}; slow down`, w.start + this.windowMs - now);
    w.count++;
  }

  // The map is in window-start order (a renewed window is re-inserted at the end), so ended
  // windows sit at the front: amortised O(1) per new key.
  private evict(now: number) {
    for (const [k, w] of this.windows) {
      if (now - w.start < this.windowMs) break;
      this.windows.delete(k);
    }
    if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
  }
}
