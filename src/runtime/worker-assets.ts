// Workers: the web app's built files from the static assets binding (dist/web, built by
// `npm run build:web`). Static assets answer /, /assets/* and /widget.js before the Worker
// runs; this serves the few pages the Worker renders around them.
import type { WebAssets } from '../web/build.js';
import type { Fetcher } from './worker-env.js';

export function assetsFromBinding(assets: Fetcher): () => Promise<WebAssets> {
  const read = async (path: string) => {
    const res = await assets.fetch(`https://assets${path}`);
    if (!res.ok) throw new Error(`static asset ${path}: ${res.status}`);
    return res.text();
  };
  return async () => {
    const [appJs, appCss, widgetJs, manifest] = await Promise.all([read('/assets/app.js'), read('/assets/app.css'), read('/widget.js'), read('/web-assets.json')]);
    return { appJs, appCss, widgetJs, version: (JSON.parse(manifest) as { version: string }).version };
  };
}
