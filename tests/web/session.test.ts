// The web app's session cookie as an API credential: login, CSRF on state changes, logout.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebAssets } from '../../src/web/build.js';
import { startTestParley, type TestParley } from '../helpers/parley.js';

let p: TestParley;
beforeAll(async () => { p = await startTestParley(); });
afterAll(() => p.stop());

async function login(email = 'admin@test.local', password = 'admin-password') {
  const res = await fetch(`${p.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const body = await res.json();
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  return { res, body, cookie, setCookie: res.headers.get('set-cookie') ?? '' };
}

describe('web session', () => {
  it('rejects a wrong password with 401 and sets no cookie', async () => {
    const r = await login('admin@test.local', 'wrong-password');
    expect(r.res.status).toBe(401);
    expect(r.body.error.code).toBe('invalid_credentials');
    expect(r.setCookie).toBe('');
    const unknown = await login('nobody@test.local', 'whatever1');
    expect(unknown.res.status).toBe(401);
    expect(unknown.body.error.message).toBe(r.body.error.message);
  });

  it('logs in with an HttpOnly SameSite=Lax cookie and answers GET /auth/session', async () => {
    const r = await login('ADMIN@test.local');
    expect(r.res.status).toBe(200);
    expect(r.setCookie).toMatch(/^parley_session=[\w-]{20,}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    expect(r.body.user).toMatchObject({ email: 'admin@test.local', role: 'admin' });
    expect(r.body.csrfToken).toMatch(/^[\w-]{20,}$/);
    const s = await fetch(`${p.url}/api/v1/auth/session`, { headers: { cookie: r.cookie } });
    expect(s.status).toBe(200);
    expect(await s.json()).toMatchObject({ user: { email: 'admin@test.local' }, csrfToken: r.body.csrfToken });
    // The cookie is only the session's id in hashed form in the store.
    const rows = await p.store.all<{ id: string }>('SELECT id FROM sessions');
    expect(rows.some((x) => r.cookie.includes(x.id))).toBe(false);
  });

  it('GETs with the cookie alone, but a state change needs X-Parley-CSRF', async () => {
    const { cookie, body } = await login();
    const list = await fetch(`${p.url}/api/v1/inboxes`, { headers: { cookie } });
    expect(list.status).toBe(200);
    const create = (headers: Record<string, string>) => fetch(`${p.url}/api/v1/inboxes`, {
      method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'Site', channel: 'webchat', config: {} }),
    });
    const noCsrf = await create({});
    expect(noCsrf.status).toBe(403);
    expect((await noCsrf.json()).error.code).toBe('csrf_failed');
    expect((await create({ 'x-parley-csrf': 'forged-token-forged-token' })).status).toBe(403);
    expect((await create({ 'x-parley-csrf': body.csrfToken })).status).toBe(201);
    // Bearer callers carry no ambient credential, so they need no CSRF header.
    expect((await p.api.post('/api/v1/inboxes', { name: 'Site 2', channel: 'webchat', config: {} })).status).toBe(201);
  });

  it('PATCH /me changes the locale and name', async () => {
    const { cookie, body } = await login();
    const r = await fetch(`${p.url}/api/v1/me`, { method: 'PATCH', headers: { cookie, 'content-type': 'application/json', 'x-parley-csrf': body.csrfToken }, body: JSON.stringify({ locale: 'zh-CN' }) });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ locale: 'zh-CN', name: 'Admin' });
    const bad = await fetch(`${p.url}/api/v1/me`, { method: 'PATCH', headers: { cookie, 'content-type': 'application/json', 'x-parley-csrf': body.csrfToken }, body: JSON.stringify({ locale: 'fr' }) });
    expect(bad.status).toBe(400);
    await p.api.raw('/api/v1/me', { method: 'PATCH', headers: { authorization: `Bearer ${p.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ locale: 'en' }) });
  });

  it('logout needs the CSRF token, ends the session and clears the cookie', async () => {
    const { cookie, body } = await login();
    const forged = await fetch(`${p.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(forged.status).toBe(403);
    const out = await fetch(`${p.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie, 'x-parley-csrf': body.csrfToken } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^parley_session=; .*Max-Age=0/);
    expect((await fetch(`${p.url}/api/v1/auth/session`, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(`${p.url}/api/v1/inboxes`, { headers: { cookie } })).status).toBe(401);
  });

  it('after a few wrong passwords an email must wait (Retry-After), even with the right one', async () => {
    const u = await p.createUser('agent', 'Guessed');
    for (let i = 0; i < 6; i++) expect((await login(u.email, `wrong-${i}-password`)).res.status).toBe(401);
    const blocked = await login(u.email, 'password123');
    expect(blocked.res.status).toBe(429);
    expect(blocked.res.headers.get('retry-after')).toBe('1');
    expect(blocked.body.error.code).toBe('too_many_attempts');
    // Other accounts are not affected.
    expect((await login()).res.status).toBe(200);
  });

  it('an expired session no longer authenticates', async () => {
    const { cookie } = await login();
    await p.store.run('UPDATE sessions SET expires_at = 1');
    expect((await fetch(`${p.url}/api/v1/inboxes`, { headers: { cookie } })).status).toBe(401);
  });
});

describe('web assets', () => {
  it('GET / serves the app shell with a strict CSP; assets come from Parley itself', async () => {
    const res = await fetch(`${p.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    const js = /src="(\/assets\/app\.js\?v=\w+)"/.exec(html)![1];
    const css = /href="(\/assets\/app\.css\?v=\w+)"/.exec(html)![1];
    expect(html).not.toMatch(/https?:\/\//);
    const jsRes = await fetch(p.url + js);
    expect(jsRes.headers.get('content-type')).toContain('javascript');
    expect((await jsRes.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(p.url + css)).headers.get('content-type')).toContain('text/css');
  });

  it('GET /widget-test/:token is a page with the widget for trying an inbox; odd tokens are refused', async () => {
    const res = await fetch(`${p.url}/widget-test/abcDEF_123-xyz?lang=zh-CN`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<script src="/widget.js" data-token="abcDEF_123-xyz" async></script>');
    expect((await fetch(`${p.url}/widget-test/${encodeURIComponent('"><script>alert(1)</script>')}`)).status).toBe(404);
  });

  it('GET /widget.js is a script that stays under 15 KB gzipped', async () => {
    const res = await fetch(`${p.url}/widget.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('javascript');
    const text = await res.text();
    expect(text).toContain('attachShadow');
    const { widgetJs } = await buildWebAssets();
    expect(text).toBe(widgetJs);
    const gz = gzipSync(widgetJs, { level: 9 }).length;
    expect(gz).toBeLessThan(15 * 1024);
  });
});
