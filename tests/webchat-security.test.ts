// The public web chat against abuse: rate limits (429 + Retry-After), no contact until a
// visitor writes, expiring and refreshable visitor tokens, allowedOrigins that a missing
// Origin header cannot get around, and clientMessageId dedupe that cannot join two visitors.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBCHAT_LIMITS } from '../src/api/webchat.js';
import { VISITOR_REFRESH_GRACE_MS, VISITOR_TOKEN_TTL_MS } from '../src/auth/visitor-token.js';
import { manualClock } from '../src/domain/core/clock.js';
import { startTestParley, type TestParley } from './helpers/parley.js';

const clock = manualClock(Date.parse('2026-03-01T09:00:00Z'));
let p: TestParley;
let wt: string, inboxId: string;
let addr = 0;
const nextAddress = () => `198.51.100.${++addr}`;

const call = (path: string, opts: { token?: string; body?: unknown; from?: string; headers?: Record<string, string>; method?: string } = {}) =>
  fetch(`${p.url}/public/webchat/${path}`, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers: { 'x-forwarded-for': opts.from ?? '203.0.113.1', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json().catch(() => null) as any }));
const session = async (body: unknown = {}, from = nextAddress(), token = wt) => {
  const r = await call(`${token}/sessions`, { body, from });
  expect(r.status).toBe(201);
  return r.body.visitorToken as string;
};
const contacts = async () => (await p.store.get<{ n: number }>('SELECT count(*) AS n FROM contacts'))!.n;

beforeAll(async () => {
  p = await startTestParley({ clock, trustProxy: true });
  const r = await p.api.post('/api/v1/inboxes', { name: 'Site', channel: 'webchat', config: {} });
  wt = r.body.webchatToken; inboxId = r.body.id;
});
afterAll(() => p.stop());

describe('contacts only when a visitor writes', () => {
  it('opening sessions stores nothing; the first message creates the contact with what the visitor typed', async () => {
    const before = await contacts();
    const tokens = [];
    for (let i = 0; i < 5; i++) tokens.push(await session({ name: 'Drive-by', email: 'drive@by.test' }));
    expect(await contacts()).toBe(before);
    const sent = await call(`${wt}/messages`, { token: tokens[0], body: { content: 'hello' } });
    expect(sent.status).toBe(201);
    expect(await contacts()).toBe(before + 1);
    const ct = await p.store.get<any>(`SELECT ct.name, ct.email FROM contacts ct JOIN contact_identities ci ON ci.contact_id = ct.id WHERE ci.inbox_id = ? ORDER BY ct.created_at DESC LIMIT 1`, [inboxId]);
    expect(ct).toEqual({ name: 'Drive-by', email: 'drive@by.test' });
  });
});

describe('rate limits', () => {
  it('sessions per client address: 429 with Retry-After past the limit; other addresses unaffected', async () => {
    const from = nextAddress();
    for (let i = 0; i < WEBCHAT_LIMITS.sessionsPerAddress.limit; i++) expect((await call(`${wt}/sessions`, { body: {}, from })).status).toBe(201);
    const over = await call(`${wt}/sessions`, { body: {}, from });
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
    expect(Number(over.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await call(`${wt}/sessions`, { body: {}, from: nextAddress() })).status).toBe(201);
    clock.advance(WEBCHAT_LIMITS.sessionsPerAddress.windowMs);
    expect((await call(`${wt}/sessions`, { body: {}, from })).status).toBe(201);
  });

  it('messages per visitor and per client address', async () => {
    const from = nextAddress();
    const v = await session();
    for (let i = 0; i < WEBCHAT_LIMITS.messagesPerVisitor.limit; i++) expect((await call(`${wt}/messages`, { token: v, from, body: { content: `m${i}` } })).status).toBe(201);
    const over = await call(`${wt}/messages`, { token: v, from, body: { content: 'one more' } });
    expect(over.status).toBe(429);
    expect(over.retryAfter).not.toBeNull();
    // Many visitors behind one address share the address's budget.
    let sent = WEBCHAT_LIMITS.messagesPerVisitor.limit;
    let refused = null;
    while (sent <= WEBCHAT_LIMITS.messagesPerAddress.limit && !refused) {
      const other = await session();
      for (let i = 0; i < WEBCHAT_LIMITS.messagesPerVisitor.limit && !refused; i++) {
        const r = await call(`${wt}/messages`, { token: other, from, body: { content: `x${i}` } });
        if (r.status === 429) refused = r; else { expect(r.status).toBe(201); sent++; }
      }
    }
    expect(sent).toBe(WEBCHAT_LIMITS.messagesPerAddress.limit);
    expect(refused!.body.error.message).toContain('address');
    clock.advance(WEBCHAT_LIMITS.messagesPerAddress.windowMs);
  });
});

describe('visitor tokens', () => {
  it('expire, refresh within the grace period, and are refused after it', async () => {
    const created = await call(`${wt}/sessions`, { body: { name: 'Returning' }, from: nextAddress() });
    expect(Date.parse(created.body.expiresAt)).toBe(clock.now() + VISITOR_TOKEN_TTL_MS);
    const v = created.body.visitorToken;
    expect((await call(`${wt}/messages`, { token: v, body: { content: 'first' } })).status).toBe(201);
    clock.advance(VISITOR_TOKEN_TTL_MS);
    const expired = await call(`${wt}/messages`, { token: v });
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('token_expired');
    const fresh = await call(`${wt}/sessions/refresh`, { token: v, body: {}, from: nextAddress() });
    expect(fresh.status).toBe(200);
    const mine = await call(`${wt}/messages`, { token: fresh.body.visitorToken });
    expect(mine.body.data.map((m: any) => m.content)).toEqual(['first']);
    // The refreshed token keeps the visitor's name for the contact.
    expect((await call(`${wt}/messages`, { token: fresh.body.visitorToken, body: { content: 'second' } })).status).toBe(201);

    clock.advance(VISITOR_TOKEN_TTL_MS + VISITOR_REFRESH_GRACE_MS);
    const tooOld = await call(`${wt}/sessions/refresh`, { token: fresh.body.visitorToken, body: {}, from: nextAddress() });
    expect(tooOld.status).toBe(401);
    expect(tooOld.body.error.code).toBe('token_too_old');
    const forged = await call(`${wt}/sessions/refresh`, { token: `${fresh.body.visitorToken.split('.')[0]}.AAAA`, body: {}, from: nextAddress() });
    expect(forged.status).toBe(401);
  });
});

describe('allowedOrigins', () => {
  it('refuses requests naming no page, and pages not on the list; accepts Origin or Referer on it', async () => {
    const r = await p.api.post('/api/v1/inboxes', { name: 'Locked', channel: 'webchat', config: { allowedOrigins: ['https://shop.example'] } });
    const locked = r.body.webchatToken;
    const none = await call(`${locked}/sessions`, { body: {}, from: nextAddress() });
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('origin_required');
    expect((await call(`${locked}/sessions`, { body: {}, from: nextAddress(), headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await call(`${locked}/sessions`, { body: {}, from: nextAddress(), headers: { origin: 'null' } })).status).toBe(403);
    const ok = await call(`${locked}/sessions`, { body: {}, from: nextAddress(), headers: { origin: 'https://shop.example' } });
    expect(ok.status).toBe(201);
    const v = ok.body.visitorToken;
    // A token from the right page does not open the chat to a request naming no page.
    expect((await call(`${locked}/messages`, { token: v, body: { content: 'hi' } })).status).toBe(403);
    expect((await call(`${locked}/messages`, { token: v, body: { content: 'hi' }, headers: { referer: 'https://shop.example/checkout?x=1' } })).status).toBe(201);
    expect((await call(`${locked}/messages`, { token: v, headers: { origin: 'https://shop.example' } })).body.data).toHaveLength(1);
  });
});

describe('clientMessageId', () => {
  it('two visitors whose ids and clientMessageIds concatenate alike each keep their own message', async () => {
    const secret = 'host-site-identity-secret';
    const r = await p.api.post('/api/v1/inboxes', { name: 'Signed', channel: 'webchat', config: { identitySecret: secret } });
    const token = r.body.webchatToken;
    const who = (identifier: string) => session({ identifier, identifierHash: createHmac('sha256', secret).update(identifier).digest('hex') }, nextAddress(), token);
    const a = await who('a:b');
    const b = await who('a');
    const first = await call(`${token}/messages`, { token: a, body: { content: 'private to a:b', clientMessageId: 'c' } });
    const second = await call(`${token}/messages`, { token: b, body: { content: 'private to a', clientMessageId: 'b:c' } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.content).toBe('private to a');
    expect((await call(`${token}/messages`, { token: b })).body.data.map((m: any) => m.content)).toEqual(['private to a']);
    // The same visitor retrying the same id still lands once.
    expect((await call(`${token}/messages`, { token: b, body: { content: 'private to a', clientMessageId: 'b:c' } })).body.id).toBe(second.body.id);
    expect((await call(`${token}/messages`, { token: b })).body.data).toHaveLength(1);
  });
});

describe('rate limiter memory', () => {
  it('keeps at most maxKeys counters, dropping ended windows first, then the oldest', async () => {
    const { RateLimiter } = await import('../src/api/rate-limit.js');
    const l = new RateLimiter(2, 1000, 3);
    l.hit('a', 0); l.hit('b', 10); l.hit('c', 20);
    l.hit('d', 30); // full, none ended: the oldest (a) goes
    expect(l.size).toBe(3);
    l.hit('b', 40);
    expect(() => l.hit('b', 50)).toThrow(/Too many/);
    l.hit('e', 2000); // b, c, d have ended: dropped
    expect(l.size).toBe(1);
  });
});
