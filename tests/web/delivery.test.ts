// In Chromium: a reply the channel refuses shows "Failed" with the error and a Retry button
// that queues it again; suggested FAQ answers and the contact panel show beside the thread.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../connectors/registry.js';
import { PermanentError } from '../../connectors/types.js';
import { webchat } from '../../connectors/webchat/index.js';
import { deliverDueOutbox } from '../../src/domain/outbox/outbox.js';
import { apiClient, startTestParley, type TestParley } from '../helpers/parley.js';
import { context, launchChromium, login, shot } from './browser.js';

let p: TestParley;
let browser: Browser;
let refuse = true;

beforeAll(async () => {
  p = await startTestParley({
    connectors: createRegistry({
      webchat: { ...webchat, async send(c, msg) {
        if (refuse) throw new PermanentError('Visitor session expired (test)');
        return webchat.send(c, msg);
      } },
    }),
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await p?.stop();
});

describe('delivery status and side panel', () => {
  it('shows a failed reply with its error; Retry queues it again and it is sent', async () => {
    const inbox = await p.api.post('/api/v1/inboxes', { name: 'Site', channel: 'webchat', config: {} });
    const token = inbox.body.webchatToken;
    const s = await apiClient(p.url).post(`/public/webchat/${token}/sessions`, { name: 'Dora', email: 'dora@example.com' });
    await apiClient(p.url, s.body.visitorToken).post(`/public/webchat/${token}/messages`, { content: 'How do I reset my password?' });
    const faq = await p.api.post('/api/v1/faq-articles', { title: 'Reset your password', body: 'Open Settings → Security → Reset password.', tags: ['password'], locale: 'en' });

    const ctx = await context(browser, { viewport: { width: 1440, height: 860 } });
    const page = await ctx.newPage();
    await login(page, p.url, 'admin@test.local', 'admin-password');
    await page.locator('.conv-item', { hasText: 'Dora' }).click();
    await page.locator('#thread .msg.in').waitFor();
    await page.fill('#reply-box', 'Let me check that for you');
    await page.click('#send');
    const msg = page.locator('#thread .msg.out', { hasText: 'Let me check that for you' });
    await msg.locator('.delivery.ds-queued').waitFor();

    await deliverDueOutbox(p.deps);
    await msg.locator('.delivery.ds-failed').waitFor();
    expect(await msg.locator('.msg-error').innerText()).toContain('Visitor session expired (test)');
    await shot(page, '21-failed-reply-retry');

    refuse = false;
    await msg.locator('button.retry').click();
    await msg.locator('.delivery.ds-queued').waitFor();
    expect(await msg.locator('.msg-error').count()).toBe(0);
    await deliverDueOutbox(p.deps);
    await msg.locator('.delivery.ds-sent').waitFor();

    // Side panel: contact always; suggestions when the FAQ area is in this build.
    await page.locator('#side-pane .contact-name', { hasText: 'Dora' }).waitFor();
    if (faq.status === 201) {
      const sug = page.locator('#suggestions li', { hasText: 'Reset your password' });
      await sug.waitFor();
      await sug.locator('button').click();
      expect(await page.locator('#reply-box').inputValue()).toContain('Open Settings → Security → Reset password.');
    }
    const contact = await p.api.get(`/api/v1/contacts/${(await p.api.get('/api/v1/conversations')).body.data[0].contact.id}`);
    if (contact.status === 200) {
      await page.locator('#side-pane', { hasText: 'dora@example.com' }).waitFor();
      await page.locator('#side-pane .identities li').first().waitFor();
    }
    await shot(page, '22-side-panel');
    await ctx.close();
  });
});
