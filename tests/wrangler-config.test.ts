// wrangler.toml bundles and binds offline (`wrangler deploy --dry-run`, as CI runs it), and
// its D1 migrations are drizzle-kit's output, the files Node applies at start.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../drizzle.config.js';

const root = join(import.meta.dirname, '..');

describe('wrangler.toml', () => {
  it('uses drizzle-kit\'s migrations folder and the Workers entry', () => {
    const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
    expect(toml).toMatch(/^main = "src\/runtime\/worker\.ts"$/m);
    expect(toml).toMatch(/compatibility_flags = \["nodejs_compat"\]/);
    const dir = toml.match(/^migrations_dir = "(.+)"$/m)![1];
    expect(join(root, dir)).toBe(join(root, (config as { out: string }).out));
  });

  it('deploys as a dry run offline with every binding', () => {
    const out = mkdtempSync(join(tmpdir(), 'parley-wrangler-'));
    try {
      const r = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', out], { cwd: root, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' } });
      expect(r.status, r.stderr).toBe(0);
      for (const binding of ['env.DB', 'env.JOBS', 'env.EVENTS_HUB (EventHub)', 'env.FILES', 'env.ASSETS']) expect(r.stdout).toContain(binding);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
