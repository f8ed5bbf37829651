// The web app's channels are the server's registry: a channel only a test registers (the
// throwaway pigeon connector) is offered in the new-inbox form with its config template, its
// own validation errors come back into the form, and its badge carries its declared colour.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRegistry } from '../../connectors/registry.js';
import { startTestParley, visitorApi, type TestParley } from '../helpers/parley.js';
import { pigeon } from '../helpers/pigeon-channel.js';
import { context, launchChromium, login, shot } from './browser.js';

let p: TestParley;
let browser: Browser;
beforeAll(async () => {
  [p, browser] = await Promise.all([startTestParley({ connectors: createRegistry({ pigeon }) }), launchChromium()]);
}, 30_000);
afterAll(async () => { await browser?.close(); await p?.stop(); });

it('offers a newly registered channel in the inbox form, validates its config and shows its badge', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  await login(page, p.url, 'admin@test.local', 'admin-password');
  await page.goto(`${p.url}/#/admin/inboxes`);
  await page.locator('#new-inbox-channel option[value=pigeon]').waitFor({ state: 'attached' });
  const options = await page.locator('#new-inbox-channel option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent]));
  expect(options).toContainEqual(['pigeon', 'Carrier pigeon (pigeon)']);
  expect(options).toContainEqual(['messenger', 'Facebook Messenger (messenger)']);

  await page.selectOption('#new-inbox-channel', 'pigeon');
  const config = page.locator('#new-inbox textarea[name=config]');
  expect(JSON.parse(await config.inputValue())).toEqual({ loftId: '', sharedKey: '' });
  // Only a channel whose config takes importHistory (email) gets the first-connect choice.
  expect(await page.isVisible('#new-inbox-history')).toBe(false);

  await page.fill('#new-inbox input[name=name]', 'North loft');
  await config.fill(JSON.stringify({ loftId: 'north', sharedKey: 'short' }));
  await page.click('#new-inbox button[type=submit]');
  await page.locator('#new-inbox .error', { hasText: 'config.sharedKey' }).waitFor();

  await config.fill(JSON.stringify({ loftId: 'north', sharedKey: 'coo-coo-coo-coo' }));
  await page.click('#new-inbox button[type=submit]');
  await page.locator('#inbox-created').getByText('North loft').waitFor();
  const badge = page.locator('tr', { hasText: 'North loft' }).locator('.ch');
  await badge.waitFor();
  expect(await badge.textContent()).toBe('PGN');
  expect(await badge.getAttribute('title')).toBe('Carrier pigeon');
  expect(await badge.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(161, 98, 7)');
  await shot(page, 'channels-pigeon-inbox');
  const inbox = (await p.api.get('/api/v1/inboxes')).body.data.find((i: { name: string }) => i.name === 'North loft');
  expect(inbox.channel).toBe('pigeon');
  await ctx.close();
}, 60_000);

it("names a web chat visitor by the channel's publicWidget flag, not by its kind", async () => {
  const inbox = (await p.api.post('/api/v1/inboxes', { name: 'Site', channel: 'webchat', config: {} })).body;
  const session = await p.api.post(`/public/webchat/${inbox.webchatToken}/sessions`, { name: 'Grace' });
  const visitor = visitorApi(p.url, inbox.webchatToken, session.body.visitorToken);
  expect((await visitor.post(`/public/webchat/${inbox.webchatToken}/messages`, { content: 'hello from the site' })).status).toBe(201);
  const conv = (await p.api.get(`/api/v1/conversations?inboxId=${inbox.id}`)).body.data[0];
  const ctx = await context(browser);
  const page = await ctx.newPage();
  await login(page, p.url, 'admin@test.local', 'admin-password');
  await page.goto(`${p.url}/#/inbox/${conv.id}`);
  await page.locator('.identities li', { hasText: 'Website visitor' }).waitFor();
  expect(await page.locator('.identities li .ch').first().textContent()).toBe('WEB');
  await ctx.close();
}, 60_000);
