// The agents' web app (GET /) and the chat widget (GET /widget.js). The browser code lives in
// app/ and widget/ as TypeScript, bundled at build time into dist/web (scripts/build-web.ts);
// Node serves those files, or bundles in memory when nothing was built (build.ts); Workers
// serve them as static assets and pass `assets` read from that binding.
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import type { Deps } from '../domain/deps.js';
import type { WebAssets } from './build.js';

export interface WebOptions { assets?: () => Promise<WebAssets> }

let built: Promise<WebAssets> | null = null;
const loadBuilt = () => (built ??= import('./dist.js').then((d) => d.readWebDist() ?? import('./build.js').then((m) => m.buildWebAssets())));

export const shell = (version: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css?v=${version}">
<script type="module" src="/assets/app.js?v=${version}"></script>
</head><body><div id="app"><noscript>Parley needs JavaScript.</noscript></div></body></html>`;

export const APP_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

export const webRoutes = (deps: Deps, opts: WebOptions = {}) => {
  const load = opts.assets ?? loadBuilt;
  // Build at start so the first visitor does not wait; errors surface on request.
  load().catch((err: Error) => deps.log.error({ err: err.message }, 'web build failed'));
  const app = new Hono();
  const asset = (pick: (a: WebAssets) => string, type: string, cache: string) => async (c: import('hono').Context) => {
    const a = await load();
    return c.body(pick(a), 200, { 'content-type': type, 'cache-control': cache, 'x-content-type-options': 'nosniff' });
  };
  app.use('/assets/*', compress());
  app.use('/widget.js', compress());
  app.get('/', async (c) => {
    const a = await load();
    return c.html(shell(a.version), 200, { ...APP_HEADERS, 'cache-control': 'no-cache' });
  });
  app.get('/assets/app.js', asset((a) => a.appJs, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'));
  app.get('/assets/app.css', asset((a) => a.appCss, 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'));
  // A bare page with the widget on it, so an admin can try a web chat inbox at once
  // (linked from the inbox's admin page). ?lang=zh-CN shows the Chinese widget.
  app.get('/widget-test/:token', (c) => {
    const token = c.req.param('token');
    if (!/^[\w-]{8,100}$/.test(token)) return c.text('Not found', 404);
    const lang = c.req.query('lang') === 'zh-CN' ? 'zh-CN' : 'en';
    return c.html(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley widget test page</title></head><body style="font-family:system-ui,sans-serif;margin:40px">
<h1>${lang === 'zh-CN' ? '聊天插件测试页' : 'Chat widget test page'}</h1>
<p>${lang === 'zh-CN' ? '点击右下角的气泡，像访客一样发消息；在 Parley 收件箱中回复。' : 'Click the bubble at the bottom right and write as a visitor; answer from the Parley inbox.'}</p>
<p><a href="?lang=${lang === 'zh-CN' ? 'en' : 'zh-CN'}">${lang === 'zh-CN' ? 'English' : '简体中文'}</a></p>
<script src="/widget.js" data-token="${token}" async></script></body></html>`, 200, { 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin' });
  });
  // Customers embed this URL; keep it short-cached so fixes reach their sites soon.
  app.get('/widget.js', asset((a) => a.widgetJs, 'text/javascript; charset=utf-8', 'public, max-age=300'));
  return app;
};
