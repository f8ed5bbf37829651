// Password guessing: per-account and per-address backoff kept in the store (a restart does not
// reset it), never a lockout longer than the cap; and a bound on concurrent password hashing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bounded } from '../src/auth/bounded.js';
import { backoffFor, THROTTLE } from '../src/auth/login-throttle.js';
import { manualClock } from '../src/domain/core/clock.js';
import { AppError } from '../src/domain/core/errors.js';
import { startParley, type Running } from '../src/runtime/server.js';

const clock = manualClock(Date.parse('2026-03-01T09:00:00Z'));
const dir = mkdtempSync(join(tmpdir(), 'parley-throttle-'));
const dbFile = join(dir, 'parley.db');
let p: Running;
const start = () => startParley({ port: 0, dbFile, scheduler: false, secret: 'test-secret-test-secret', clock, trustProxy: true,
  log: pino({ level: 'silent' }), bootstrapAdmin: { email: 'admin@test.local', password: 'admin-password' } });

beforeAll(async () => { p = await start(); });
afterAll(async () => { await p.close(); rmSync(dir, { recursive: true, force: true }); });

const login = (email: string, password: string, from = '203.0.113.7') => fetch(`${p.url}/api/v1/auth/login`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify({ email, password }),
}).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() as any }));

describe('login throttle', () => {
  it('backs off per account with growing waits, survives a restart, and a right password after the wait resets it', async () => {
    for (let i = 0; i < THROTTLE.account.free; i++) expect((await login('admin@test.local', `wrong-${i}`, `198.51.100.${i}`)).status).toBe(401);
    // The first failure past the free ones sets a 1 s wait; from another address too.
    expect((await login('admin@test.local', 'wrong-x', '198.51.100.50')).status).toBe(401);
    const blocked = await login('admin@test.local', 'admin-password', '198.51.100.51');
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('too_many_attempts');
    expect(blocked.retryAfter).toBe('1');

    await p.close();
    p = await start(); // same database file
    expect((await login('admin@test.local', 'admin-password', '198.51.100.52')).status).toBe(429);

    clock.advance(1000);
    expect((await login('admin@test.local', 'wrong-y', '198.51.100.53')).status).toBe(401);
    const longer = await login('admin@test.local', 'wrong-z', '198.51.100.54');
    expect(longer.status).toBe(429);
    expect(longer.retryAfter).toBe('2');
    clock.advance(2000);
    expect((await login('admin@test.local', 'admin-password', '198.51.100.55')).status).toBe(200);
    expect((await login('admin@test.local', 'wrong-again', '198.51.100.56')).status).toBe(401); // counter started afresh
    expect((await login('admin@test.local', 'admin-password', '198.51.100.57')).status).toBe(200);
  });

  it('caps the wait an attacker can impose on someone else\'s account', () => {
    expect(backoffFor('account', THROTTLE.account.free + 1)).toBe(1000);
    expect(backoffFor('account', THROTTLE.account.free + 3)).toBe(4000);
    expect(backoffFor('account', 10_000)).toBe(THROTTLE.account.maxMs);
    expect(THROTTLE.account.maxMs).toBeLessThanOrEqual(60_000);
  });

  it('backs off per client address across many accounts (a spray), without touching other addresses', async () => {
    for (let i = 0; i < THROTTLE.address.free + 1; i++) expect((await login(`user${i}@test.local`, 'guess', '192.0.2.9')).status).toBe(401);
    const r = await login('another@test.local', 'guess', '192.0.2.9');
    expect(r.status).toBe(429);
    expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await login('admin@test.local', 'admin-password', '192.0.2.10')).status).toBe(200);
    // Parallel guesses are each counted before any password is checked: they cannot slip past the wait.
    clock.advance(THROTTLE.address.maxMs);
    const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => login(`burst${i}@test.local`, 'guess', '192.0.2.9')));
    expect(burst.filter((b) => b.status === 401).length).toBe(1);
    expect(burst.filter((b) => b.status === 429).length).toBe(7);
  });

  it('forgets failures after an hour, deleting the rows', async () => {
    clock.advance(THROTTLE.forgetAfterMs + THROTTLE.address.maxMs);
    expect((await login('user0@test.local', 'guess', '192.0.2.9')).status).toBe(401);
    const rows = await p.store.all<{ key: string; failures: number }>('SELECT key, failures FROM login_throttle ORDER BY key');
    expect(rows).toEqual([{ key: 'account:user0@test.local', failures: 1 }, { key: 'address:192.0.2.9', failures: 1 }]);
  });
});

describe('bounded password hashing', () => {
  it('runs at most N at once, queues a bounded number, and refuses the rest with 503 and Retry-After', async () => {
    const b = new Bounded(2, 3);
    let running = 0, peak = 0;
    const release: (() => void)[] = [];
    const task = () => new Promise<void>((resolve) => { running++; peak = Math.max(peak, running); release.push(() => { running--; resolve(); }); });
    const accepted = Array.from({ length: 5 }, () => b.run(task));
    const refused = await b.run(task).catch((e) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 503, code: 'busy', headers: { 'retry-after': '1' } });
    expect(b.stats).toEqual({ running: 2, waiting: 3 });
    while (release.length || b.stats.running) { await new Promise((r) => setTimeout(r, 1)); release.shift()?.(); }
    await Promise.all(accepted);
    expect(peak).toBe(2);
    expect(b.stats).toEqual({ running: 0, waiting: 0 });
  });
});
