// The API channel end to end: a fake customer system posts signed messages and receives the
// replies on its callback URL, all over loopback HTTP.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parleySignature } from '../connectors/api/index.js';
import { startApiFake, type ApiFake } from '../connectors/api/fake.js';
import { manualClock } from '../src/domain/core/clock.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { startTestParley, type TestParley } from './helpers/parley.js';

let p: TestParley;
let fake: ApiFake;
const clock = manualClock(Date.now());

beforeAll(async () => { p = await startTestParley({ clock }); });
afterAll(() => p.stop());
beforeEach(async () => { clock.set(Date.now()); fake = await startApiFake(); });
afterEach(() => fake.close());

async function createInbox(config: Record<string, unknown> = fake.inboxConfig()) {
  const r = await p.api.post('/api/v1/inboxes', { name: `API ${Math.random()}`, channel: 'api', config });
  expect(r.status).toBe(201);
  return { inboxId: r.body.id as string, url: `${p.url}/webhooks/${r.body.id}` };
}
const messagesOf = (inboxId: string) => p.store.all<{ id: string; direction: string; content: string; external_id: string; delivery_status: string; error: string | null }>(
  'SELECT * FROM messages WHERE inbox_id = ? ORDER BY created_at, id', [inboxId]);
const conversations = async (inboxId: string) => (await p.api.get(`/api/v1/conversations?inboxId=${inboxId}`)).body.data as any[];
const contact = { id: 'cust-1001', name: '张伟', email: 'zhang.wei@example.com' };

describe('API channel inbound', () => {
  it('a signed message opens a conversation threaded by the caller\'s conversationId', async () => {
    const { inboxId, url } = await createInbox();
    const r1 = await fake.sendMessage(url, { conversationId: 'T-1', contact, content: '交易失败了', sentAt: new Date(Date.now() - 60_000).toISOString() });
    expect(r1.status).toBe(200);
    await fake.sendMessage(url, { conversationId: 'T-1', contact, content: 'order 8812' });
    await fake.sendMessage(url, { conversationId: 'T-2', contact, content: 'another topic' });
    const convs = await conversations(inboxId);
    expect(convs).toHaveLength(2);
    const t1 = await p.store.get('SELECT * FROM conversations WHERE inbox_id = ? AND thread_key = ?', [inboxId, 'T-1']);
    expect(t1).toMatchObject({ message_count: 2, unread_count: 2 });
    const ct = await p.store.get('SELECT ct.name, ct.email, ci.external_id FROM contacts ct JOIN contact_identities ci ON ci.contact_id = ct.id WHERE ci.inbox_id = ?', [inboxId]);
    expect(ct).toEqual({ name: '张伟', email: 'zhang.wei@example.com', external_id: 'cust-1001' });
    const msgs = await messagesOf(inboxId);
    expect(msgs.map((m) => m.external_id)).toContain(r1.payload.messageId);
  });

  it('the same message sent 3 times is stored once', async () => {
    const { inboxId, url } = await createInbox();
    const first = await fake.sendMessage(url, { messageId: 'm-1', conversationId: 'T-9', contact, content: 'account locked' });
    expect(first.status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await fake.sendMessage(url, first.payload)).status).toBe(200);
    expect((await messagesOf(inboxId)).map((m) => m.content)).toEqual(['account locked']);
  });

  it('bad, missing, stale or wrongly keyed signatures are refused with 401 and nothing is stored', async () => {
    const { inboxId, url } = await createInbox();
    const msg = { conversationId: 'T-x', contact, content: 'forged' };
    expect((await fake.sendMessage(url, msg, { signature: 'sha256=' + '0'.repeat(64) })).status).toBe(401);
    expect((await fake.sendMessage(url, msg, { signature: null })).status).toBe(401);
    expect((await fake.sendMessage(url, msg, { secret: 'some-other-secret-of-enough-length' })).status).toBe(401);
    // Correctly signed, but 6 minutes old (a captured request replayed) or 6 minutes ahead.
    expect((await fake.sendMessage(url, msg, { timestamp: Math.floor(Date.now() / 1000) - 360 })).status).toBe(401);
    expect((await fake.sendMessage(url, msg, { timestamp: Math.floor(Date.now() / 1000) + 360 })).status).toBe(401);
    // Signed, then the body changed.
    const ts = Math.floor(Date.now() / 1000);
    const sig = await parleySignature(fake.secret, String(ts), JSON.stringify({ messageId: 'a', ...msg }));
    const tampered = await fake.sendMessage(url, { messageId: 'a', ...msg, content: 'tampered' }, { timestamp: ts, signature: sig });
    expect(tampered.status).toBe(401);
    expect(tampered.body.error.code).toBe('invalid_signature');
    expect(await messagesOf(inboxId)).toEqual([]);
    expect(await p.store.all('SELECT * FROM contact_identities WHERE inbox_id = ?', [inboxId])).toEqual([]);
  });

  it('a signed but malformed body is a 400 that names the problem', async () => {
    const { inboxId, url } = await createInbox();
    const r = await fake.sendMessage(url, { conversationId: 'T', contact, content: '' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_payload');
    expect(await messagesOf(inboxId)).toEqual([]);
  });
});

describe('API channel replies', () => {
  async function conversation(config?: Record<string, unknown>) {
    const { inboxId, url } = await createInbox(config);
    const m = await fake.sendMessage(url, { conversationId: 'ORDER-77', contact, content: '银行卡绑定不上' });
    const [conv] = await conversations(inboxId);
    return { inboxId, conv, inbound: m.payload };
  }

  it('a reply is POSTed to the callback URL, signed, with the documented body', async () => {
    const { inboxId, conv, inbound } = await conversation();
    const reply = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: '请重新绑定一次试试' });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, sent: 1 });
    expect(fake.callbacks).toHaveLength(1);
    const cb = fake.callbacks[0];
    expect(cb.signatureValid).toBe(true);
    expect(cb.headers['x-parley-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(cb.body).toEqual({
      event: 'message.created',
      message: {
        id: reply.body.id, conversationId: 'ORDER-77', parleyConversationId: conv.id, contactId: 'cust-1001',
        content: '请重新绑定一次试试', inReplyTo: inbound.messageId, sentAt: expect.any(String),
      },
    });
    const out = (await messagesOf(inboxId)).find((m) => m.direction === 'out')!;
    expect(out).toMatchObject({ delivery_status: 'sent', external_id: reply.body.id });
  });

  it('a 503 then success delivers the callback exactly once', async () => {
    const { conv } = await conversation();
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'once' });
    fake.failNext(1, 503);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, retried: 1 });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 0 });
    clock.advance(5_000);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, sent: 1 });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 0 });
    expect(fake.callbacks.map((c) => c.body.message.content)).toEqual(['once']);
  });

  it('a 429 with Retry-After and an unreachable callback are retried; a 400 fails the reply', async () => {
    // Unreachable: a port that was just closed.
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/callback`;
    await new Promise<void>((r) => dead.close(() => r()));
    const a = await conversation(fake.inboxConfig({ callbackUrl: deadUrl }));
    await p.api.post(`/api/v1/conversations/${a.conv.id}/messages`, { content: 'nobody home' });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ retried: 1 });
    const err = (await messagesOf(a.inboxId)).find((m) => m.direction === 'out')!.error;
    expect(err).toMatch(/could not be reached/);
    await p.store.run("UPDATE outbox SET status = 'failed' WHERE inbox_id = ?", [a.inboxId]); // out of the way

    const b = await conversation();
    await p.api.post(`/api/v1/conversations/${b.conv.id}/messages`, { content: 'refused' });
    fake.failNext(1, 429, { retryAfter: 30 });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ retried: 1 });
    clock.advance(20_000);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 0 });
    clock.advance(11_000);
    fake.failNext(1, 400);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ failed: 1 });
    const out = (await messagesOf(b.inboxId)).find((m) => m.direction === 'out')!;
    expect(out.delivery_status).toBe('failed');
    expect(out.error).toMatch(/400/);
    expect(fake.callbacks).toEqual([]);
  });

  it('without a callbackUrl the reply is marked sent with its own id and read through the REST API', async () => {
    const { conv } = await conversation({ secret: fake.secret });
    const reply = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'poll for me' });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, sent: 1 });
    const thread = await p.api.get(`/api/v1/conversations/${conv.id}/messages`);
    const out = thread.body.data.find((m: any) => m.id === reply.body.id);
    expect(out).toMatchObject({ direction: 'out', content: 'poll for me', deliveryStatus: 'sent', externalId: reply.body.id });
    expect(fake.callbacks).toEqual([]);
  });

  it('the inbox never shows the secret', async () => {
    const { inboxId } = await createInbox();
    const r = await p.api.get(`/api/v1/inboxes/${inboxId}`);
    expect(JSON.stringify(r.body)).not.toContain(fake.secret);
  });
});
