// Node: the built web assets in dist/web (scripts/build-web.ts), read once per process.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebAssets } from './build.js';

export const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/web');

const SOURCES = dirname(fileURLToPath(import.meta.url));

/** Newest modification time of the browser sources (src/web/app, src/web/widget). */
function newestSource(): number {
  let newest = 0;
  for (const sub of ['app', 'widget']) {
    for (const f of readdirSync(join(SOURCES, sub))) newest = Math.max(newest, statSync(join(SOURCES, sub, f)).mtimeMs);
  }
  return newest;
}

/**
 * The built files, or null when nothing was built or the sources changed since (then the app
 * builds in memory, so an edit is never served stale).
 */
export function readWebDist(dir = WEB_DIST): WebAssets | null {
  const manifest = join(dir, 'web-assets.json');
  if (!existsSync(manifest) || statSync(manifest).mtimeMs < newestSource()) return null;
  const read = (p: string) => readFileSync(join(dir, p), 'utf8');
  return { appJs: read('assets/app.js'), appCss: read('assets/app.css'), widgetJs: read('widget.js'), version: (JSON.parse(read('web-assets.json')) as { version: string }).version };
}
