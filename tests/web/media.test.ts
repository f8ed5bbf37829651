// Files in real Chromium: a visitor pastes a screenshot into the widget; the agent sees it
// inline and enlarges it, replies with a PDF from the composer; the visitor sees the PDF link;
// both files open.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDF, PNG } from '../helpers/media.js';
import { startTestParley, type TestParley } from '../helpers/parley.js';
import { context, hostSite, launchChromium, login, shot } from './browser.js';

let p: TestParley;
let browser: Browser;
let site: { url: string; close(): Promise<void> };
let agent: { id: string; email: string };

beforeAll(async () => {
  p = await startTestParley();
  browser = await launchChromium();
  const inbox = await p.api.post('/api/v1/inboxes', { name: 'Files site', channel: 'webchat', config: {} });
  agent = await p.createUser('agent', 'File Agent');
  await p.api.post(`/api/v1/inboxes/${inbox.body.id}/members`, { userIds: [agent.id] });
  site = await hostSite(`<!doctype html><html lang="en"><head><title>Wallet</title></head><body><h1>Wallet</h1>
    <script src="${p.url}/widget.js" data-token="${inbox.body.webchatToken}" async></script></body></html>`);
});
afterAll(async () => { await browser?.close(); await site?.close(); await p?.stop(); });

describe('files in the widget and the web app', () => {
  it('screenshot pasted in the widget -> inline for the agent -> PDF reply -> the visitor opens it', async () => {
    const visitorCtx = await context(browser, { viewport: { width: 1000, height: 800 } });
    const visitor = await visitorCtx.newPage();
    await visitor.goto(site.url);
    await visitor.locator('[data-parley-widget] button.b').click();
    await visitor.fill('[data-parley-widget] input[name=name]', 'Paste Person');
    await visitor.fill('[data-parley-widget] textarea[name=message]', 'this error again');
    // What the clipboard holds after a screenshot: an image/png file without a real name.
    await visitor.evaluate((bytes) => {
      const ta = document.querySelector('[data-parley-widget]')!.shadowRoot!.querySelector('textarea')!;
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
      ta.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, [...PNG]);
    await visitor.locator('[data-parley-widget] .tr .ch', { hasText: 'image.png' }).waitFor();
    await visitor.press('[data-parley-widget] textarea[name=message]', 'Enter');
    const mine = visitor.locator('[data-parley-widget] .m.in[data-id] img');
    await mine.waitFor();
    await visitor.waitForFunction(() => (document.querySelector('[data-parley-widget]')!.shadowRoot!.querySelector('.m.in[data-id] img') as HTMLImageElement)?.naturalWidth === 40);
    await shot(visitor, '40-widget-pasted-screenshot');

    const agentCtx = await context(browser, { viewport: { width: 1366, height: 820 } });
    const agentPage = await agentCtx.newPage();
    await login(agentPage, p.url, agent.email, 'password123');
    await agentPage.locator('.conv-item', { hasText: 'Paste Person' }).click();
    const img = agentPage.locator('#thread .msg.in img.att-img');
    await img.waitFor();
    await agentPage.waitForFunction(() => (document.querySelector('#thread .msg.in img.att-img') as HTMLImageElement)?.naturalWidth === 40);
    expect(await agentPage.locator('#thread .msg.in .msg-body').innerText()).toBe('this error again');
    await img.click();
    await agentPage.locator('.lightbox img').waitFor();
    await agentPage.locator('.lightbox').click();
    await shot(agentPage, '41-agent-sees-screenshot');

    await agentPage.setInputFiles('#attach-input', { name: 'statement.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PDF) });
    await agentPage.locator('#file-tray .file-chip', { hasText: 'statement.pdf' }).waitFor();
    // Removing a file before sending: one added and taken away again.
    await agentPage.setInputFiles('#attach-input', { name: 'wrong.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PDF) });
    await agentPage.locator('#file-tray .file-chip', { hasText: 'wrong.pdf' }).locator('.remove-file').click();
    expect(await agentPage.locator('#file-tray .file-chip').count()).toBe(1);
    // A file dropped onto the composer joins the tray like a chosen one (and is taken away again).
    await agentPage.evaluate((bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'dropped.pdf', { type: 'application/pdf' }));
      document.querySelector('form.composer')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, [...PDF]);
    await agentPage.locator('#file-tray .file-chip', { hasText: 'dropped.pdf' }).locator('.remove-file').click();
    expect(await agentPage.locator('#file-tray .file-chip').count()).toBe(1);
    await agentPage.fill('#reply-box', 'Your statement is attached');
    await agentPage.click('#send');
    const link = agentPage.locator('#thread .msg.out a.att-file', { hasText: 'statement.pdf' });
    await link.waitFor();
    const agentGot = await agentPage.evaluate(async (href) => { const r = await fetch(href!); return { status: r.status, head: (await r.text()).slice(0, 8) }; }, await link.getAttribute('href'));
    expect(agentGot).toEqual({ status: 200, head: '%PDF-1.4' });

    const theirs = visitor.locator('[data-parley-widget] .m.out a', { hasText: 'statement.pdf' });
    await theirs.waitFor();
    const visitorGot = await visitor.evaluate(async (href) => { const r = await fetch(href!); return { status: r.status, type: r.headers.get('content-type'), head: (await r.text()).slice(0, 8) }; }, await theirs.getAttribute('href'));
    expect(visitorGot).toEqual({ status: 200, type: 'application/octet-stream', head: '%PDF-1.4' });
    await shot(visitor, '42-widget-sees-pdf');
    await visitorCtx.close();
    await agentCtx.close();
  });
});
