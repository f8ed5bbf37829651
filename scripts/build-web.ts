// `npm run build:web` (run by npm install's prepare, prestart, pretest and preworker:dev):
// bundles the web app and the widget into dist/web, the static assets both runtimes serve
// (Node from disk, Workers through the assets binding). _headers gives the shell the security
// headers Workers static assets cannot get from the Worker.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { APP_HEADERS, shell } from '../src/web/routes.js';
import { buildWebAssets } from '../src/web/build.js';
import { WEB_DIST } from '../src/web/dist.js';

const a = await buildWebAssets();
const headers = (h: Record<string, string>) => Object.entries(h).map(([k, v]) => `  ${k}: ${v}`).join('\n');
const files: Record<string, string> = {
  'index.html': shell(a.version),
  'assets/app.js': a.appJs,
  'assets/app.css': a.appCss,
  'widget.js': a.widgetJs,
  'web-assets.json': JSON.stringify({ version: a.version }),
  '_headers': `/
${headers({ ...APP_HEADERS, 'cache-control': 'no-cache' })}
/assets/*
  cache-control: public, max-age=31536000, immutable
  x-content-type-options: nosniff
/widget.js
  cache-control: public, max-age=300
  x-content-type-options: nosniff
/web-assets.json
  cache-control: no-cache
`,
};

// The same sources leave dist/web untouched, so a server (or a wrangler dev) serving it while
// another process builds (parallel test files) never sees it half-written.
const same = Object.entries(files).every(([name, text]) => {
  const p = join(WEB_DIST, name);
  return existsSync(p) && readFileSync(p, 'utf8') === text;
});
if (same) {
  console.log(`web assets ${a.version} -> ${WEB_DIST} (unchanged)`);
} else {
  // Written beside it, then swapped in whole.
  const out = `${WEB_DIST}.tmp-${process.pid}`;
  rmSync(out, { recursive: true, force: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(out, name)), { recursive: true });
    writeFileSync(join(out, name), text);
  }
  for (let attempt = 0; ; attempt++) {
    rmSync(WEB_DIST, { recursive: true, force: true });
    try {
      renameSync(out, WEB_DIST);
      break;
    } catch (err) {
      // Another build swapped its copy in between our rm and rename: try again, a few times.
      if (attempt >= 5 || !['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  }
  console.log(`web assets ${a.version} -> ${WEB_DIST}`);
}
