// `npm run build:web` (run by npm install's prepare, prestart, pretest and preworker:dev):
// bundles the web app and the widget into dist/web, the static assets both runtimes serve
// (Node from disk, Workers through the assets binding). _headers gives the shell the security
// headers Workers static assets cannot get from the Worker.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_HEADERS, shell } from '../src/web/routes.js';
import { buildWebAssets } from '../src/web/build.js';
import { WEB_DIST } from '../src/web/dist.js';

const a = await buildWebAssets();
rmSync(WEB_DIST, { recursive: true, force: true });
mkdirSync(join(WEB_DIST, 'assets'), { recursive: true });
writeFileSync(join(WEB_DIST, 'index.html'), shell(a.version));
writeFileSync(join(WEB_DIST, 'assets/app.js'), a.appJs);
writeFileSync(join(WEB_DIST, 'assets/app.css'), a.appCss);
writeFileSync(join(WEB_DIST, 'widget.js'), a.widgetJs);
writeFileSync(join(WEB_DIST, 'web-assets.json'), JSON.stringify({ version: a.version }));
const headers = (h: Record<string, string>) => Object.entries(h).map(([k, v]) => `  ${k}: ${v}`).join('\n');
writeFileSync(join(WEB_DIST, '_headers'), `/
${headers({ ...APP_HEADERS, 'cache-control': 'no-cache' })}
/assets/*
  cache-control: public, max-age=31536000, immutable
  x-content-type-options: nosniff
/widget.js
  cache-control: public, max-age=300
  x-content-type-options: nosniff
/web-assets.json
  cache-control: no-cache
`);
console.log(`web assets ${a.version} -> ${WEB_DIST}`);
