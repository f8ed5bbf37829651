// Node: the built web assets in dist/web (scripts/build-web.ts), read once per process.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebAssets } from './build.js';

export const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/web');

/** The built files, or null when nothing was built (then the app builds in memory). */
export function readWebDist(dir = WEB_DIST): WebAssets | null {
  if (!existsSync(join(dir, 'web-assets.json'))) return null;
  const read = (p: string) => readFileSync(join(dir, p), 'utf8');
  return { appJs: read('assets/app.js'), appCss: read('assets/app.css'), widgetJs: read('widget.js'), version: (JSON.parse(read('web-assets.json')) as { version: string }).version };
}
