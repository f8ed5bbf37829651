// The agents' app in real Chromium: login failure, filter switching, the Chinese UI, search,
// keyboard shortcuts, phone width, reports and admin screens.
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestParley, type TestParley } from '../helpers/parley.js';
import { context, launchChromium, login, shot } from './browser.js';

let p: TestParley;
let browser: Browser;
let agent: { id: string; email: string; token: string };
let webchatToken: string;
let inboxId: string;
const conv: Record<string, string> = {};

async function visitorWrites(name: string, text: string): Promise<string> {
  const s = await apiClient(p.url).post(`/public/webchat/${webchatToken}/sessions`, { name });
  const v = apiClient(p.url, s.body.visitorToken);
  expect((await v.post(`/public/webchat/${webchatToken}/messages`, { content: text })).status).toBe(201);
  const list = await p.api.get(`/api/v1/conversations?inboxId=${inboxId}&status=open,pending,snoozed,resolved&limit=100`);
  return list.body.data.find((c: any) => c.contact.name === name).id;
}

beforeAll(async () => {
  p = await startTestParley();
  browser = await launchChromium();
  const inbox = await p.api.post('/api/v1/inboxes', { name: 'Website', channel: 'webchat', config: {} });
  webchatToken = inbox.body.webchatToken;
  inboxId = inbox.body.id;
  agent = await p.createUser('agent', 'Ana Agent');
  await p.api.post(`/api/v1/inboxes/${inboxId}/members`, { userIds: [agent.id] });
  conv.mine = await visitorWrites('Alice Mine', 'Where is my parcel?');
  conv.free = await visitorWrites('Bob Free', 'Can I change my address?');
  conv.done = await visitorWrites('Carol Done', 'Thanks, all good now');
  conv.zh = await visitorWrites('王小明', '我的银行卡无法绑定');
  const a = p.as(agent.token);
  expect((await a.post(`/api/v1/conversations/${conv.mine}/assign`, { assigneeId: agent.id })).status).toBe(200);
  expect((await a.post(`/api/v1/conversations/${conv.done}/status`, { status: 'resolved' })).status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await p?.stop();
});

/** A fresh browser context and page, logged in (as the agent unless `who` says otherwise). */
async function loggedIn(opts: BrowserContextOptions = { viewport: { width: 1280, height: 800 } }, who = { email: agent.email, password: 'password123' }) {
  const ctx = await context(browser, opts);
  const page = await ctx.newPage();
  await login(page, p.url, who.email, who.password);
  return { ctx, page };
}

const names = (page: Page) => page.locator('#conv-list .conv-item .conv-name').allInnerTexts();
async function listIs(page: Page, expected: string[]) {
  await page.waitForFunction((exp) => {
    const got = [...document.querySelectorAll('#conv-list .conv-item .conv-name')].map((e) => e.textContent);
    return JSON.stringify(got.slice().sort()) === JSON.stringify(exp.slice().sort());
  }, expected);
  expect((await names(page)).sort()).toEqual(expected.slice().sort());
}

describe('agents app in Chromium', () => {
  it('shows a message when the login fails, and logs in and out', async () => {
    const ctx = await context(browser);
    const page = await ctx.newPage();
    await page.goto(p.url);
    await page.fill('#login-form input[name=email]', agent.email);
    await page.fill('#login-form input[name=password]', 'not-the-password');
    await page.click('#login-form button[type=submit]');
    const err = page.locator('.login-error');
    await err.waitFor();
    expect(await err.innerText()).toBe('Wrong email or password.');
    await shot(page, '10-login-failed');
    await page.fill('#login-form input[name=password]', 'password123');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#conv-list');
    // The cookie keeps the session across a reload; logout ends it.
    await page.reload();
    await page.waitForSelector('#conv-list');
    await page.click('#logout');
    await page.waitForSelector('#login-form');
    await page.reload();
    await page.waitForSelector('#login-form');
    await ctx.close();
  });

  it('switches filters: mine / unassigned / all and status', async () => {
    const { ctx, page } = await loggedIn();
    await page.selectOption('#availability', 'online');
    await page.waitForFunction(async () => (await fetch('/api/v1/me').then((r) => r.json())).availability === 'online');
    expect(await page.locator('#availability option:checked').innerText()).toBe('Online');
    // No dictionary key leaks into the page as raw text.
    expect(await page.locator('body').innerText()).not.toMatch(/\b(av|st|ds|role|day|admin|r)_[a-z]+\b/);
    await listIs(page, ['Alice Mine', 'Bob Free', '王小明']);
    await page.click('.tabs [data-filter=mine]');
    await listIs(page, ['Alice Mine']);
    await page.click('.tabs [data-filter=unassigned]');
    await listIs(page, ['Bob Free', '王小明']);
    await page.click('.tabs [data-filter=all]');
    await page.selectOption('select[name=status]', 'resolved');
    await listIs(page, ['Carol Done']);
    await page.selectOption('select[name=status]', '');
    await listIs(page, ['Alice Mine', 'Bob Free', 'Carol Done', '王小明']);
    await page.selectOption('select[name=status]', 'open');
    // Labels: set one in the conversation view, then filter by it.
    await page.click(`.conv-item[data-id="${conv.free}"]`);
    await page.locator('#thread .msg.in').first().waitFor();
    await page.fill('.label-input', 'billing');
    await page.press('.label-input', 'Enter');
    await page.locator('.conv-header .labels .chip', { hasText: 'billing' }).waitFor();
    await page.fill('.filters input[name=label]', 'billing');
    await listIs(page, ['Bob Free']);
    await page.fill('.filters input[name=label]', '');
    await listIs(page, ['Alice Mine', 'Bob Free', '王小明']);
    await shot(page, '11-inbox-filters');
    // Filters survive a reload (kept per browser).
    await page.click('.tabs [data-filter=mine]');
    await listIs(page, ['Alice Mine']);
    await page.reload();
    await page.waitForSelector('#conv-list');
    await listIs(page, ['Alice Mine']);
    await page.click('.tabs [data-filter=all]');
    await listIs(page, ['Alice Mine', 'Bob Free', '王小明']);
    await ctx.close();
  });

  it('keyboard shortcuts: j opens, a assigns to me, n writes a note, e resolves', async () => {
    const { ctx, page } = await loggedIn();
    await listIs(page, ['Alice Mine', 'Bob Free', '王小明']);
    const first = await page.locator('#conv-list .conv-item').first().getAttribute('data-id');
    await page.keyboard.press('j');
    await page.waitForFunction((id) => location.hash === `#/inbox/${id}`, first);
    await page.locator('#thread .msg').first().waitFor();
    await page.keyboard.press('j');
    const second = await page.locator('#conv-list .conv-item').nth(1).getAttribute('data-id');
    await page.waitForFunction((id) => location.hash === `#/inbox/${id}`, second);
    await page.locator('#thread .msg').first().waitFor();
    await page.keyboard.press('a');
    await page.waitForFunction((id) => (document.querySelector('select[name=assignee]') as HTMLSelectElement).value === id, agent.id);
    await page.keyboard.press('n');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reply-box');
    await page.keyboard.type('note via keyboard');
    await page.keyboard.press('Control+Enter');
    await page.locator('#thread .msg.note', { hasText: 'note via keyboard' }).waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('e');
    await page.locator('#conv-status.st-resolved').waitFor();
    await page.keyboard.press('?');
    await page.locator('.dialog table.shortcuts').waitFor();
    await shot(page, '12-shortcuts-help');
    await page.keyboard.press('Escape');
    expect(await page.locator('.overlay').count()).toBe(0);
    // Put it back for the other tests.
    await p.as(agent.token).post(`/api/v1/conversations/${second}/status`, { status: 'open' });
    await p.as(agent.token).post(`/api/v1/conversations/${second}/assign`, { assigneeId: null });
    await ctx.close();
  });

  it('speaks Simplified Chinese when the user picks it, and searches Chinese text', async () => {
    const { ctx, page } = await loggedIn();
    await page.selectOption('#locale-select', 'zh-CN');
    await page.locator('.topbar nav a[data-nav=inbox]', { hasText: '收件箱' }).waitFor();
    expect(await page.locator('.tabs [data-filter=mine]').innerText()).toBe('我的');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    // Stored per user: a fresh login comes back in Chinese.
    expect((await p.as(agent.token).get('/api/v1/me')).body.locale).toBe('zh-CN');
    await page.reload();
    await page.locator('.tabs [data-filter=unassigned]', { hasText: '未分配' }).waitFor();
    await page.click(`.conv-item[data-id="${conv.zh}"]`);
    await page.locator('#thread .msg.in', { hasText: '我的银行卡无法绑定' }).waitFor();
    expect(await page.locator('#resolve').innerText()).toBe('解决');
    await shot(page, '13-inbox-zh');
    await page.keyboard.press('/');
    await page.keyboard.type('银行卡');
    await page.keyboard.press('Enter');
    const hit = page.locator('#search-results a', { hasText: '银行卡' }).first();
    await hit.waitFor();
    await shot(page, '14-search-zh');
    await hit.click();
    await page.waitForFunction((id) => location.hash === `#/inbox/${id}`, conv.zh);
    await page.selectOption('#locale-select', 'en');
    await page.locator('.tabs [data-filter=mine]', { hasText: 'Mine' }).waitFor();
    await ctx.close();
  });

  it('fits a phone: one pane at a time', async () => {
    const { ctx, page } = await loggedIn({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.locator('#conv-list .conv-item').first().waitFor();
    expect(await page.locator('#conv-pane').isVisible()).toBe(false);
    await shot(page, '15-phone-list');
    await page.locator(`.conv-item[data-id="${conv.mine}"]`).click();
    await page.locator('#thread .msg.in').first().waitFor();
    expect(await page.locator('#conv-list').isVisible()).toBe(false);
    expect(await page.locator('#reply-box').isVisible()).toBe(true);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await shot(page, '16-phone-conversation');
    await page.click('.conv-title .back');
    await page.locator('#conv-list').waitFor({ state: 'visible' });
    await ctx.close();
  });

  it('admin: creates an inbox and sees its webhook URL or widget snippet; reports page renders', async () => {
    const { ctx, page } = await loggedIn({ viewport: { width: 1280, height: 900 } }, { email: 'admin@test.local', password: 'admin-password' });
    await page.click('.topbar nav a[data-nav=admin]');
    await page.locator('#new-inbox').waitFor();
    await page.fill('#new-inbox input[name=name]', 'Support site');
    await page.selectOption('#new-inbox-channel', 'webchat');
    await page.click('#new-inbox button[type=submit]');
    const snippet = page.locator('#inbox-created code', { hasText: '/widget.js' });
    await snippet.waitFor();
    expect(await snippet.innerText()).toMatch(new RegExp(`^<script src="${p.url}/widget\\.js" data-token="[\\w-]+" async></script>$`));
    await shot(page, '17-admin-inbox-created');
    await page.selectOption('#new-inbox-channel', 'telegram');
    await page.fill('#new-inbox input[name=name]', 'Backend');
    // A bad config names the field.
    await page.fill('#new-inbox textarea[name=config]', '{"botToken":"nope","mode":"webhook"}');
    await page.click('#new-inbox button[type=submit]');
    await page.locator('#new-inbox p.error', { hasText: 'config.botToken' }).waitFor();
    await page.fill('#new-inbox textarea[name=config]', '{"botToken":"123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ","mode":"webhook","secretToken":"abcdefghijklmnop1234"}');
    await page.click('#new-inbox button[type=submit]');
    await page.locator('#inbox-created code', { hasText: '/webhooks/' }).waitFor();
    // Inbox settings: SLA is saved through PATCH /inboxes/:id.
    await page.locator('#inbox-created a').click();
    await page.locator('input[name=firstReplyMinutes]').fill('30');
    await page.locator('input[name=firstReplyMinutes]').press('Enter');
    await page.locator('.toast', { hasText: 'Saved.' }).waitFor();
    const inboxes = await p.api.get('/api/v1/inboxes');
    expect(inboxes.body.data.find((i: any) => i.name === 'Backend').settings.sla).toMatchObject({ firstReplyMinutes: 30 });
    // Business hours, and the automation form saved with its fields left empty.
    await page.locator('input[name=timezone]').fill('Asia/Shanghai');
    await page.locator('input[name=mon]').fill('09:00-18:00');
    await page.locator('input[name=tue]').fill('9:30-12:00, 13:00-18:00');
    await page.locator('input[name=tue]').press('Enter');
    await page.waitForFunction(async (id) => {
      const r = await fetch(`/api/v1/inboxes/${id}`).then((x) => x.json());
      return r.settings?.businessHours?.timezone === 'Asia/Shanghai';
    }, inboxes.body.data.find((i: any) => i.name === 'Backend').id);
    const saved = (await p.api.get('/api/v1/inboxes')).body.data.find((i: any) => i.name === 'Backend').settings;
    expect(saved.businessHours.weekly).toMatchObject({ mon: [['09:00', '18:00']], tue: [['09:30', '12:00'], ['13:00', '18:00']], wed: [] });
    await page.locator('input[name=csat]').check();
    await page.locator('input[name=csat]').evaluate((el) => (el as HTMLInputElement).form!.requestSubmit());
    await page.waitForFunction(async (id) => (await fetch(`/api/v1/inboxes/${id}`).then((x) => x.json())).settings?.csat?.enabled === true,
      inboxes.body.data.find((i: any) => i.name === 'Backend').id);
    expect(await page.locator('#admin-body p.error:not([hidden])').count()).toBe(0);
    await shot(page, '18-admin-inbox-settings');
    for (const s of ['users', 'teams', 'canned', 'faq', 'webhooks']) {
      await page.click(`.admin-nav a[href="#/admin/${s}"]`);
      await page.locator('#admin-body h1').waitFor();
      await page.waitForFunction(() => !document.querySelector('#admin-body p.error:not([hidden])'));
      await shot(page, `19-admin-${s}`);
    }
    // Canned responses and teams are created from their admin pages.
    await page.click('.admin-nav a[href="#/admin/canned"]');
    await page.fill('#admin-body form input[name=shortCode]', 'hello');
    await page.fill('#admin-body form textarea[name=content]', 'Hello {{contact.name}}!');
    await page.click('#admin-body form button[type=submit]');
    await page.locator('#admin-body table code', { hasText: '/hello' }).waitFor();
    expect((await p.api.get('/api/v1/canned-responses?q=hello')).body.data.map((c: any) => c.content)).toEqual(['Hello {{contact.name}}!']);
    await page.click('.admin-nav a[href="#/admin/teams"]');
    await page.fill('#admin-body form input[name=name]', 'Billing');
    await page.click('#admin-body form button[type=submit]');
    await page.locator('#admin-body table td', { hasText: 'Billing' }).waitFor();
    await page.click('.admin-nav a[href="#/admin/webhooks"]');
    const hooks = await p.api.get('/api/v1/webhooks');
    if (hooks.status === 200) {
      await page.fill('#admin-body form input[name=url]', 'http://127.0.0.1:9/hooks/parley');
      await page.click('#admin-body form button[type=submit]');
      await page.locator('#webhook-secret code').waitFor();
      expect((await page.locator('#webhook-secret code').innerText()).length).toBeGreaterThan(16);
      await page.locator('#admin-body table code', { hasText: 'http://127.0.0.1:9/hooks/parley' }).waitFor();
      expect((await p.api.get('/api/v1/webhooks')).body.data.map((w: any) => [w.url, w.events])).toEqual([['http://127.0.0.1:9/hooks/parley', ['message.created']]]);
    }
    await page.click('.topbar nav a[data-nav=reports]');
    await page.locator('#report .kpis, #report .chart-card, #report p.muted:not(:empty)').first().waitFor();
    await page.waitForFunction(() => !document.querySelector('#report')?.textContent?.includes('Loading'));
    await shot(page, '20-reports');
    expect(await page.locator('#report p.error').count()).toBe(0);
    const summary = await p.api.get(`/api/v1/reports/summary?from=${new Date(Date.now() - 7 * 86_400_000).toISOString()}&to=${new Date().toISOString()}`);
    if (summary.status === 200) {
      // The reports area is in this build: its totals are on the cards, its breakdowns are charts.
      expect(await page.locator('#report .kpi[data-key=conversationsOpened] .kpi-value').innerText()).toBe(String(summary.body.conversationsOpened));
      expect(await page.locator('#report svg.chart').count()).toBeGreaterThan(0);
    }
    await ctx.close();
  });
});
