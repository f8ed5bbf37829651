// WhatsApp Cloud API end to end: the fake pushes signed webhooks (messages, statuses, echoes)
// into a real Parley; replies go out through the outbox to the fake's /messages endpoint.
import { describe, expect, it } from 'vitest';
import { graphErrorBody } from '../connectors/meta/fake-server.js';
import { startWhatsappFake } from '../connectors/whatsapp/fake.js';
import { manualClock } from '../src/domain/core/clock.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { channelFixtures, expectReplyRefused, expectStoredOnce } from './helpers/channel.js';

const clock = manualClock(Date.UTC(2026, 10, 4, 10, 0, 0));
const { fake, p, ch } = channelFixtures(startWhatsappFake, 'whatsapp', 'WhatsApp support', (f) => f.inboxConfig('wa-verify-token'), { clock });

const messageCount = async () => (await p.store.get<{ n: number }>('SELECT count(*) AS n FROM messages WHERE inbox_id = ?', [ch.inboxId]))!.n;

async function replyAndSend(conversationId: string, content: string) {
  const reply = await p.api.post(`/api/v1/conversations/${conversationId}/messages`, { content });
  expect(reply.status).toBe(201);
  expect(await deliverDueOutbox(p.deps)).toMatchObject({ sent: 1 });
  const sent = fake.sent.find((s) => s.text === content)!;
  return { messageId: reply.body.id as string, wamid: sent.messageId };
}

describe('whatsapp connector', () => {
  it('answers the hub.challenge handshake for the right verify token, 403 otherwise', async () => {
    const ok = await fake.verifySubscription(ch.hook, 'wa-verify-token');
    expect(ok).toMatchObject({ status: 200, body: ok.challenge });
    expect((await fake.verifySubscription(ch.hook, 'nope')).status).toBe(403);
  });

  it('a customer message opens a conversation named from contacts[].profile.name, with the phone on the contact', async () => {
    const r = await fake.customerWrites(ch.hook, { waId: '8613800138000', name: '张伟', text: '我的交易失败了，但是余额被扣了', timestamp: clock.now() });
    expect(r.status).toBe(200);
    expect(r.raw).toContain('\\u5f20');
    const conv = await ch.conversationOf('8613800138000');
    expect(conv).toMatchObject({ channel: 'whatsapp', status: 'open', contact: { name: '张伟' }, unreadCount: 1 });
    expect((await ch.messagesOf(conv.id)).map((m) => [m.direction, m.content, m.externalId])).toEqual([['in', '我的交易失败了，但是余额被扣了', r.id]]);
    const contact = await p.store.get<{ name: string; phone: string }>('SELECT name, phone FROM contacts WHERE id = ?', [conv.contact.id]);
    expect(contact).toEqual({ name: '张伟', phone: '+8613800138000' });
    // WhatsApp gives the name in the webhook: no profile lookup is made.
    expect(fake.calls.filter((c) => c.method === 'GET')).toHaveLength(0);
  });

  it('an agent reply reaches the Cloud API with the documented body, quoting the customer, and becomes sent with the wamid', async () => {
    const conv = await ch.conversationOf('8613800138000');
    const [inbound] = await ch.messagesOf(conv.id);
    const reply = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: '您好，请提供交易时间，我们马上核查' });
    expect(reply.status).toBe(201);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, sent: 1 });
    const out = fake.sent.at(-1)!;
    expect(out.body).toEqual({
      messaging_product: 'whatsapp', recipient_type: 'individual', to: '8613800138000', type: 'text',
      text: { body: '您好，请提供交易时间，我们马上核查' }, context: { message_id: inbound.externalId },
    });
    const call = fake.calls.filter((c) => c.method === 'POST').at(-1)!;
    expect(call.path).toBe(`/v25.0/${fake.phoneNumberId}/messages`);
    expect(call.headers.authorization).toBe(`Bearer ${fake.accessToken}`);
    expect(out.messageId).toMatch(/^wamid\./);
    expect((await ch.messagesOf(conv.id)).find((m) => m.id === reply.body.id)).toMatchObject({ deliveryStatus: 'sent', externalId: out.messageId });
  });

  it('statuses[] move our reply to delivered then read, never back, and store no message', async () => {
    const conv = await ch.conversationOf('8613800138000');
    const { messageId, wamid } = await replyAndSend(conv.id, 'Could you share the transaction time?');
    const before = await messageCount();
    const statusOf = async () => (await ch.messagesOf(conv.id)).find((m) => m.id === messageId).deliveryStatus;
    expect((await fake.status(ch.hook, { messageId: wamid, recipientId: '8613800138000', status: 'sent', timestamp: clock.now() })).status).toBe(200);
    expect(await statusOf()).toBe('sent');
    await fake.status(ch.hook, { messageId: wamid, recipientId: '8613800138000', status: 'delivered', timestamp: clock.now() });
    expect(await statusOf()).toBe('delivered');
    await fake.status(ch.hook, { messageId: wamid, recipientId: '8613800138000', status: 'read', timestamp: clock.now() });
    expect(await statusOf()).toBe('read');
    // Statuses can arrive out of order: a late "delivered" does not undo "read".
    await fake.status(ch.hook, { messageId: wamid, recipientId: '8613800138000', status: 'delivered', timestamp: clock.now() });
    expect(await statusOf()).toBe('read');
    expect(await messageCount()).toBe(before);
    expect((await ch.conversationOf('8613800138000')).unreadCount).toBe(0);
  });

  it('a failed status marks the reply failed with WhatsApp\'s error title', async () => {
    await fake.customerWrites(ch.hook, { waId: '447700900123', name: 'Oliver Smith', text: 'My account is locked', timestamp: clock.now() });
    const conv = await ch.conversationOf('447700900123');
    const { messageId, wamid } = await replyAndSend(conv.id, 'We have unlocked it, please try again');
    await fake.status(ch.hook, { messageId: wamid, recipientId: '447700900123', status: 'failed', timestamp: clock.now(), error: { code: 131026, title: 'Message undeliverable' } });
    const m = (await ch.messagesOf(conv.id)).find((x) => x.id === messageId);
    expect(m.deliveryStatus).toBe('failed');
    expect(m.error).toContain('Message undeliverable');
    expect(m.error).toContain('131026');
  });

  it('a bad or missing signature is refused with 401 and nothing is stored', async () => {
    const bad = await fake.customerWrites(ch.hook, { waId: '15550001111', name: 'Mallory', text: 'forged', timestamp: clock.now() }, { signature: 'bad' });
    const none = await fake.customerWrites(ch.hook, { waId: '15550001111', name: 'Mallory', text: 'unsigned', timestamp: clock.now() }, { signature: 'none' });
    expect([bad.status, none.status]).toEqual([401, 401]);
    expect(await ch.countByExternalId(bad.id)).toBe(0);
    expect(await ch.countByExternalId(none.id)).toBe(0);
    expect(await ch.conversationOf('15550001111')).toBeNull();
    // A forged status cannot touch our messages either.
    const conv = await ch.conversationOf('447700900123');
    const before = (await ch.messagesOf(conv.id)).map((m) => m.deliveryStatus);
    const forged = await fake.status(ch.hook, { messageId: fake.sent[0].messageId, recipientId: '8613800138000', status: 'failed', error: { code: 1, title: 'forged' } }, { signature: 'bad' });
    expect(forged.status).toBe(401);
    expect((await ch.messagesOf(conv.id)).map((m) => m.deliveryStatus)).toEqual(before);
  });

  it('the same webhook delivered three times stores one message', async () => {
    const { payload, id } = fake.messagePayload({ waId: '5511987654321', name: 'João', text: 'não recebi a confirmação', timestamp: clock.now() });
    await expectStoredOnce(ch, () => fake.pushWebhook(ch.hook, payload), id);
    expect((await ch.conversationOf('5511987654321')).unreadCount).toBe(1);
  });

  it('429 then success: the reply is sent exactly once', async () => {
    const conv = await ch.conversationOf('5511987654321');
    const reply = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'Vamos verificar a confirmação' });
    fake.failNext(1, { status: 429, retryAfter: 20, body: graphErrorBody(130429, 'Rate limit hit', { error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' } }) });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, retried: 1 });
    const waiting = (await ch.messagesOf(conv.id)).find((m) => m.id === reply.body.id);
    expect(waiting).toMatchObject({ deliveryStatus: 'queued' });
    expect(waiting.error).toContain('Rate limit hit');
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 0 });
    clock.advance(20_001);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, sent: 1 });
    expect(fake.sent.filter((s) => s.text === 'Vamos verificar a confirmação')).toHaveLength(1);
    expect((await ch.messagesOf(conv.id)).find((m) => m.id === reply.body.id)).toMatchObject({ deliveryStatus: 'sent', error: null });
  });

  it('a throttling code on HTTP 400 is retried; a re-engagement refusal fails for good with the platform message', async () => {
    const conv = await ch.conversationOf('5511987654321');
    const reply = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'mais uma coisa' });
    fake.failNext(1, { status: 400, body: graphErrorBody(131056, '(#131056) (Business Account, Consumer Account) pair rate limit hit') });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ retried: 1 });
    clock.advance(3_000);
    fake.failNext(1, { status: 400, body: graphErrorBody(131047, 'Re-engagement message', { error_data: { messaging_product: 'whatsapp', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' } }) });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, failed: 1 });
    const m = (await ch.messagesOf(conv.id)).find((x) => x.id === reply.body.id);
    expect(m.deliveryStatus).toBe('failed');
    expect(m.error).toContain('Re-engagement message');
    expect(m.error).toContain('more than 24 hours');
  });

  it('a message sent from the WhatsApp Business app (echo) is stored as ours, not as a customer message', async () => {
    const conv = await ch.conversationOf('5511987654321');
    const unreadBefore = (await ch.conversationOf('5511987654321')).unreadCount;
    const echo = await fake.businessEcho(ch.hook, { waId: '5511987654321', text: 'respondido pelo app', timestamp: clock.now() });
    expect(echo.status).toBe(200);
    const stored = (await ch.messagesOf(conv.id)).find((m) => m.externalId === echo.id);
    expect(stored).toMatchObject({ direction: 'out', content: 'respondido pelo app' });
    expect(stored.sender.type).not.toBe('contact');
    expect((await ch.conversationOf('5511987654321')).unreadCount).toBe(unreadBefore);
  });

  it('a webhook for another phone number of the same app is ignored', async () => {
    const { payload, id } = fake.messagePayload({ waId: '4915112345678', name: 'Other', text: 'for another number', timestamp: clock.now() });
    (payload.entry[0].changes[0].value as any).metadata.phone_number_id = '999999999999999';
    expect((await fake.pushWebhook(ch.hook, payload)).status).toBe(200);
    expect(await ch.countByExternalId(id)).toBe(0);
  });

  it('a reply more than 24 h after the customer wrote is refused with 422 saying when the window closed', async () => {
    const wroteAt = clock.now();
    await fake.customerWrites(ch.hook, { waId: '8613900139000', name: '刘洋', text: '银行卡绑定不了', timestamp: wroteAt });
    clock.advance(25 * 3_600_000);
    const late = await expectReplyRefused(p, ch, '8613900139000', 'too late', 'reply_window_closed');
    // WhatsApp timestamps are whole seconds.
    expect(late.message).toContain(new Date(Math.floor(wroteAt / 1000) * 1000 + 24 * 3_600_000).toISOString());
  });
});
