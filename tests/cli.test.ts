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

describe('cli access commands', () => {
  it('disables and enables a user, changes a role, resets a password, lists/creates/revokes tokens, ends sessions; all audited', async () => {
    const db = join(dir, 'cli-access.db');
    const env = { ...process.env, PARLEY_DB: db };
    const cli = async (...args: string[]) => JSON.parse((await run('npm', ['run', '--silent', 'cli', '--', ...args], { env })).stdout.trim());
    const admin = await cli('user:create', '--email', 'root@example.com', '--name', 'Root', '--role', 'admin', '--password', 'root-password');
    const agent = await cli('user:create', '--email', 'leaver@example.com', '--name', 'Leaver', '--role', 'agent', '--password', 'leaver-password');
    const p = await startTestParley({ dbFile: db, bootstrapAdmin: false });
    try {
      const login = (email: string, password: string) => fetch(`${p.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      const cookie = ((await login('leaver@example.com', 'leaver-password')).headers.get('set-cookie') ?? '').split(';')[0]!;
      const extra = await cli('token:create', '--email', 'leaver@example.com', '--name', 'deploy', '--expires-days', '30');
      expect(extra).toMatchObject({ userId: agent.id, token: expect.stringMatching(/^prl_/) });
      expect((await cli('user:tokens', '--email', 'leaver@example.com')).tokens.map((t: any) => t.name).sort()).toEqual(['cli', 'deploy']);
      expect((await cli('token:revoke', '--email', 'leaver@example.com', '--id', extra.id))).toEqual({ id: extra.id, revoked: true });

      expect(await cli('user:disable', '--email', 'leaver@example.com')).toMatchObject({ id: agent.id, disabled: true, releasedConversations: 0 });
      // Another process did it: this server's 5 s token cache may still know the token, never the cookie.
      expect((await fetch(`${p.url}/api/v1/me`, { headers: { cookie } })).status).toBe(401);
      expect((await login('leaver@example.com', 'leaver-password')).status).toBe(401);
      await cli('user:enable', '--email', 'leaver@example.com');
      expect(await cli('user:role', '--email', 'leaver@example.com', '--role', 'lead')).toMatchObject({ role: 'lead' });
      const reset = await cli('user:password', '--email', 'leaver@example.com');
      expect(reset.password).toMatch(/^\S{12,}$/);
      expect((await login('leaver@example.com', reset.password)).status).toBe(200);
      expect((await cli('sessions:end', '--email', 'leaver@example.com')).ended).toBe(1);
      await expect(run('npm', ['run', '--silent', 'cli', '--', 'user:disable', '--email', 'nobody@example.com'], { env })).rejects.toMatchObject({ stderr: expect.stringContaining('No user') });

      const log = await apiClient(p.url, admin.token).get('/api/v1/audit-log?limit=100');
      expect(log.body.data.map((e: any) => e.action).reverse()).toEqual(['user.created', 'user.created', 'token.created', 'token.revoked', 'user.disabled', 'user.enabled', 'user.role_changed', 'user.password_set', 'session.ended_all']);
      expect(log.body.data.every((e: any) => e.actor === null && e.clientAddress === 'cli')).toBe(true);
    } finally {
      await p.close();
    }
  }, 180_000); // a dozen CLI runs, each a fresh tsx start: ~17 s alone, over 60 s with the suite in parallel on 2 cores
});
