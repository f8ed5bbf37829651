// Real Chromium for the web tests (Debian's chromium; npm test's pretest installs it).
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const SHOTS = 'test-output/screenshots';

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png` });

/** Logs in through the form and waits for the inbox with its live stream connected. */
export async function login(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(baseUrl);
  await page.fill('#login-form input[name=email]', email);
  await page.fill('#login-form input[name=password]', password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#conv-list');
  await page.waitForSelector('#live.on');
}

/** A customer's site on another loopback port, embedding the widget. */
export async function hostSite(html: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/favicon.ico') { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** A context whose waits fail after 10 s with the selector named (before vitest's 30 s timeout). */
export async function context(browser: Browser, opts: BrowserContextOptions = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext(opts);
  ctx.setDefaultTimeout(10_000);
  return ctx;
}

/** A new page (its own context) where startTestParley's bootstrap admin has logged in, opened at `path` of the app. */
export async function adminPage(browser: Browser, baseUrl: string, path: string): Promise<Page> {
  const page = await (await context(browser)).newPage();
  await login(page, baseUrl, 'admin@test.local', 'admin-password');
  await page.goto(baseUrl + path);
  return page;
}
