// Node-only: bundles the web app and the widget from TypeScript with esbuild into memory, once
// per process, on first use (routes.ts warms it at start). Nothing is written to disk and
// nothing is fetched: every byte the browser gets is served by Parley.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export interface WebAssets {
  appJs: string;
  appCss: string;
  widgetJs: string;
  /** Short content hash for cache-busting URLs. */
  version: string;
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

async function bundle(entry: string, format: 'esm' | 'iife'): Promise<string> {
  const r = await build({
    entryPoints: [here(entry)], bundle: true, minify: true, write: false, format,
    target: 'es2020', legalComments: 'none', charset: 'utf8',
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

async function hash(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...d.slice(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

let cached: Promise<WebAssets> | null = null;

export function buildWebAssets(): Promise<WebAssets> {
  cached ??= (async () => {
    const [appJs, appCss, widgetJs] = await Promise.all([
      bundle('./app/main.ts', 'esm'), bundle('./app/app.css', 'esm'), bundle('./widget/widget.ts', 'iife'),
    ]);
    return { appJs, appCss, widgetJs, version: await hash(appJs + appCss) };
  })();
  cached.catch(() => { cached = null; });
  return cached;
}
