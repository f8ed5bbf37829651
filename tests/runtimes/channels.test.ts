// More webhook channels against Node and the Worker from the same file (fakes hosted in Node):
// WhatsApp (X-Hub-Signature-256), Instagram (the same Meta signature) and SMS (Twilio's
// X-Twilio-Signature over the public URL). For each: a forged webhook is refused with 401 and
// stores nothing; a signed one opens a conversation; the reply goes out through the outbox (on
// the Worker: a queue message) and becomes sent; WhatsApp's delivery status follows.
import { describe, expect, it } from 'vitest';
import { startInstagramFake } from '../../connectors/instagram/fake.js';
import { startSmsFake } from '../../connectors/sms/fake.js';
import { startWhatsappFake } from '../../connectors/whatsapp/fake.js';
import { webhookInbox } from '../helpers/channel.js';
import { fixture } from '../helpers/fixture.js';
import { conversationMessages, eventually, replyAndWaitSent, runtimes, startRuntime } from '../helpers/runtimes.js';

describe.each(runtimes)('webhook channels on %s', (kind) => {
  const wa = fixture(startWhatsappFake);
  const ig = fixture(startInstagramFake);
  const sms = fixture(startSmsFake);
  const rt = fixture(() => startRuntime(kind), undefined, 120_000);
  const hooks = fixture(async () => {
    const configs = { whatsapp: wa.inboxConfig('verify-wa-0123'), instagram: ig.inboxConfig('verify-ig-0123'), sms: sms.inboxConfig() };
    const made: Record<string, { inboxId: string; hook: string }> = {};
    for (const [channel, config] of Object.entries(configs)) made[channel] = await webhookInbox(rt, channel, channel, config);
    return made;
  });

  const conversations = async (channel: string) => (await rt.api.get(`/api/v1/conversations?inboxId=${hooks[channel].inboxId}&limit=100`)).body.data as any[];
  const messagesOf = (id: string) => conversationMessages(rt, id);
  const replyAndWait = async (convId: string, content: string) => (await replyAndWaitSent(rt, convId, content)).sent;
  /** The conversation a signed webhook (`delivery`, answered 200) opened on `channel` with `content`. */
  const openedBy = async (channel: string, content: string, delivery: Promise<{ status: number }>) => {
    expect((await delivery).status).toBe(200);
    const conv = await eventually(async () => (await conversations(channel))[0]);
    expect(conv).toMatchObject({ channel, lastMessage: { content } });
    return conv;
  };

  it('refuses forged webhooks on every channel with 401 and stores nothing', async () => {
    const forgedWa = await wa.customerWrites(hooks.whatsapp.hook, { waId: '8613800000001', text: 'forged' }, { signature: 'bad' });
    expect(forgedWa.status).toBe(401);
    const forgedIg = await ig.pushWebhook(hooks.instagram.hook, { object: 'instagram', entry: [] }, { signature: 'bad' });
    expect(forgedIg.status).toBe(401);
    const forgedSms = await sms.customerTexts(hooks.sms.hook, { from: '+14155550100', body: 'forged sms' }, { signature: 'bad' });
    expect(forgedSms.status).toBe(401);
    expect(await conversations('whatsapp')).toEqual([]);
    expect(await conversations('instagram')).toEqual([]);
    expect(await conversations('sms')).toEqual([]);
  });

  it('WhatsApp: a signed message opens a conversation; the reply is sent and its delivery status follows', async () => {
    const first = await wa.customerWrites(hooks.whatsapp.hook, { waId: '8613800000002', name: '李娜', text: '转账失败了' });
    expect(first.status).toBe(200);
    const conv = (await conversations('whatsapp')).find((c) => c.contact.name === '李娜');
    expect(conv).toMatchObject({ channel: 'whatsapp', lastMessage: { content: '转账失败了' } });
    const sent = await replyAndWait(conv.id, '请提供交易编号');
    expect(sent).toBeTruthy();
    const out = wa.sent.find((s) => s.text === '请提供交易编号')!;
    expect(out.to).toBe('8613800000002');
    expect(sent.externalId).toBe(out.messageId);
    expect((await wa.status(hooks.whatsapp.hook, { messageId: out.messageId, recipientId: '8613800000002', status: 'delivered' })).status).toBe(200);
    const delivered = await eventually(async () => (await messagesOf(conv.id)).find((m) => m.id === sent.id && m.deliveryStatus === 'delivered'));
    expect(delivered).toBeTruthy();
  });

  it('Instagram: a signed DM opens a conversation; the reply is sent through the Send API', async () => {
    const conv = await openedBy('instagram', 'is my order shipped?',
      ig.customerWrites(hooks.instagram.hook, { igsid: 'IGSID-7001', text: 'is my order shipped?', name: 'Mei Chen', username: 'mei.c' }));
    const sent = await replyAndWait(conv.id, 'Yes, it left today');
    expect(sent).toBeTruthy();
    expect(ig.sent.filter((s) => s.text === 'Yes, it left today')).toEqual([expect.objectContaining({ recipientId: 'IGSID-7001' })]);
  });

  it('SMS: a Twilio-signed text opens a conversation; the reply is sent through the Messages API', async () => {
    const conv = await openedBy('sms', 'card declined at checkout', sms.customerTexts(hooks.sms.hook, { from: '+14155550123', body: 'card declined at checkout' }));
    const sent = await replyAndWait(conv.id, 'Which card brand?');
    expect(sent).toBeTruthy();
    expect(sms.sends.filter((s) => s.body === 'Which card brand?')).toEqual([expect.objectContaining({ to: '+14155550123' })]);
  });
});
