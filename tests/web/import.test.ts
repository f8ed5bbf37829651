// The admin page for a mailbox with history, in real Chromium against a real dovecot: the new
// inbox form offers the first-connect choice (sent as importHistory/importDays), and the inbox
// page shows the import's progress with pause / resume.
import type { Browser } from 'playwright-core';
import { expect, it } from 'vitest';
import { pollInbox } from '../../src/domain/ingest/polling.js';
import { emailInboxConfig, startTestDovecot } from '../helpers/dovecot.js';
import { fixture } from '../helpers/fixture.js';
import { startTestParley } from '../helpers/parley.js';
import { context, launchChromium, login, shot } from './browser.js';

const dv = fixture(startTestDovecot);
const p = fixture(() => startTestParley());
const browser = fixture<Browser>(launchChromium);

it('creates an email inbox importing the last 14 days; its page shows done / total and pauses the import', async () => {
  for (let i = 0; i < 30; i++) {
    await dv.append([`From: c${i}@example.com`, `Subject: Q ${i}`, `Message-ID: <web-${i}@example.com>`, 'Content-Type: text/plain', '', `body ${i}`, ''].join('\r\n'));
  }
  const ctx = await context(browser);
  const page = await ctx.newPage();
  await login(page, p.url, 'admin@test.local', 'admin-password');
  await page.goto(`${p.url}/#/admin/inboxes`);
  await page.selectOption('#new-inbox-channel', 'email');
  expect(await page.isVisible('#new-inbox-history')).toBe(true);
  await page.selectOption('#new-inbox-history', 'recent');
  await page.fill('#new-inbox-days', '14');
  await page.fill('#new-inbox input[name=name]', 'Support mail');
  await page.fill('#new-inbox textarea[name=config]', JSON.stringify(emailInboxConfig(dv, { batchSize: 10, pollSeconds: 3600 })));
  await page.click('#new-inbox button[type=submit]');
  await page.locator('#inbox-created').getByText('Support mail').waitFor();
  const inbox = (await p.api.get('/api/v1/inboxes')).body.data.find((i: any) => i.name === 'Support mail');
  expect(inbox.config).toMatchObject({ importHistory: 'recent', importDays: 14 });

  // One batch of the import done (the test drives polling), then the inbox page.
  await pollInbox(p.deps, (await p.store.get('SELECT * FROM inboxes WHERE id = ?', [inbox.id]))!);
  await page.goto(`${p.url}/#/admin/inboxes/${inbox.id}`);
  await page.locator('#import-progress').getByText('10 / 30').waitFor();
  expect(await page.locator('#import-card progress').getAttribute('max')).toBe('30');
  await shot(page, 'import-progress');
  await page.click('#import-toggle');
  await page.locator('#import-progress').getByText('Paused').waitFor();
  expect((await p.api.get(`/api/v1/inboxes/${inbox.id}`)).body.import.state).toBe('paused');
  await page.click('#import-toggle');
  await page.locator('#import-progress').getByText('Importing').waitFor();
  await ctx.close();
}, 60_000);
