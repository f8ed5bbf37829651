// Headers on the web app and the API, and the session cookie over https.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestParley, type TestParley } from './helpers/parley.js';

let plain: TestParley;
let https: TestParley;
beforeAll(async () => { [plain, https] = await Promise.all([startTestParley(), startTestParley({ publicUrl: 'https://support.example.com' })]); });
afterAll(async () => { await Promise.all([plain.stop(), https.stop()]); });

const login = (p: TestParley) => fetch(`${p.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@test.local', password: 'admin-password' }) });

describe('security headers', () => {
  it('the web app keeps its strict CSP and gains nosniff, Referrer-Policy and Permissions-Policy', async () => {
    const r = await fetch(`${plain.url}/`);
    expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self'/);
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('referrer-policy')).toBeTruthy();
    expect(r.headers.get('permissions-policy')).toContain('camera=()');
    expect(r.headers.get('strict-transport-security')).toBeNull();
  });

  it('API answers, errors included, are inert if opened as a page', async () => {
    for (const path of ['/api/v1/inboxes', '/api/v1/nope', '/healthz']) {
      const r = await fetch(`${plain.url}${path}`);
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(r.headers.get('content-security-policy'), path).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
      expect(r.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(r.headers.get('permissions-policy'), path).toBeTruthy();
    }
  });

  it('HSTS and a Secure __Host- session cookie when the public URL is https; the plain name is ignored there', async () => {
    const r = await fetch(`${https.url}/healthz`);
    expect(r.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    const res = await login(https);
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^__Host-parley_session=/);
    expect(cookie).toContain('; Secure');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toMatch(/Domain=/i);
    const value = /^__Host-parley_session=([^;]+)/.exec(cookie)![1];
    expect((await fetch(`${https.url}/api/v1/inboxes`, { headers: { cookie: `__Host-parley_session=${value}` } })).status).toBe(200);
    expect((await fetch(`${https.url}/api/v1/inboxes`, { headers: { cookie: `parley_session=${value}` } })).status).toBe(401);
  });

  it('over plain http the cookie is the plain name without Secure', async () => {
    const cookie = (await login(plain)).headers.get('set-cookie')!;
    expect(cookie).toMatch(/^parley_session=/);
    expect(cookie).not.toContain('Secure');
  });
});
