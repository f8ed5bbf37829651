import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, startTestParley } from './helpers/parley.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli user:create', () => {
  it('prints exactly one JSON line with a working token, honouring PARLEY_DB', async () => {
    const db = join(dir, 'cli.db');
    const { stdout } = await run('npm', ['run', '--silent', 'cli', '--', 'user:create', '--email', 'Lin@Example.com', '--name', 'Lin', '--role', 'agent', '--password', 'secret-pass'], { env: { ...process.env, PARLEY_DB: db } });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]);
    expect(out).toMatchObject({ email: 'lin@example.com', role: 'agent' });
    expect(out.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(out.token).toMatch(/^prl_/);
    const p = await startTestParley({ dbFile: db, bootstrapAdmin: false });
    try {
      const me = await apiClient(p.url, out.token).get('/api/v1/me');
      expect(me.body).toMatchObject({ id: out.id, role: 'agent' });
    } finally {
      await p.close();
    }
  });

  it('fails clearly on a bad role or a duplicate email', async () => {
    const env = { ...process.env, PARLEY_DB: join(dir, 'cli2.db') };
    await expect(run('npm', ['run', '--silent', 'cli', '--', 'user:create', '--email', 'a@b.cn', '--name', 'A', '--role', 'boss'], { env })).rejects.toMatchObject({ stderr: expect.stringContaining('--role') });
    await run('npm', ['run', '--silent', 'cli', '--', 'user:create', '--email', 'a@b.cn', '--name', 'A', '--role', 'lead'], { env });
    await expect(run('npm', ['run', '--silent', 'cli', '--', 'user:create', '--email', 'a@b.cn', '--name', 'A', '--role', 'lead'], { env })).rejects.toMatchObject({ stderr: expect.stringContaining('already exists') });
  });
});
