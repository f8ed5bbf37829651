// A signed Messenger webhook in and a reply out through the outbox, against Node and the Worker
// from the same file; the fake Graph API is hosted in Node either way. On the Worker the reply
// is delivered by a queue message the write sent, and a snoozed conversation is woken by a
// scheduled (Cron Trigger) run.
import { describe, expect, it } from 'vitest';
import { startMessengerFake } from '../../connectors/messenger/fake.js';
import { webhookInbox } from '../helpers/channel.js';
import { fixture } from '../helpers/fixture.js';
import { conversationMessages, replyAndWaitSent, runtimes, startRuntime } from '../helpers/runtimes.js';

describe.each(runtimes)('messenger on %s', (kind) => {
  const fake = fixture(startMessengerFake);
  const rt = fixture(() => startRuntime(kind), undefined, 120_000);
  const ch = fixture(() => webhookInbox(rt, 'messenger', 'Facebook Page', fake.inboxConfig('verify-me-please')));

  const conversationOf = async (psid: string) => {
    const list = await rt.api.get(`/api/v1/conversations?inboxId=${ch.inboxId}&limit=100`);
    const hit = list.body.data.find((c: any) => c.contact.name === psid || c.lastMessage?.content?.includes(psid));
    return hit ?? null;
  };
  const messagesOf = (id: string) => conversationMessages(rt, id);

  it('answers the handshake; refuses a bad signature with 401 and stores nothing', async () => {
    expect((await fake.verifySubscription(ch.hook, 'verify-me-please')).status).toBe(200);
    expect((await fake.verifySubscription(ch.hook, 'wrong')).status).toBe(403);
    const bad = await fake.customerWrites(ch.hook, { psid: 'PSID-EVIL', text: 'forged EVIL', timestamp: Date.now() }, { signature: 'bad' });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body).error.code).toBe('invalid_signature');
    expect(await conversationOf('EVIL')).toBeNull();
  });

  it('a signed customer message opens a conversation; the reply goes out through the outbox and becomes sent', async () => {
    const first = await fake.customerWrites(ch.hook, { psid: 'PSID-1001', name: '王 小明', text: '我的转账失败了 PSID-1001', timestamp: Date.now() });
    expect(first.status).toBe(200);
    const conv = await conversationOf('王 小明');
    expect(conv).toMatchObject({ channel: 'messenger', status: 'open', unreadCount: 1 });
    const { reply, sent } = await replyAndWaitSent(rt, conv.id, '您好，我们正在核实这笔交易');
    expect(reply.body.deliveryStatus).toBe('queued');
    expect(sent).toBeTruthy();
    const out = fake.sent.filter((s) => s.text === '您好，我们正在核实这笔交易');
    expect(out).toHaveLength(1);
    expect(out[0].body).toEqual({ messaging_type: 'RESPONSE', recipient: { id: 'PSID-1001' }, message: { text: '您好，我们正在核实这笔交易' } });
    expect(sent.externalId).toBe(out[0].messageId);
  });

  it('stores 12 concurrent signed webhooks (and their replays) once each', async () => {
    const payloads = Array.from({ length: 12 }, (_, k) => fake.messagePayload({ psid: `PSID-C${k}`, text: `parallel PSID-C${k}`, timestamp: Date.now() }));
    const results = await Promise.all([...payloads, ...payloads.slice(0, 4)].map((p) => fake.pushWebhook(ch.hook, p.payload)));
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    for (let k = 0; k < 12; k++) {
      const conv = await conversationOf(`PSID-C${k}`);
      expect(conv, `PSID-C${k}`).not.toBeNull();
      expect(await messagesOf(conv.id)).toHaveLength(1);
    }
  });

  it('a scheduled run wakes a snoozed conversation when its time comes', async () => {
    const conv = await conversationOf('王 小明');
    const until = Date.now() + 1500;
    const snoozed = await rt.api.post(`/api/v1/conversations/${conv.id}/status`, { status: 'snoozed', snoozeUntil: until });
    expect(snoozed.status).toBe(200);
    expect((await rt.api.get(`/api/v1/conversations/${conv.id}`)).body.status).toBe('snoozed');
    await rt.tick();
    expect((await rt.api.get(`/api/v1/conversations/${conv.id}`)).body.status).toBe('snoozed');
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now()) + 100));
    await rt.tick();
    expect((await rt.api.get(`/api/v1/conversations/${conv.id}`)).body.status).toBe('open');
  });
});
