// Login throttling, kept in the store (login_throttle) so a restart or a flood of other keys
// never resets it: one row per account (the email tried) and one per client address. Each
// attempt is counted before the password is checked, inside one atomic unit, so parallel
// guesses cannot slip past the count. Past a few free failures each further one doubles the
// wait before the next attempt (backoff), capped: an attacker can slow guesses on an account
// to one a minute, but cannot lock its owner out for longer than that.
import type { Deps } from '../domain/deps.js';
import { tooMany } from '../domain/core/errors.js';
import { raw, type Row } from '../domain/core/store.js';

export const THROTTLE = {
  account: { free: 5, baseMs: 1_000, maxMs: 60_000 },
  address: { free: 20, baseMs: 1_000, maxMs: 15 * 60_000 },
  /** Failures older than this are forgotten (and the row deleted). */
  forgetAfterMs: 60 * 60_000,
};

export function backoffFor(kind: 'account' | 'address', failures: number): number {
  const t = THROTTLE[kind];
  if (failures <= t.free) return 0;
  return Math.min(t.maxMs, t.baseMs * 2 ** Math.min(30, failures - t.free - 1));
}

export interface Claim { accountKey: string; addressKey: string; before: { failures: number; lastFailureAt: number; blockedUntil: number }[] }

/** Counts one attempt for the account and the address, or throws 429 (Retry-After) if either must wait. */
export async function claimLoginAttempt(deps: Pick<Deps, 'store' | 'clock'>, email: string, address: string): Promise<Claim> {
  const now = deps.clock.now();
  const keys = [`account:${email}`, `address:${address}`] as const;
  const stale = now - THROTTLE.forgetAfterMs;
  await deps.store.atomically([
    raw('DELETE FROM login_throttle WHERE last_failure_at < ?', stale),
    ...keys.map((k) => raw('INSERT INTO login_throttle(key, failures, last_failure_at, blocked_until) VALUES (?, 0, ?, 0) ON CONFLICT(key) DO NOTHING', k, now)),
  ]);
  const rows = await deps.store.all<Row>('SELECT key, failures, last_failure_at, blocked_until FROM login_throttle WHERE key IN (?, ?)', [keys[0], keys[1]]);
  const found = new Map(rows.map((r) => [r.key as string, r]));
  const before: Claim['before'] = keys.map((k) => {
    const r = found.get(k)!;
    return { failures: r.failures as number, lastFailureAt: r.last_failure_at as number, blockedUntil: r.blocked_until as number };
  });
  let blocked = Math.max(...before.map((b) => b.blockedUntil - now));
  if (blocked <= 0) {
    // Optimistic: each row moves only from the count just read, so of parallel attempts that
    // read the same count one is charged and the others wait (the store has no interactive
    // transactions on D1, so the read and the write cannot be one unit).
    const updated = await deps.store.atomically(keys.map((k, i) => {
      const failures = before[i]!.failures + 1;
      return raw('UPDATE login_throttle SET failures = ?, last_failure_at = ?, blocked_until = ? WHERE key = ? AND failures = ? AND blocked_until <= ? RETURNING key',
        failures, now, now + backoffFor(i === 0 ? 'account' : 'address', failures), k, before[i]!.failures, now);
    }));
    if (updated.some((r) => r.length === 0)) blocked = 1000;
  }
  if (blocked > 0) throw tooMany('too_many_attempts', 'Too many failed logins; wait before trying again', blocked);
  return { accountKey: keys[0], addressKey: keys[1], before };
}

/** The password was right: the account starts afresh; the address gets back the attempt it was charged. */
export async function loginSucceeded(deps: Pick<Deps, 'store'>, claim: Claim): Promise<void> {
  const addr = claim.before[1]!;
  await deps.store.atomically([
    raw('DELETE FROM login_throttle WHERE key = ?', claim.accountKey),
    addr.failures === 0
      ? raw('DELETE FROM login_throttle WHERE key = ?', claim.addressKey)
      : raw('UPDATE login_throttle SET failures = ?, last_failure_at = ?, blocked_until = ? WHERE key = ?', addr.failures, addr.lastFailureAt, addr.blockedUntil, claim.addressKey),
  ]);
}
