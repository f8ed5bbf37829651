// Telegram end to end against the fake Bot API on loopback: polling and webhook.
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTelegramWebhook, telegram } from '../connectors/telegram/index.js';
import { startTelegramFake, type TelegramFake } from '../connectors/telegram/fake.js';
import { manualClock } from '../src/domain/core/clock.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { pollInbox } from '../src/domain/ingest/polling.js';
import { startParley } from '../src/runtime/server.js';
import { fixture } from './helpers/fixture.js';
import { expectRateLimitedReplySentOnce } from './helpers/outbox.js';
import { startTestParley, type TestParley } from './helpers/parley.js';

const clock = manualClock(Date.now());
const p = fixture(() => startTestParley({ clock }));
let fake: TelegramFake;
beforeEach(async () => { clock.set(Date.now() + 1000); fake = await startTelegramFake(); });
afterEach(() => fake.close());

async function createInbox(config: Record<string, unknown>, parley: TestParley = p) {
  const r = await parley.api.post('/api/v1/inboxes', { name: `Telegram ${Math.random()}`, channel: 'telegram', config });
  expect(r.status).toBe(201);
  return r.body.id as string;
}
const poll = async (inboxId: string) => pollInbox(p.deps, (await p.store.get('SELECT * FROM inboxes WHERE id = ?', [inboxId]))!);
const messagesOf = (inboxId: string) => p.store.all<{ direction: string; content: string; external_id: string; delivery_status: string; sender_type: string }>(
  'SELECT * FROM messages WHERE inbox_id = ? ORDER BY created_at, id', [inboxId]);
const conversations = async (inboxId: string) => (await p.api.get(`/api/v1/conversations?inboxId=${inboxId}`)).body.data as any[];
const liNa = { id: 81001, first_name: 'Li', last_name: 'Na', username: 'lina88' };
const webhookSecret = 'tg-secret-0123456789abcdef';

describe('Telegram polling', () => {
  it('getUpdates brings a customer message into a conversation; the offset cursor confirms it', async () => {
    const inboxId = await createInbox(fake.inboxConfig());
    await fake.customerWrites({ from: liNa, text: '我的银行卡绑定不上' });
    const { update: last } = await fake.customerWrites({ from: liNa, text: 'card ends 4421' });
    expect(await poll(inboxId)).toEqual({ ingested: 2 });
    const first = fake.calls.filter((c) => c.method === 'getUpdates')[0].body;
    expect(first).toMatchObject({ limit: 100, timeout: 0 });
    expect(first.offset).toBeUndefined();

    const [conv] = await conversations(inboxId);
    expect(conv).toMatchObject({ channel: 'telegram', unreadCount: 2, contact: { name: 'Li Na' }, lastMessage: { content: 'card ends 4421' } });
    const ident = await p.store.get('SELECT * FROM contact_identities WHERE inbox_id = ?', [inboxId]);
    expect(ident).toMatchObject({ external_id: String(liNa.id), handle: 'lina88' });
    const row = await p.store.get('SELECT thread_key FROM conversations WHERE id = ?', [conv.id]);
    expect(row!.thread_key).toBe(String(liNa.id));

    expect(await poll(inboxId)).toEqual({ ingested: 0 });
    const second = fake.calls.filter((c) => c.method === 'getUpdates')[1].body;
    expect(second.offset).toBe(last.update_id + 1);
    expect(fake.updates).toEqual([]);
  });

  it('the offset survives a restart on the same database file', async () => {
    const a = await startTestParley();
    const inboxId = await createInbox(fake.inboxConfig(), a);
    const u1 = await fake.customerWrites({ from: liNa, text: 'before restart' });
    expect(await pollInbox(a.deps, (await a.store.get('SELECT * FROM inboxes WHERE id = ?', [inboxId]))!)).toEqual({ ingested: 1 });
    await a.close();

    const b = await startParley({ port: 0, dbFile: join(a.dir, 'parley.db'), scheduler: false, secret: 'test-secret-test-secret', log: pino({ level: 'silent' }), bootstrapAdmin: false });
    try {
      const u2 = await fake.customerWrites({ from: liNa, text: 'after restart' });
      const before = fake.calls.length;
      expect(await pollInbox(b.deps, (await b.store.get('SELECT * FROM inboxes WHERE id = ?', [inboxId]))!)).toEqual({ ingested: 1 });
      const call = fake.calls.slice(before).find((c) => c.method === 'getUpdates')!;
      expect(call.body.offset).toBe(u1.update.update_id + 1);
      const cursor = await b.store.get<{ cursor: string }>("SELECT cursor FROM connector_cursors WHERE inbox_id = ?", [inboxId]);
      expect(cursor!.cursor).toBe(String(u2.update.update_id + 1));
      const msgs = await b.store.all('SELECT content FROM messages WHERE inbox_id = ? ORDER BY created_at, id', [inboxId]);
      expect(msgs.map((m) => m.content)).toEqual(['before restart', 'after restart']);
    } finally {
      await b.close();
      (await import('node:fs')).rmSync(a.dir, { recursive: true, force: true });
    }
  });

  it('messages from bots are not customer messages', async () => {
    const inboxId = await createInbox(fake.inboxConfig());
    await fake.customerWrites({ from: { id: 99, first_name: 'OtherBot', is_bot: true }, text: 'beep' });
    expect(await poll(inboxId)).toEqual({ ingested: 0 });
    expect(await messagesOf(inboxId)).toEqual([]);
  });

  it('an update of an unknown shape is skipped without stalling the page or the offset', async () => {
    const inboxId = await createInbox(fake.inboxConfig());
    await fake.customerWrites({ from: liNa, text: 'before' });
    const bad = fake.queueMalformed();
    await fake.customerWrites({ from: liNa, text: 'after' });
    expect(await poll(inboxId)).toEqual({ ingested: 2 });
    expect((await messagesOf(inboxId)).map((m) => m.content)).toEqual(['before', 'after']);
    expect(await poll(inboxId)).toEqual({ ingested: 0 });
    expect(fake.calls.filter((c) => c.method === 'getUpdates').at(-1)!.body.offset).toBeGreaterThan(bad);
    expect(fake.updates).toEqual([]);
  });

  it('a 429 on getUpdates postpones the next poll by retry_after', async () => {
    const inboxId = await createInbox(fake.inboxConfig({ pollSeconds: 5 }));
    fake.failNext(1, 429, { method: 'getUpdates', retryAfter: 120 });
    expect(await poll(inboxId)).toBeNull();
    const row = await p.store.get<{ next_poll_at: number; health_error: string }>('SELECT * FROM inboxes WHERE id = ?', [inboxId]);
    expect(row!.next_poll_at - clock.now()).toBe(120_000);
    expect(row!.health_error).toMatch(/429/);
  });
});

describe('Telegram replies', () => {
  async function conversationWithCustomer() {
    const inboxId = await createInbox(fake.inboxConfig());
    const { update } = await fake.customerWrites({ from: liNa, text: 'No confirmation SMS' });
    await poll(inboxId);
    const [conv] = await conversations(inboxId);
    return { inboxId, conv, update };
  }

  it('sendMessage carries chat_id, text and reply_parameters for the customer message', async () => {
    const { inboxId, conv, update } = await conversationWithCustomer();
    expect((await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: '已为您重新发送' })).status).toBe(201);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, sent: 1 });
    expect(fake.sends).toEqual([{ chat_id: liNa.id, text: '已为您重新发送', reply_parameters: { message_id: update.message!.message_id, allow_sending_without_reply: true } }]);
    const out = (await messagesOf(inboxId)).find((m) => m.direction === 'out')!;
    expect(out.delivery_status).toBe('sent');
    expect(out.external_id).toMatch(new RegExp(`^${liNa.id}:\\d+$`));
  });

  it('a 429 with retry_after is honoured, then the reply is sent exactly once', async () => {
    const { conv } = await conversationWithCustomer();
    await expectRateLimitedReplySentOnce(p, clock, conv.id, 'retry me', () => fake.failNext(1, 429, { method: 'sendMessage', retryAfter: 42 }), 30_000, 13_000);
    expect(fake.sends.map((s) => s.text)).toEqual(['retry me']);
  });

  it('a bot blocked by the user (403) fails the reply for good', async () => {
    const { inboxId, conv } = await conversationWithCustomer();
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'hello?' });
    fake.failNext(1, 403, { method: 'sendMessage' });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ failed: 1 });
    const out = (await messagesOf(inboxId)).find((m) => m.direction === 'out')!;
    expect(out.delivery_status).toBe('failed');
    expect(fake.sends).toEqual([]);
  });
});

describe('Telegram webhook', () => {
  it('webhook mode requires a secret token and does not poll', async () => {
    const r = await p.api.post('/api/v1/inboxes', { name: 'tg', channel: 'telegram', config: fake.inboxConfig({ mode: 'webhook' }) });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_config');
    expect(r.body.error.message).toMatch(/secretToken/);
    expect(telegram.pollSeconds!(telegram.config.parse(fake.inboxConfig({ mode: 'webhook', secretToken: webhookSecret })))).toBeNull();
    expect(telegram.pollSeconds!(telegram.config.parse(fake.inboxConfig()))).toBe(5);
  });

  it('a webhook update with the secret token opens a conversation; 3 deliveries store one message', async () => {
    const config = fake.inboxConfig({ mode: 'webhook', secretToken: webhookSecret });
    const inboxId = await createInbox(config);
    const url = `${p.url}/webhooks/${inboxId}`;
    await setTelegramWebhook(telegram.config.parse(config), url);
    expect(fake.webhook).toEqual({ url, secret_token: webhookSecret });
    const { update, delivery } = await fake.customerWrites({ from: liNa, text: 'Transaction failed' });
    expect(delivery!.status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await fake.pushWebhook(url, update)).status).toBe(200);
    expect((await messagesOf(inboxId)).map((m) => m.content)).toEqual(['Transaction failed']);
    const [conv] = await conversations(inboxId);
    expect(conv.contact.name).toBe('Li Na');
  });

  it('a wrong or missing secret token is refused with 401 and nothing is stored', async () => {
    const inboxId = await createInbox(fake.inboxConfig({ mode: 'webhook', secretToken: webhookSecret }));
    const url = `${p.url}/webhooks/${inboxId}`;
    const update = { update_id: 1, message: { message_id: 1, from: { id: 5, is_bot: false, first_name: 'Eve' }, chat: { id: 5, type: 'private' }, date: 1, text: 'forged' } };
    expect((await fake.pushWebhook(url, update, { secretToken: 'wrong-secret-0123456789' })).status).toBe(401);
    expect((await fake.pushWebhook(url, update, { secretToken: null })).status).toBe(401);
    expect((await fake.pushWebhook(url, update, { secretToken: webhookSecret.slice(0, -1) })).status).toBe(401);
    expect(await messagesOf(inboxId)).toEqual([]);
    // A polling inbox without a secret takes no webhook calls at all.
    const pollingInbox = await createInbox(fake.inboxConfig());
    expect((await fake.pushWebhook(`${p.url}/webhooks/${pollingInbox}`, update, { secretToken: null })).status).toBe(401);
    expect(await messagesOf(pollingInbox)).toEqual([]);
  });
});
