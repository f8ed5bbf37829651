// The access pages in real Chromium: an admin changes a role, disables a user, creates and
// revokes a token and reads the audit log; an agent ends his other sessions and changes his
// password from "Your account"; a lead changes where a conversation's replies go.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmsFake, type SmsFake } from '../../connectors/sms/fake.js';
import { ingest } from '../../src/domain/ingest/ingest.js';
import { startTestParley, type TestParley } from '../helpers/parley.js';
import { context, launchChromium, login, shot } from './browser.js';
import { inboundMessage } from '../helpers/inbound.js';

let p: TestParley, browser: Browser, fake: SmsFake;
let agent: { id: string; email: string; token: string }, leaver: { id: string; email: string; token: string };

beforeAll(async () => {
  [p, browser, fake] = await Promise.all([startTestParley(), launchChromium(), startSmsFake()]);
  const inbox = await p.api.post('/api/v1/inboxes', { name: 'Website', channel: 'webchat', config: {} });
  agent = await p.createUser('agent', 'Ana Agent');
  leaver = await p.createUser('agent', 'Leo Leaver');
  await p.api.post(`/api/v1/inboxes/${inbox.body.id}/members`, { userIds: [agent.id, leaver.id] });
});
afterAll(async () => { await browser?.close(); await fake?.close(); await p?.stop(); });

describe('admin access pages', () => {
  it('role change, disable, token create/revoke and the audit log', async () => {
    const ctx = await context(browser);
    const page = await ctx.newPage();
    await login(page, p.url, 'admin@test.local', 'admin-password');
    await page.goto(`${p.url}/#/admin/users`);
    await page.locator(`select[data-user="${agent.id}"]`).selectOption('lead');
    await page.waitForFunction(async (id) => (await fetch('/api/v1/users').then((r) => r.json())).data.find((u: any) => u.id === id)?.role === 'lead', agent.id);

    page.once('dialog', (d) => void d.accept());
    await page.click(`button[data-toggle-user="${leaver.id}"]`);
    await page.locator(`button[data-toggle-user="${leaver.id}"]`, { hasText: 'Enable' }).waitFor();
    expect((await p.as(leaver.token).get('/api/v1/me')).status).toBe(401);

    await page.click(`button[data-access="${agent.id}"]`);
    await page.fill('#user-detail input[name=name]', 'deploy-bot');
    await page.fill('#user-detail input[name=expiresInDays]', '7');
    await page.click('#user-detail form button[type=submit]');
    const token = await page.locator('[data-new-token] code').innerText();
    expect((await p.as(token).get('/api/v1/me')).body.id).toBe(agent.id);
    const row = page.locator('#user-detail tr', { hasText: 'deploy-bot' });
    await row.waitFor();
    await shot(page, '30-admin-user-tokens');
    page.once('dialog', (d) => void d.accept());
    await row.locator('button[data-revoke]').click();
    await page.locator('#user-detail tr', { hasText: 'deploy-bot' }).waitFor({ state: 'detached' });
    expect((await p.as(token).get('/api/v1/me')).status).toBe(401);

    await page.click('.admin-nav a[href="#/admin/audit"]');
    await page.locator('#audit-table tr[data-action="token.revoked"]').waitFor();
    for (const a of ['user.role_changed', 'user.disabled', 'token.created']) expect(await page.locator(`#audit-table tr[data-action="${a}"]`).count()).toBe(1);
    await page.fill('#audit-filters input[name=action]', 'user.*');
    await page.click('#audit-filters button[type=submit]');
    // The filtered answer replaces the rows; the old ones stay (marked busy) until it arrives.
    await page.waitForFunction(() => !document.querySelector('#audit-table tbody[aria-busy]') && !document.querySelector('#audit-table tr[data-action^="token."]'));
    expect(await page.locator('#audit-table tr[data-action="user.disabled"]').count()).toBe(1);
    await shot(page, '31-admin-audit-log');
    await ctx.close();
  });
});

describe('audit log paging', () => {
  it('"Load more" adds the next page of the same filter; a new filter replaces the rows and pages its own', async () => {
    const u = await p.createUser('agent', 'Pat Paged');
    for (let i = 0; i < 56; i++) {
      const r = await p.api.patch(`/api/v1/users/${u.id}`, { role: i % 2 === 0 ? 'lead' : 'agent' });
      expect(r.status).toBe(200);
    }
    const ctx = await context(browser);
    const page = await ctx.newPage();
    await login(page, p.url, 'admin@test.local', 'admin-password');
    await page.goto(`${p.url}/#/admin/audit`);
    await page.fill('#audit-filters input[name=action]', 'user.role_changed');
    await page.click('#audit-filters button[type=submit]');
    const rows = '#audit-table tbody tr[data-action]';
    await page.waitForFunction((sel) => !document.querySelector('#audit-table tbody[aria-busy]') && [...document.querySelectorAll(sel)].every((r) => r.getAttribute('data-action') === 'user.role_changed'), rows);
    expect(await page.locator(rows).count()).toBe(50);
    await page.click('#audit-more');
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length > 50, rows);
    const total = (await p.api.get('/api/v1/audit-log?action=user.role_changed&limit=100')).body.data.length;
    expect(total).toBeGreaterThanOrEqual(56);
    expect(await page.locator(rows).count()).toBe(total);
    expect(await page.locator('#audit-more').isHidden()).toBe(true);

    await page.fill('#audit-filters input[name=action]', 'user.created');
    await page.click('#audit-filters button[type=submit]');
    await page.waitForFunction((sel) => !document.querySelector('#audit-table tbody[aria-busy]') && document.querySelectorAll(sel).length < 50, rows);
    const actions = await page.locator(rows).evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    expect(new Set(actions)).toEqual(new Set(['user.created']));
    await ctx.close();
  });
});

describe('your account', () => {
  it('an agent lists his sessions, logs out everywhere else, and changes his password', async () => {
    const other = await context(browser);
    const otherPage = await other.newPage();
    await login(otherPage, p.url, agent.email, 'password123');
    const ctx = await context(browser);
    const page = await ctx.newPage();
    await login(page, p.url, agent.email, 'password123');
    await page.click('#account-link');
    await page.locator('.sessions tr', { hasText: 'this browser' }).waitFor();
    expect(await page.locator('.sessions tbody tr').count()).toBe(2);
    await shot(page, '32-account');
    await page.click('#end-other-sessions');
    await page.waitForFunction(() => document.querySelectorAll('.sessions tbody tr').length === 1);
    expect((await otherPage.evaluate(() => fetch('/api/v1/me').then((r) => r.status)))).toBe(401);

    await page.fill('input[name=currentPassword]', 'password123');
    await page.fill('input[name=newPassword]', 'brand-new-password');
    await page.click('.account form button[type=submit]');
    await page.locator('.toast', { hasText: 'Password changed' }).waitFor();
    const relog = await fetch(`${p.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: agent.email, password: 'brand-new-password' }) });
    expect(relog.status).toBe(200);
    await ctx.close();
    await other.close();
  });
});

describe('reply target', () => {
  it('a lead sees where an SMS conversation\'s replies go and changes it', async () => {
    const sms = await p.api.post('/api/v1/inboxes', { name: 'SMS', channel: 'sms', config: fake.inboxConfig() });
    await ingest(p.deps, { id: sms.body.id, channel: 'sms' }, [inboundMessage({ externalId: 'SM-ui', threadKey: '+15550003333', text: 'hi',
      sender: { externalId: '+15550003333', phone: '+15550003333' } })]);
    const conv = (await p.store.get<any>('SELECT id FROM conversations WHERE inbox_id = ?', [sms.body.id])).id;
    const ctx = await context(browser);
    const page = await ctx.newPage();
    await login(page, p.url, agent.email, 'brand-new-password'); // a lead now
    await page.goto(`${p.url}/#/inbox/${conv}`);
    await page.locator('#reply-target', { hasText: '+15550003333' }).waitFor();
    page.once('dialog', (d) => void d.accept('+15550004444'));
    await page.click('#reply-target button');
    await page.locator('#reply-target', { hasText: '+15550004444' }).waitFor();
    expect((await p.api.get(`/api/v1/conversations/${conv}/reply-target`)).body.externalId).toBe('+15550004444');
    await ctx.close();
  });
});
