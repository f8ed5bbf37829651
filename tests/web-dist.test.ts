// Node serves the web app from dist/web only while that build is newer than the sources.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWebDist } from '../src/web/dist.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-dist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'assets'));
writeFileSync(join(dir, 'assets/app.js'), 'app();');
writeFileSync(join(dir, 'assets/app.css'), 'body{}');
writeFileSync(join(dir, 'widget.js'), 'widget();');
writeFileSync(join(dir, 'web-assets.json'), JSON.stringify({ version: 'abc123' }));

describe('built web assets', () => {
  it('are served when built after the last source change', () => {
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'web-assets.json'), later, later);
    expect(readWebDist(dir)).toEqual({ appJs: 'app();', appCss: 'body{}', widgetJs: 'widget();', version: 'abc123' });
  });
  it('are ignored when a source is newer (the app then builds in memory) or nothing was built', () => {
    utimesSync(join(dir, 'web-assets.json'), new Date(0), new Date(0));
    expect(readWebDist(dir)).toBeNull();
    expect(readWebDist(join(dir, 'missing'))).toBeNull();
  });
});
