// The sandbox end to end: `npm run demo` as a newcomer runs it, every channel flowing in from
// its fake platform, and an agent's reply reaching each fake and drawing the customer's answer.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type Api } from './helpers/parley.js';

// The channels with a sandbox, as the server lists them (the demo reads the same list).
let CHANNELS: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'parley-demo-'));
let child: ChildProcess;
let api: Api;

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  child = spawn('npx', ['tsx', 'src/runtime/demo.ts'], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', PARLEY_DB: join(dir, 'demo.db'), PARLEY_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += String(d); });
  child.stderr!.on('data', (d) => { out += String(d); });
  const [url, token] = await until('the sandbox banner', async () => {
    const m = /running on (http:\/\/\S+)[\s\S]*API token: (prl_[\w-]+)/.exec(out);
    return m ? [m[1], m[2]] as const : undefined;
  }, 60_000);
  api = apiClient(url, token);
  const listed = (await api.get('/api/v1/channels')).body.data as { kind: string; sandbox: boolean }[];
  CHANNELS = listed.filter((c) => c.sandbox).map((c) => c.kind);
}, 90_000);
afterAll(() => {
  child?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run demo', () => {
  it('brings a conversation in on every channel, and every channel carries the reply back', async () => {
    // Every channel but those without a fake (email needs real IMAP/SMTP servers) has one.
    expect(CHANNELS).toContain('webchat');
    expect(CHANNELS.length).toBeGreaterThan(5);
    const convs = await until('a conversation per channel', async () => {
      const r = await api.get('/api/v1/conversations?limit=100');
      const byChannel = new Map<string, any>();
      for (const c of r.body.data) if (!byChannel.has(c.channel)) byChannel.set(c.channel, c);
      return CHANNELS.every((ch) => byChannel.has(ch)) ? byChannel : undefined;
    });
    for (const ch of CHANNELS) {
      const c = convs.get(ch);
      expect(c.lastMessage.direction).toBe('in');
      expect(c.assigneeId).not.toBeNull();
      const reply = await api.post(`/api/v1/conversations/${c.id}/messages`, { content: `Reply on ${ch} 您好` });
      expect(reply.status).toBe(201);
    }
    // Each reply is delivered through its connector, and the simulated customer answers it.
    for (const ch of CHANNELS) {
      const c = convs.get(ch);
      await until(`delivery and an answer on ${ch}`, async () => {
        const msgs = (await api.get(`/api/v1/conversations/${c.id}/messages?limit=100`)).body.data;
        const ours = msgs.findIndex((m: any) => m.content === `Reply on ${ch} 您好`);
        return ours >= 0 && msgs[ours].deliveryStatus !== 'queued' && msgs.slice(ours + 1).some((m: any) => m.direction === 'in')
          ? msgs[ours] : undefined;
      });
      const msgs = (await api.get(`/api/v1/conversations/${c.id}/messages?limit=100`)).body.data;
      expect(msgs.find((m: any) => m.content === `Reply on ${ch} 您好`).deliveryStatus).not.toBe('failed');
    }
  }, 120_000);
  it('has the AI assistant wired to the fake provider: a suggested reply grounded in the FAQ', async () => {
    const convs = (await api.get('/api/v1/conversations?limit=100')).body.data;
    const c = convs.find((x: any) => x.channel === 'webchat');
    const r = await api.post(`/api/v1/conversations/${c.id}/assistant/reply`);
    expect(r.status).toBe(200);
    expect(r.body.text.length).toBeGreaterThan(0);
    expect(r.body.callId).toBeTruthy();
    const log = await api.get('/api/v1/assistant/calls?limit=5');
    expect(log.body.data[0]).toMatchObject({ action: 'reply', status: 'ok', model: 'sandbox-chat' });
  });
});
