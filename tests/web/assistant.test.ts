// The composer's four assistant actions in real Chromium against the fake OpenAI-compatible
// provider: suggested reply with its sources, summary, translation (customer message and
// draft), tone fix; results only ever land in the draft. Plus the admin's assistant page.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startFakeLlm } from '../../src/runtime/sandbox/fake-llm.js';
import { send } from '../helpers/workflow.js';
import { fixture } from '../helpers/fixture.js';
import { apiClient, startTestParley } from '../helpers/parley.js';
import { adminPage, context, launchChromium, login, shot } from './browser.js';
import { reactionsSettled } from '../../src/domain/reactions.js';

process.env.PARLEY_ALLOW_PRIVATE_NETWORK = '1';
const llm = fixture(startFakeLlm);
const p = fixture(() => startTestParley());
const browser = fixture(launchChromium);
/** An agent in a web chat inbox, an FAQ article, and a resolved earlier case like the open one. */
const seeded = fixture(async () => {
  const inbox = await p.api.post('/api/v1/inboxes', { name: 'Wallet', channel: 'webchat', config: {} });
  const agent = await p.createUser('agent', 'Ana Agent');
  await p.api.post(`/api/v1/inboxes/${inbox.body.id}/members`, { userIds: [agent.id] });
  const faqId: string = (await p.api.post('/api/v1/faq-articles', { title: '账户被冻结了怎么办', body: '请在App中完成身份核验申请解冻，通常24小时内处理完成。', tags: ['冻结'], locale: 'zh-CN' })).body.id;
  expect((await send(p, p.adminToken, 'PATCH', '/api/v1/assistant/settings', { enabled: true, baseUrl: llm.baseUrl, model: 'fake-chat' })).status).toBe(200);
  // An earlier, resolved case like it: the side panel offers its answer.
  const old = await apiClient(p.url).post(`/public/webchat/${inbox.body.webchatToken}/sessions`, { name: '韩梅梅' });
  await apiClient(p.url, old.body.visitorToken).post(`/public/webchat/${inbox.body.webchatToken}/messages`, { content: '账户冻结了，付不了款' });
  const oldId = (await p.api.get('/api/v1/conversations')).body.data[0].id;
  await p.api.post(`/api/v1/conversations/${oldId}/messages`, { content: '请在App里完成身份核验，24小时内解冻。' });
  await p.api.post(`/api/v1/conversations/${oldId}/status`, { status: 'resolved' });
  await reactionsSettled(p.deps);
  const s = await apiClient(p.url).post(`/public/webchat/${inbox.body.webchatToken}/sessions`, { name: '李雷' });
  expect((await apiClient(p.url, s.body.visitorToken).post(`/public/webchat/${inbox.body.webchatToken}/messages`, { content: '我的账户被冻结了，怎么办？' })).status).toBe(201);
  const convId: string = (await p.api.get('/api/v1/conversations')).body.data.find((c: any) => c.contact.name === '李雷').id;
  return { agent, faqId, convId };
});

const outbound = async () => (await p.api.get(`/api/v1/conversations/${seeded.convId}/messages`)).body.data.filter((m: any) => m.direction === 'out').length;

async function openConversation(page: Page) {
  await login(page, p.url, seeded.agent.email, 'password123');
  await page.locator('.conv-item', { hasText: '李雷' }).click();
  await page.waitForSelector('#ai-bar:not([hidden])');
}

describe('assistant in the composer', () => {
  it('suggests a grounded reply with linkable sources and puts it in the draft only', async () => {
    const ctx = await context(browser);
    const page = await ctx.newPage();
    await openConversation(page);
    await page.waitForSelector('#similar-cases');
    expect(await page.textContent('#similar-cases')).toContain('24小时内解冻');
    await page.click('#ai-reply');
    await page.waitForSelector('#ai-text');
    expect(await page.textContent('#ai-text')).toContain('账户被冻结了怎么办');
    const link = page.locator('#ai-sources a[data-type=faq]');
    expect(await link.getAttribute('href')).toBe(`/api/v1/faq-articles/${seeded.faqId}`);
    await page.click('#ai-use');
    expect(await page.inputValue('#reply-box')).toContain('请按照帮助文章操作');
    await shot(page, 'assistant-reply');
    expect(await outbound()).toBe(0);

    await page.click('#ai-summary');
    await page.waitForFunction(() => document.querySelector('#ai-text')?.textContent?.startsWith('Summary:'));
    expect(await page.textContent('#ai-text')).toBe('Summary: Customer: 我的账户被冻结了，怎么办？');
    expect(await page.locator('#ai-use').count()).toBe(0); // a summary is for the agent, not the draft

    // Translate: with a draft, the draft; without one, the customer's latest message.
    await page.fill('#reply-box', '');
    await page.click('#ai-translate');
    await page.waitForFunction(() => document.querySelector('#ai-text')?.textContent?.startsWith('(English)'));
    expect(await page.textContent('#ai-text')).toBe('(English) 我的账户被冻结了，怎么办？');
    await page.fill('#reply-box', 'Please verify your identity in the app.');
    await page.click('#ai-translate');
    await page.waitForFunction(() => document.querySelector('#ai-text')?.textContent?.startsWith('(Simplified Chinese)'));
    await page.click('#ai-use');
    expect(await page.inputValue('#reply-box')).toBe('(Simplified Chinese) Please verify your identity in the app.');

    await page.fill('#reply-box', 'do the id check.');
    await page.click('#ai-tone');
    await page.waitForFunction(() => document.querySelector('#ai-text')?.textContent?.startsWith('Thank you'));
    await page.click('#ai-use');
    expect(await page.inputValue('#reply-box')).toBe('Thank you for your patience. do the id check.');
    expect(await outbound()).toBe(0);
    await ctx.close();
  });

  it('shows the provider error in the panel and leaves the composer usable', async () => {
    await send(p, p.adminToken, 'PATCH', '/api/v1/assistant/settings', { model: 'fail-500' });
    const ctx = await context(browser);
    const page = await ctx.newPage();
    await openConversation(page);
    await page.click('#ai-summary');
    await page.waitForSelector('#ai-result .error');
    expect(await page.textContent('#ai-result .error')).toContain('500');
    await page.fill('#reply-box', 'We are checking your account.');
    await page.click('#send');
    await page.waitForFunction(() => [...document.querySelectorAll('.msg')].some((m) => m.textContent?.includes('We are checking your account.')));
    expect(await outbound()).toBe(1);
    await send(p, p.adminToken, 'PATCH', '/api/v1/assistant/settings', { model: 'fake-chat' });
    await ctx.close();
  });

  it("gives the admin the model settings, the synonym list and the call log", async () => {
    const page = await adminPage(browser, p.url, '/#/admin/assistant');
    await page.waitForSelector('#ai-calls');
    expect(await page.locator('#ai-calls tbody tr').count()).toBeGreaterThanOrEqual(5);
    expect(await page.textContent('#ai-calls')).toContain('error');
    expect(await page.inputValue('#synonyms')).toContain('扣款, 扣钱, 被扣');
    await page.fill('#synonyms', '包裹, 快递, parcel');
    await page.click('#save-synonyms');
    await page.waitForFunction(() => document.body.textContent?.includes('Saved.'));
    expect((await p.api.get('/api/v1/retrieval/synonyms')).body.groups).toEqual([['包裹', '快递', 'parcel']]);
    await shot(page, 'assistant-admin');
    await page.context().close();
  });
});
