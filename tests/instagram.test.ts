// Instagram DMs end to end: the fake Graph API pushes signed webhooks into a real Parley, and
// replies go out through the outbox to the fake's Send API.
import { describe, expect, it } from 'vitest';
import { startInstagramFake } from '../connectors/instagram/fake.js';
import { manualClock } from '../src/domain/core/clock.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { channelFixtures, expectReplyRefused, expectStoredOnce } from './helpers/channel.js';

const clock = manualClock(Date.UTC(2026, 10, 3, 8, 0, 0));
const { fake, p, ch } = channelFixtures(startInstagramFake, 'instagram', 'Instagram @parley', (f) => f.inboxConfig('ig-verify-token'), { clock });

describe('instagram connector', () => {
  it('answers the hub.challenge handshake for the right verify token, 403 otherwise', async () => {
    const ok = await fake.verifySubscription(ch.hook, 'ig-verify-token');
    expect(ok).toMatchObject({ status: 200, body: ok.challenge });
    expect((await fake.verifySubscription(ch.hook, 'wrong')).status).toBe(403);
    const invalid = await p.api.post('/api/v1/inboxes', { name: 'broken', channel: 'instagram', config: { accountId: '1', appSecret: 's', verifyToken: 'v' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toContain('accessToken');
  });

  it('a DM opens a conversation under the name from the profile API, with the username as handle', async () => {
    const r = await fake.customerWrites(ch.hook, { igsid: 'IGSID-77', name: '李娜', username: 'lina.cards', text: '银行卡绑定不上，一直提示失败', timestamp: clock.now() });
    expect(r.status).toBe(200);
    expect(r.raw).toContain('\\u94f6');
    const conv = await ch.conversationOf('IGSID-77');
    expect(conv).toMatchObject({ channel: 'instagram', status: 'open', contact: { name: '李娜' }, unreadCount: 1 });
    expect((await ch.messagesOf(conv.id)).map((m) => [m.direction, m.content])).toEqual([['in', '银行卡绑定不上，一直提示失败']]);
    const identity = await p.store.get('SELECT channel, handle FROM contact_identities WHERE inbox_id = ? AND external_id = ?', [ch.inboxId, 'IGSID-77']);
    expect(identity).toEqual({ channel: 'instagram', handle: 'lina.cards' });
    const lookup = fake.calls.find((c) => c.method === 'GET' && c.path.endsWith('/IGSID-77'))!;
    expect(lookup.query.fields).toBe('name,username');
    expect(lookup.headers.authorization).toBe(`Bearer ${fake.accessToken}`);
  });

  it('an agent reply reaches the Send API with the documented body and becomes sent with the platform id', async () => {
    const conv = await ch.conversationOf('IGSID-77');
    const reply = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: '请提供卡号后四位，我们帮您查看' });
    expect(reply.status).toBe(201);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, sent: 1 });
    const out = fake.sent.at(-1)!;
    expect(out.body).toEqual({ messaging_type: 'RESPONSE', recipient: { id: 'IGSID-77' }, message: { text: '请提供卡号后四位，我们帮您查看' } });
    const call = fake.calls.filter((c) => c.method === 'POST').at(-1)!;
    expect(call.path).toBe(`/v25.0/${fake.accountId}/messages`);
    expect((await ch.messagesOf(conv.id)).find((m) => m.id === reply.body.id)).toMatchObject({ deliveryStatus: 'sent', externalId: out.messageId });
    // Instagram echoes our message back: still one outbound message.
    expect((await fake.accountEcho(ch.hook, { igsid: 'IGSID-77', mid: out.messageId, text: out.text, timestamp: clock.now() })).status).toBe(200);
    expect((await ch.messagesOf(conv.id)).filter((m) => m.direction === 'out')).toHaveLength(1);
  });

  it('a bad or missing signature is refused with 401 and nothing is stored', async () => {
    const bad = await fake.customerWrites(ch.hook, { igsid: 'IGSID-X', text: 'forged', timestamp: clock.now() }, { signature: 'bad' });
    const none = await fake.customerWrites(ch.hook, { igsid: 'IGSID-X', text: 'unsigned', timestamp: clock.now() }, { signature: 'none' });
    expect([bad.status, none.status]).toEqual([401, 401]);
    // Signed with another app's secret: refused too.
    const other = await fake.customerWrites(ch.hook, { igsid: 'IGSID-X', text: 'other app', timestamp: clock.now() }, { appSecret: 'another-apps-secret' });
    expect(other.status).toBe(401);
    for (const r of [bad, none, other]) expect(await ch.countByExternalId(r.mid)).toBe(0);
    expect(await ch.conversationOf('IGSID-X')).toBeNull();
  });

  it('the same webhook delivered three times stores one message', async () => {
    const { payload, mid } = fake.messagePayload({ igsid: 'IGSID-88', text: 'where is my confirmation?', timestamp: clock.now() });
    await expectStoredOnce(ch, () => fake.pushWebhook(ch.hook, payload), mid);
    const conv = await ch.conversationOf('IGSID-88');
    expect(conv.unreadCount).toBe(1);
  });

  it('429 then success: the reply is sent exactly once', async () => {
    const conv = await ch.conversationOf('IGSID-88');
    const reply = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'Checking your confirmation now' });
    fake.failNext(1, { status: 429, retryAfter: 10 });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, retried: 1 });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 0 });
    clock.advance(10_001);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, sent: 1 });
    expect(fake.sent.filter((s) => s.text === 'Checking your confirmation now')).toHaveLength(1);
    expect((await ch.messagesOf(conv.id)).find((m) => m.id === reply.body.id).deliveryStatus).toBe('sent');
  });

  it('an echo of a message sent from the Instagram app is stored as ours, not as a customer message', async () => {
    const conv = await ch.conversationOf('IGSID-88');
    const echo = await fake.accountEcho(ch.hook, { igsid: 'IGSID-88', text: 'typed in the Instagram app', timestamp: clock.now() });
    expect(echo.status).toBe(200);
    const stored = (await ch.messagesOf(conv.id)).find((m) => m.externalId === echo.mid);
    expect(stored).toMatchObject({ direction: 'out', content: 'typed in the Instagram app' });
    expect(stored.sender.type).not.toBe('contact');
    expect((await ch.conversationOf('IGSID-88')).unreadCount).toBe(0);
    expect((await p.store.get<{ n: number }>('SELECT count(*) AS n FROM contact_identities WHERE external_id = ?', [fake.accountId]))!.n).toBe(0);
  });

  it('refuses a reply longer than 1000 characters (Instagram\'s limit) before queueing it', async () => {
    await expectReplyRefused(p, ch, 'IGSID-88', 'x'.repeat(1001), 'message_too_long');
  });

  it('a reply more than 7 days after the customer wrote (past the HUMAN_AGENT tag too) is refused with 422 saying when the window closed', async () => {
    const wroteAt = clock.now();
    await fake.customerWrites(ch.hook, { igsid: 'IGSID-99', text: 'account locked', timestamp: wroteAt });
    clock.advance(7 * 24 * 3_600_000 + 1_000);
    const late = await expectReplyRefused(p, ch, 'IGSID-99', 'too late', 'reply_window_closed');
    expect(late.message).toContain(new Date(wroteAt + 7 * 24 * 3_600_000).toISOString());
  });
});
