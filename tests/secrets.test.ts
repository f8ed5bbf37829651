// Secrets stay secret: a config pointed somewhere new needs its secrets again; channel,
// webhook and server secrets are sealed at rest (AES-256-GCM), old plaintext stores are
// migrated on start, `secrets:rotate` re-seals under a new key, and neither the API nor a whole
// run's logs ever show a secret.
import { execFile } from 'node:child_process';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { twitterSignature } from '../connectors/twitter/index.js';
import { startTestParley, type TestParley } from './helpers/parley.js';
import { send } from './helpers/workflow.js';
import { assistantConfig, updateAssistantSettings } from '../src/domain/service/assistant/settings.js';

const run = promisify(execFile);
const TG_TOKEN = '123456:tg-bot-token-SECRET-aaaa';
const TG_SECRET = 'tg_webhook_secret_SECRET_bbbb';
const X = { userId: '42', appKey: 'x-app-key-SECRET-cccc', appSecret: 'x-app-secret-SECRET-dddd', accessToken: 'x-access-token-SECRET-eeee', accessSecret: 'x-access-secret-SECRET-ffff', pollSeconds: 0 };
const IMAP_PASSWORD = 'imap-password-SECRET-gggg';
const SMTP_PASSWORD = 'smtp-password-SECRET-hhhh';
const API_SECRET = 'api-channel-secret-SECRET-iiii';
const ALL = [TG_TOKEN, TG_SECRET, X.appSecret, X.accessToken, X.accessSecret, IMAP_PASSWORD, SMTP_PASSWORD, API_SECRET];

const started: TestParley[] = [];
afterAll(async () => { for (const p of started) await p.stop().catch(() => {}); });

const emailConfig = { address: 'support@example.com', allowPlaintext: true,
  imap: { host: 'imap.example.com', port: 993, secure: true, user: 'u', password: IMAP_PASSWORD },
  smtp: { host: 'smtp.example.com', port: 465, secure: true, user: 'u', password: SMTP_PASSWORD } };

async function crcOk(p: TestParley, inboxId: string) {
  const r = await fetch(`${p.url}/webhooks/${inboxId}?crc_token=abc123`);
  return (await r.json()).response_token === await twitterSignature(X.appSecret, 'abc123');
}
const dbText = (p: TestParley) => ['parley.db', 'parley.db-wal'].map((f) => join(p.dir, f)).filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');

describe('changing where secrets are sent', () => {
  it('a PATCH that moves apiBaseUrl, imap.host or smtp.host but keeps a redacted secret is refused, naming the secrets', async () => {
    const p = await startTestParley(); started.push(p);
    const tg = await p.api.post('/api/v1/inboxes', { name: 'TG', channel: 'telegram', config: { botToken: TG_TOKEN, mode: 'webhook', secretToken: TG_SECRET, apiBaseUrl: 'https://api.telegram.org' } });
    expect(tg.status).toBe(201);
    const evil = 'https://collector.example.net';
    let r = await send(p, p.adminToken, 'PATCH', `/api/v1/inboxes/${tg.body.id}`, { config: { apiBaseUrl: evil, botToken: '[redacted]', secretToken: '[redacted]' } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'secrets_required' });
    expect(r.body.error.message).toContain('config.botToken');
    r = await send(p, p.adminToken, 'PATCH', `/api/v1/inboxes/${tg.body.id}`, { config: { apiBaseUrl: evil } });
    expect(r.status).toBe(400);
    r = await send(p, p.adminToken, 'PATCH', `/api/v1/inboxes/${tg.body.id}`, { config: { apiBaseUrl: evil, botToken: '999:new-token-aaaaaaaaaaaaaaaaaaaa', secretToken: 'another_secret_token_1234' } });
    expect(r.status).toBe(200);
    // Same destination: the redacted placeholder keeps the stored value.
    const same = await send(p, p.adminToken, 'PATCH', `/api/v1/inboxes/${tg.body.id}`, { config: { mode: 'webhook', botToken: '[redacted]' } });
    expect(same.body).toMatchObject({ id: tg.body.id });

    const mail = await p.api.post('/api/v1/inboxes', { name: 'Mail', channel: 'email', config: emailConfig });
    r = await send(p, p.adminToken, 'PATCH', `/api/v1/inboxes/${mail.body.id}`, { config: { imap: { ...emailConfig.imap, host: 'imap.evil.example', password: '[redacted]' }, smtp: { ...emailConfig.smtp, host: 'smtp.evil.example', password: '[redacted]' } } });
    expect(r.status).toBe(400);
    expect(r.body.error.details.fields).toEqual(['config.imap.password', 'config.smtp.password']);
    r = await send(p, p.adminToken, 'PATCH', `/api/v1/inboxes/${mail.body.id}`, { config: { imap: { ...emailConfig.imap, password: '[redacted]', mailbox: 'Support' } } });
    expect(r.status).toBe(200);
  });
});

describe('secrets at rest', () => {
  it('sealed in the store, key file 0600, never in API output nor in a whole run\'s logs', async () => {
    const logs: string[] = [];
    const log = pino({ level: 'trace' }, { write: (s: string) => { logs.push(s); } });
    const p = await startTestParley({ log }); started.push(p);
    const key = statSync(join(p.dir, 'secret.key'));
    expect(key.mode & 0o777).toBe(0o600);
    const x = await p.api.post('/api/v1/inboxes', { name: 'X', channel: 'twitter', config: X });
    const tg = await p.api.post('/api/v1/inboxes', { name: 'TG', channel: 'telegram', config: { botToken: TG_TOKEN, mode: 'webhook', secretToken: TG_SECRET, apiBaseUrl: 'http://127.0.0.1:9' } });
    const mail = await p.api.post('/api/v1/inboxes', { name: 'Mail', channel: 'email', config: emailConfig });
    const apiIn = await p.api.post('/api/v1/inboxes', { name: 'API', channel: 'api', config: { secret: API_SECRET } });
    const hook = await p.api.post('/api/v1/webhooks', { url: 'https://hooks.example.com/x', events: ['message.created'] });
    for (const r of [x, tg, mail, apiIn, hook]) expect(r.status).toBe(201);
    const hookSecret = hook.body.secret as string;

    // Things that log: bad signatures, handshakes, a PATCH, lists.
    expect(await crcOk(p, x.body.id)).toBe(true);
    await fetch(`${p.url}/webhooks/${x.body.id}`, { method: 'POST', headers: { 'x-twitter-webhooks-signature': 'sha256=AAAA' }, body: '{}' });
    await fetch(`${p.url}/webhooks/${tg.body.id}`, { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': 'wrong' }, body: '{}' });
    await send(p, p.adminToken, 'PATCH', `/api/v1/inboxes/${tg.body.id}`, { config: { mode: 'webhook', botToken: TG_TOKEN, secretToken: TG_SECRET } });
    const outputs = JSON.stringify([(await p.api.get('/api/v1/inboxes')).body, (await p.api.get(`/api/v1/inboxes/${mail.body.id}`)).body, (await p.api.get('/api/v1/webhooks')).body]);

    const stored = dbText(p);
    for (const s of [...ALL, hookSecret]) {
      expect(outputs, s).not.toContain(s);
      expect(stored, s).not.toContain(s);
    }
    expect(stored).toContain('enc:v1:');
    await p.stop(); started.pop();
    const all = logs.join('');
    expect(all.length).toBeGreaterThan(0);
    for (const s of [...ALL, hookSecret]) expect(all, s).not.toContain(s);
  });

  it('a plaintext store is migrated on start; secrets:rotate re-seals under a new key and the inbox keeps working', async () => {
    const p = await startTestParley({ secret: undefined }); started.push(p);
    const x = await p.api.post('/api/v1/inboxes', { name: 'X', channel: 'twitter', config: X });
    // A store from before encryption at rest: plaintext rows.
    await p.store.run('UPDATE inboxes SET config = ? WHERE id = ?', [JSON.stringify(X), x.body.id]);
    await p.store.run("UPDATE settings SET value = 'old-plain-server-secret' WHERE key = 'secret'");
    await p.store.run(`INSERT INTO outgoing_webhooks(id, url, events, secret, description, active, created_by, created_at)
      VALUES ('wh1', 'https://hooks.example.com', '["message.created"]', 'whsec_plaintext_secret', NULL, 1, NULL, 0)`);
    const dir = p.dir;
    await p.close();

    const again = await startTestParley({ dbFile: join(dir, 'parley.db'), secret: undefined, bootstrapAdmin: false }); started.push(again);
    expect(again.deps.secret).toBe('old-plain-server-secret');
    const row = (await again.store.get<{ config: string }>('SELECT config FROM inboxes WHERE id = ?', [x.body.id]))!;
    expect(row.config).not.toContain(X.appSecret);
    expect(JSON.parse(row.config).appSecret).toMatch(/^enc:v1:/);
    expect((await again.store.get<{ secret: string }>("SELECT secret FROM outgoing_webhooks WHERE id = 'wh1'"))!.secret).toMatch(/^enc:v1:/);
    expect((await again.store.get<{ value: string }>("SELECT value FROM settings WHERE key = 'secret'"))!.value).toMatch(/^enc:v1:/);
    expect(await crcOk(again, x.body.id)).toBe(true);
    const keyBefore = readFileSync(join(dir, 'secret.key'), 'utf8');
    const idBefore = JSON.parse(row.config).appSecret.split(':')[2];
    // The assistant's model key is sealed by the same ring (and re-sealed by the rotation).
    await updateAssistantSettings(again.deps, { enabled: true, baseUrl: 'https://llm.example.com/v1', model: 'm', apiKey: 'sk-model-key-123' });
    const assistantRow = async (q: TestParley) => JSON.parse((await q.store.get<{ value: string }>("SELECT value FROM settings WHERE key = 'assistant.model'"))!.value).apiKeySealed as string;
    expect(await assistantRow(again)).toMatch(new RegExp(`^enc:v1:${idBefore}:`));
    await again.close();

    const { stdout } = await run('npm', ['run', '--silent', 'cli', '--', 'secrets:rotate'], { env: { ...process.env, PARLEY_DB: join(dir, 'parley.db') } });
    const out = JSON.parse(stdout.trim());
    expect(out.resealed).toBe(4);
    expect(out.keyId).not.toBe(idBefore);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8')).not.toBe(keyBefore);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);

    const third = await startTestParley({ dbFile: join(dir, 'parley.db'), secret: undefined, bootstrapAdmin: false }); started.push(third);
    const rotated = (await third.store.get<{ config: string }>('SELECT config FROM inboxes WHERE id = ?', [x.body.id]))!;
    expect(JSON.parse(rotated.config).appSecret.split(':')[2]).toBe(out.keyId);
    expect(await crcOk(third, x.body.id)).toBe(true);
    expect(third.deps.secret).toBe('old-plain-server-secret');
    expect(await assistantRow(third)).toMatch(new RegExp(`^enc:v1:${out.keyId}:`));
    expect((await assistantConfig(third.deps))?.apiKey).toBe('sk-model-key-123');
  });

  it('PARLEY_SECRET_KEY replaces the key file', async () => {
    process.env.PARLEY_SECRET_KEY = 'a'.repeat(64);
    try {
      const p = await startTestParley(); started.push(p);
      expect(existsSync(join(p.dir, 'secret.key'))).toBe(false);
      const x = await p.api.post('/api/v1/inboxes', { name: 'X', channel: 'twitter', config: X });
      expect(await crcOk(p, x.body.id)).toBe(true);
    } finally { delete process.env.PARLEY_SECRET_KEY; }
  });
});
