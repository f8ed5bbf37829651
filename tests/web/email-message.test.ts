// The agents' app in real Chromium with email messages as the email parser makes them: the
// "Mailing list" mark on bulk mail (and its conversation's label), and the "show quoted text"
// toggle that brings back the history the parser trimmed from a reply; and the links of two
// linked conversations ("continue on", tests/reply-window.test.ts) shown on both.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEmail } from '../../connectors/email/parse.js';
import { linkConversationsStmt } from '../../src/domain/conversations/links.js';
import { ingest } from '../../src/domain/ingest/ingest.js';
import { startTestParley, type TestParley } from '../helpers/parley.js';
import { context, launchChromium, login } from './browser.js';

const ADDRESS = 'support@parley.test';
let p: TestParley;
let browser: Browser;
let inboxId: string;

const mail = (from: string, id: string, subject: string, body: string, headers: string[] = []) => Buffer.from([
  `From: ${from}`, `To: ${ADDRESS}`, `Subject: ${subject}`, `Date: ${new Date(Date.now() - 60_000).toUTCString()}`, `Message-ID: <${id}>`,
  ...headers, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, '',
].join('\r\n'));

/** Parses a raw mail with the email connector's parser and stores it in the inbox; returns its conversation id. */
async function deliver(raw: Buffer): Promise<string> {
  const r = await ingest(p.deps, { id: inboxId, channel: 'email' }, await parseEmail(raw, { address: ADDRESS }));
  return r.inserted[0].conversationId;
}

beforeAll(async () => {
  p = await startTestParley();
  browser = await launchChromium();
  // Never polled (the test server runs no scheduler): mail arrives through deliver().
  const r = await p.api.post('/api/v1/inboxes', { name: 'Support mail', channel: 'email', config: {
    address: ADDRESS, allowPlaintext: true,
    imap: { host: '127.0.0.1', port: 9, secure: false, user: 'u', password: 'p' }, smtp: { host: '127.0.0.1', port: 9, secure: false },
  } });
  expect(r.status).toBe(201);
  inboxId = r.body.id;
});
afterAll(async () => {
  await browser?.close();
  await p?.stop();
});

describe('email messages in the web app', () => {
  it('marks mailing-list mail on the message and labels its conversation; a person\'s mail has no mark', async () => {
    const list = await deliver(mail('Dev list <dev@lists.example.org>', 'l1@lists.example.org', '[dev] Release 2.0', 'Release notes inside.', ['List-Id: Developers <dev.lists.example.org>']));
    const person = await deliver(mail('Li Na <li.na@example.com>', 'p1@example.com', 'Card refused', 'My card is refused.'));
    const page = await (await context(browser)).newPage();
    await login(page, p.url, 'admin@test.local', 'admin-password');
    await page.goto(`${p.url}/#/inbox/${list}`);
    const msg = page.locator('.msg', { hasText: 'Release notes inside.' });
    await msg.waitFor();
    await expect(msg.locator('.bulk-chip').innerText()).resolves.toBe('Mailing list');
    await expect(msg.locator('.bulk-chip').getAttribute('title')).resolves.toContain('Developers <dev.lists.example.org>');
    await expect(page.locator(`#conv-list [data-id="${list}"] .chip`, { hasText: 'bulk' }).count()).resolves.toBe(1);
    await page.goto(`${p.url}/#/inbox/${person}`);
    await page.locator('.msg', { hasText: 'My card is refused.' }).waitFor();
    await expect(page.locator('.bulk-chip').count()).resolves.toBe(0);
  });

  it('a reply shows only the new text; "Show quoted text" opens the trimmed history; mail without a quote has no toggle', async () => {
    const conv = await deliver(mail('Sun Hao <sun.hao@example.com>', 'q1@example.com', 'Re: Phone number', [
      'It works now, thanks!', '', '在 2026年11月25日 10:30，Parley Support <support@parley.test> 写道：', '> Please update the app to 5.2.2 and <b>try</b> again.', '> Regards',
    ].join('\r\n')));
    await deliver(mail('Sun Hao <sun.hao@example.com>', 'q2@example.com', 'Re: Phone number', 'One more thing: the code came late.', ['In-Reply-To: <q1@example.com>']));
    const page = await (await context(browser)).newPage();
    await login(page, p.url, 'admin@test.local', 'admin-password');
    await page.goto(`${p.url}/#/inbox/${conv}`);
    const reply = page.locator('.msg', { hasText: 'It works now, thanks!' });
    await reply.waitFor();
    const quoted = reply.locator('details.quoted');
    await expect(quoted.locator('summary').innerText()).resolves.toBe('Show quoted text');
    expect(await quoted.locator('.quoted-text').isVisible()).toBe(false);
    await quoted.locator('summary').click();
    const text = await quoted.locator('.quoted-text').innerText();
    expect(text).toContain('写道');
    expect(text).toContain('> Please update the app to 5.2.2 and <b>try</b> again.'); // as text, never as markup
    expect(await reply.locator('.msg-body b').count()).toBe(0);
    const later = page.locator('.msg', { hasText: 'One more thing' });
    await later.waitFor();
    await expect(later.locator('details.quoted').count()).resolves.toBe(0);
  });

  it('linked conversations show a link to each other in both headers; following it opens the other one', async () => {
    const a = await deliver(mail('Rae <rae@example.com>', 'k1@example.com', 'Call me', 'Please call me back.'));
    const b = await deliver(mail('Rae <rae@example.com>', 'k2@example.com', 'Other topic', 'Following up here.'));
    await p.deps.store.atomically([linkConversationsStmt(a, b, Date.now(), null)]);
    const page = await (await context(browser)).newPage();
    await login(page, p.url, 'admin@test.local', 'admin-password');
    await page.goto(`${p.url}/#/inbox/${a}`);
    await page.locator('.msg', { hasText: 'Please call me back.' }).waitFor();
    const link = page.locator(`.linked-conv[data-linked="${b}"]`);
    await expect(link.innerText()).resolves.toContain('Linked conversation');
    await link.click();
    await page.locator('.msg', { hasText: 'Following up here.' }).waitFor();
    await page.locator(`.linked-conv[data-linked="${a}"]`).waitFor();
    await expect(page.locator(`.linked-conv[data-linked="${a}"]`).count()).resolves.toBe(1);
    // An action's answer (the plain view) keeps the links shown.
    await page.click('#assign-me');
    await page.waitForSelector('#assign-me[disabled]');
    await expect(page.locator(`.linked-conv[data-linked="${a}"]`).count()).resolves.toBe(1);
  });
});
