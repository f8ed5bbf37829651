// Messenger end to end: the fake Graph API pushes signed webhooks into a real Parley, and
// replies go out through the outbox to the fake's Send API.
import { describe, expect, it } from 'vitest';
import { startMessengerFake } from '../connectors/messenger/fake.js';
import { messenger } from '../connectors/messenger/index.js';
import { graphErrorBody } from '../connectors/meta/fake-server.js';
import { classifyGraphFailure, parseRetryAfter } from '../connectors/meta/graph.js';
import { PermanentError, RetryableError } from '../connectors/types.js';
import { hubSignature } from '../connectors/meta/signature.js';
import { manualClock } from '../src/domain/core/clock.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { channelFixtures, expectReplyRefused, expectStoredOnce } from './helpers/channel.js';

const clock = manualClock(Date.UTC(2026, 10, 2, 9, 0, 0));
const { fake, p, ch } = channelFixtures(startMessengerFake, 'messenger', 'Facebook Page', (f) => f.inboxConfig('verify-me-please'), { clock });

describe('messenger connector', () => {
  it('answers the hub.challenge handshake for the right verify token, 403 otherwise; secrets are redacted', async () => {
    const ok = await fake.verifySubscription(ch.hook, 'verify-me-please');
    expect(ok.status).toBe(200);
    expect(ok.body).toBe(ok.challenge);
    const wrong = await fake.verifySubscription(ch.hook, 'not-the-token');
    expect(wrong.status).toBe(403);
    const list = (await p.api.get('/api/v1/inboxes')).body;
    const inbox = (Array.isArray(list) ? list : list.data).find((i: any) => i.id === ch.inboxId);
    expect(inbox.webhookUrl).toContain(`/webhooks/${ch.inboxId}`);
    expect(inbox.config.pageAccessToken).toBe('[redacted]');
    expect(inbox.config.appSecret).toBe('[redacted]');
    expect(inbox.config.pageId).toBe(fake.pageId);
  });

  it('a customer message opens a conversation under the name from the profile API, looked up once', async () => {
    const first = await fake.customerWrites(ch.hook, { psid: 'PSID-1001', name: '王 小明', text: '我的转账失败了，钱已经扣了 / transfer failed', timestamp: clock.now() });
    expect(first.status).toBe(200);
    // Meta escapes non-ASCII on the wire and signs those bytes: re-serialized JSON would not match.
    expect(first.raw).toContain('\\u6211');
    expect(await hubSignature(fake.appSecret, JSON.stringify(JSON.parse(first.raw)))).not.toBe(await hubSignature(fake.appSecret, first.raw));

    const conv = await ch.conversationOf('PSID-1001');
    expect(conv).toMatchObject({ channel: 'messenger', status: 'open', contact: { name: '王 小明' }, unreadCount: 1 });
    const msgs = await ch.messagesOf(conv.id);
    expect(msgs.map((m) => [m.direction, m.content, m.sender.type])).toEqual([['in', '我的转账失败了，钱已经扣了 / transfer failed', 'contact']]);
    const identity = await p.store.get('SELECT channel, contact_id FROM contact_identities WHERE inbox_id = ? AND external_id = ?', [ch.inboxId, 'PSID-1001']);
    expect(identity).toMatchObject({ channel: 'messenger', contact_id: conv.contact.id });

    await fake.customerWrites(ch.hook, { psid: 'PSID-1001', text: 'hello?', timestamp: clock.now() + 1000 });
    const lookups = fake.calls.filter((c) => c.method === 'GET' && c.path.endsWith('/PSID-1001'));
    expect(lookups).toHaveLength(1);
    expect(lookups[0].query.fields).toBe('first_name,last_name');
    expect(lookups[0].headers.authorization).toBe(`Bearer ${fake.pageAccessToken}`);
    expect(await ch.messagesOf(conv.id)).toHaveLength(2);
  });

  it('an agent reply reaches the Send API with the documented body and becomes sent with the platform id', async () => {
    const conv = await ch.conversationOf('PSID-1001');
    const reply = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: '您好，我们正在核实这笔交易' });
    expect(reply.status).toBe(201);
    expect(reply.body.deliveryStatus).toBe('queued');
    const before = fake.sent.length;
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, sent: 1 });
    expect(fake.sent.length).toBe(before + 1);
    const out = fake.sent[fake.sent.length - 1];
    expect(out.body).toEqual({ messaging_type: 'RESPONSE', recipient: { id: 'PSID-1001' }, message: { text: '您好，我们正在核实这笔交易' } });
    const call = fake.calls.filter((c) => c.method === 'POST').pop()!;
    expect(call.path).toBe(`/v25.0/${fake.pageId}/messages`);
    expect(call.headers.authorization).toBe(`Bearer ${fake.pageAccessToken}`);

    let msgs = await ch.messagesOf(conv.id);
    expect(msgs.find((m) => m.id === reply.body.id)).toMatchObject({ deliveryStatus: 'sent', externalId: out.messageId, error: null });

    // Meta echoes our own message back, then reports delivery: still one outbound message.
    expect((await fake.pageEcho(ch.hook, { psid: 'PSID-1001', mid: out.messageId, text: out.text, timestamp: clock.now() })).status).toBe(200);
    expect((await fake.delivered(ch.hook, { psid: 'PSID-1001', mids: [out.messageId], watermark: clock.now() })).status).toBe(200);
    msgs = await ch.messagesOf(conv.id);
    expect(msgs.filter((m) => m.direction === 'out')).toHaveLength(1);
    expect(msgs.find((m) => m.id === reply.body.id).deliveryStatus).toBe('delivered');
  });

  it('a bad or missing signature is refused with 401 and nothing is stored', async () => {
    const bad = await fake.customerWrites(ch.hook, { psid: 'PSID-EVIL', text: 'forged', timestamp: clock.now() }, { signature: 'bad' });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body).error.code).toBe('invalid_signature');
    const none = await fake.customerWrites(ch.hook, { psid: 'PSID-EVIL', text: 'unsigned', timestamp: clock.now() }, { signature: 'none' });
    expect(none.status).toBe(401);
    // A valid signature over different bytes does not pass either.
    const { payload } = fake.messagePayload({ psid: 'PSID-EVIL', text: 'original', timestamp: clock.now() });
    const sig = await hubSignature(fake.appSecret, JSON.stringify(payload));
    const tampered = await fetch(ch.hook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig }, body: JSON.stringify(payload).replace('original', 'tampered') });
    expect(tampered.status).toBe(401);
    expect(await ch.countByExternalId(bad.mid)).toBe(0);
    expect(await ch.countByExternalId(none.mid)).toBe(0);
    expect(await ch.conversationOf('PSID-EVIL')).toBeNull();
    expect((await p.store.get<{ n: number }>('SELECT count(*) AS n FROM contact_identities WHERE external_id = ?', ['PSID-EVIL']))!.n).toBe(0);
  });

  it('the same webhook delivered three times stores one message', async () => {
    const { payload, mid } = fake.messagePayload({ psid: 'PSID-2002', text: 'account locked 账户被锁', timestamp: clock.now() });
    await expectStoredOnce(ch, () => fake.pushWebhook(ch.hook, payload), mid);
    const conv = await ch.conversationOf('PSID-2002');
    expect(conv.unreadCount).toBe(1);
    expect(await ch.messagesOf(conv.id)).toHaveLength(1);
  });

  it('429 then success: the reply is sent exactly once, after the Retry-After backoff', async () => {
    await fake.customerWrites(ch.hook, { psid: 'PSID-3003', name: 'Ana Lima', text: 'my card will not bind', timestamp: clock.now() });
    const conv = await ch.conversationOf('PSID-3003');
    const reply = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'Let me check the card for you' });
    fake.failNext(1, { status: 429, retryAfter: 30 });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, retried: 1, sent: 0 });
    let m = (await ch.messagesOf(conv.id)).find((x) => x.id === reply.body.id);
    expect(m.deliveryStatus).toBe('queued');
    expect(m.error).toMatch(/429/);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 0 });
    clock.advance(29_000);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 0 });
    clock.advance(1_500);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, sent: 1 });
    const delivered = fake.sent.filter((s) => s.text === 'Let me check the card for you');
    expect(delivered).toHaveLength(1);
    expect(fake.calls.filter((c) => c.method === 'POST' && (c.body as any)?.message?.text === 'Let me check the card for you').map((c) => c.status)).toEqual([429, 200]);
    m = (await ch.messagesOf(conv.id)).find((x) => x.id === reply.body.id);
    expect(m).toMatchObject({ deliveryStatus: 'sent', externalId: delivered[0].messageId, error: null });
  });

  it('a 5xx is retried; a validation refusal fails for good with the platform message', async () => {
    const conv = await ch.conversationOf('PSID-3003');
    const reply = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'one more thing' });
    fake.failNext(1, { status: 503 });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ retried: 1 });
    clock.advance(3_000);
    fake.failNext(1, { status: 400, body: graphErrorBody(100, '(#100) No matching user found', { error_subcode: 2018001 }) });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, failed: 1 });
    const m = (await ch.messagesOf(conv.id)).find((x) => x.id === reply.body.id);
    expect(m.deliveryStatus).toBe('failed');
    expect(m.error).toContain('No matching user found');
    expect(fake.sent.some((s) => s.text === 'one more thing')).toBe(false);
  });

  it('classifies failures: network and throttling retryable (with Retry-After), auth and validation permanent', async () => {
    const closed = messenger.config.parse({ ...fake.inboxConfig('x'), apiBaseUrl: 'http://127.0.0.1:1' });
    const msg = { messageId: 'm1', conversationId: 'c1', threadKey: 'PSID-1', recipient: { externalId: 'PSID-1' }, text: 'hi', threadExternalIds: [], attachments: [] };
    await expect(messenger.send(closed, msg)).rejects.toBeInstanceOf(RetryableError);
    const wrongToken = messenger.config.parse({ ...fake.inboxConfig('x'), pageAccessToken: 'revoked' });
    const err = await messenger.send(wrongToken, msg).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toContain('Invalid OAuth access token');
    expect(classifyGraphFailure(400, graphErrorBody(613, 'Calls to this api have exceeded the rate limit.'))).toBeInstanceOf(RetryableError);
    expect(classifyGraphFailure(502, '<html>bad gateway</html>')).toBeInstanceOf(RetryableError);
    expect(classifyGraphFailure(403, graphErrorBody(10, '(#10) This message is sent outside of allowed window.'))).toBeInstanceOf(PermanentError);
    expect((classifyGraphFailure(429, {}, '7') as RetryableError).retryAfterMs).toBe(7_000);
    expect(parseRetryAfter(new Date(Date.UTC(2026, 0, 1, 0, 1)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(60_000);
  });

  it('an echo of a message sent from the Page inbox is stored as ours, not as a customer message', async () => {
    const conv = await ch.conversationOf('PSID-2002');
    const echo = await fake.pageEcho(ch.hook, { psid: 'PSID-2002', text: 'Sent from Meta Business Suite', timestamp: clock.now() });
    expect(echo.status).toBe(200);
    const msgs = await ch.messagesOf(conv.id);
    const stored = msgs.find((m) => m.externalId === echo.mid);
    expect(stored).toMatchObject({ direction: 'out', content: 'Sent from Meta Business Suite', deliveryStatus: 'sent' });
    expect(stored.sender.type).not.toBe('contact');
    const after = await ch.conversationOf('PSID-2002');
    expect(after.contact.id).toBe(conv.contact.id);
    expect((await p.store.get<{ n: number }>('SELECT count(*) AS n FROM contact_identities WHERE inbox_id = ? AND external_id = ?', [ch.inboxId, fake.pageId]))!.n).toBe(0);
  });

  it('an echo that overtakes the Send API response does not make the reply go out twice', async () => {
    await fake.customerWrites(ch.hook, { psid: 'PSID-6006', text: 'is my refund coming?', timestamp: clock.now() });
    const conv = await ch.conversationOf('PSID-6006');
    const reply = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'Yes, within 3 days' });
    fake.echoSendsTo(ch.hook);
    try {
      expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, sent: 1, retried: 0, failed: 0 });
    } finally {
      fake.echoSendsTo(null);
    }
    clock.advance(2 * 3_600_000);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 0 });
    expect(fake.sent.filter((s) => s.text === 'Yes, within 3 days')).toHaveLength(1);
    const mine = (await ch.messagesOf(conv.id)).find((m) => m.id === reply.body.id);
    expect(mine.deliveryStatus).toBe('sent');
    // The echo was adopted by our queued reply: one copy in the thread, with Meta's mid.
    expect((await ch.messagesOf(conv.id)).filter((m) => m.content === 'Yes, within 3 days')).toHaveLength(1);
    expect(mine.externalId).toBe(fake.sent.find((s) => s.text === 'Yes, within 3 days')!.messageId);
  });

  it('attachments arrive as files to download (the CDN url expires), pending until the media job fetched them', async () => {
    const r = await fake.customerWrites(ch.hook, { psid: 'PSID-4004', attachments: [{ type: 'image', url: 'https://scontent.example/v/t1/receipt.jpg?x=1' }], timestamp: clock.now() });
    expect(r.status).toBe(200);
    const conv = await ch.conversationOf('PSID-4004');
    const [m] = await ch.messagesOf(conv.id);
    expect(m.attachments).toEqual([expect.objectContaining({ filename: 'receipt.jpg', state: 'pending', url: `/api/v1/attachments/${m.attachments[0].id}` })]);
  });

  it('refuses a reply longer than 2000 characters before queueing it', async () => {
    await expectReplyRefused(p, ch, 'PSID-4004', '长'.repeat(2001), 'message_too_long');
  });

  it('a reply more than 7 days after the customer wrote (past the HUMAN_AGENT tag too) is refused with 422 saying when the window closed', async () => {
    const wroteAt = clock.now();
    await fake.customerWrites(ch.hook, { psid: 'PSID-5005', text: 'no confirmation email', timestamp: wroteAt });
    const conv = await ch.conversationOf('PSID-5005');
    clock.advance(23 * 3_600_000);
    expect((await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'within the window' })).status).toBe(201);
    clock.advance(6 * 24 * 3_600_000 + 1 * 3_600_000 + 60_000);
    const late = await expectReplyRefused(p, ch, 'PSID-5005', 'too late', 'reply_window_closed');
    expect(late.message).toContain(new Date(wroteAt + 7 * 24 * 3_600_000).toISOString());
    expect((await ch.messagesOf(conv.id)).some((m) => m.content === 'too late')).toBe(false);
  });
});
