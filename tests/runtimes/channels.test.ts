// More webhook channels against Node and the Worker from the same file (fakes hosted in Node):
// WhatsApp (X-Hub-Signature-256), Instagram (the same Meta signature) and SMS (Twilio's
// X-Twilio-Signature over the public URL). For each: a forged webhook is refused with 401 and
// stores nothing; a signed one opens a conversation; the reply goes out through the outbox (on
// the Worker: a queue message) and becomes sent; WhatsApp's delivery status follows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstagramFake, type InstagramFake } from '../../connectors/instagram/fake.js';
import { startSmsFake, type SmsFake } from '../../connectors/sms/fake.js';
import { startWhatsappFake, type WhatsappFake } from '../../connectors/whatsapp/fake.js';
import { eventually, runtimes, startRuntime, type Runtime } from '../helpers/runtimes.js';

describe.each(runtimes)('webhook channels on %s', (kind) => {
  let rt: Runtime;
  let wa: WhatsappFake;
  let ig: InstagramFake;
  let sms: SmsFake;
  const hooks: Record<string, { inboxId: string; url: string }> = {};

  beforeAll(async () => {
    [wa, ig, sms] = await Promise.all([startWhatsappFake(), startInstagramFake(), startSmsFake()]);
    rt = await startRuntime(kind);
    const configs = { whatsapp: wa.inboxConfig('verify-wa-0123'), instagram: ig.inboxConfig('verify-ig-0123'), sms: sms.inboxConfig() };
    for (const [channel, config] of Object.entries(configs)) {
      const r = await rt.api.post('/api/v1/inboxes', { name: channel, channel, config });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      hooks[channel] = { inboxId: r.body.id, url: `${rt.url}/webhooks/${r.body.id}` };
    }
  }, 120_000);
  afterAll(async () => { await rt?.stop(); await Promise.all([wa?.close(), ig?.close(), sms?.close()]); });

  const conversations = async (channel: string) => (await rt.api.get(`/api/v1/conversations?inboxId=${hooks[channel].inboxId}&limit=100`)).body.data as any[];
  const messagesOf = async (id: string) => (await rt.api.get(`/api/v1/conversations/${id}/messages`)).body.data as any[];
  const replyAndWait = async (convId: string, content: string) => {
    const r = await rt.api.post(`/api/v1/conversations/${convId}/messages`, { content });
    expect(r.status).toBe(201);
    return eventually(async () => (await messagesOf(convId)).find((m) => m.id === r.body.id && m.deliveryStatus === 'sent'));
  };

  it('refuses forged webhooks on every channel with 401 and stores nothing', async () => {
    const forgedWa = await wa.customerWrites(hooks.whatsapp.url, { waId: '8613800000001', text: 'forged' }, { signature: 'bad' });
    expect(forgedWa.status).toBe(401);
    const forgedIg = await ig.pushWebhook(hooks.instagram.url, { object: 'instagram', entry: [] }, { signature: 'bad' });
    expect(forgedIg.status).toBe(401);
    const forgedSms = await sms.customerTexts(hooks.sms.url, { from: '+14155550100', body: 'forged sms' }, { signature: 'bad' });
    expect(forgedSms.status).toBe(401);
    expect(await conversations('whatsapp')).toEqual([]);
    expect(await conversations('instagram')).toEqual([]);
    expect(await conversations('sms')).toEqual([]);
  });

  it('WhatsApp: a signed message opens a conversation; the reply is sent and its delivery status follows', async () => {
    const first = await wa.customerWrites(hooks.whatsapp.url, { waId: '8613800000002', name: '李娜', text: '转账失败了' });
    expect(first.status).toBe(200);
    const conv = (await conversations('whatsapp')).find((c) => c.contact.name === '李娜');
    expect(conv).toMatchObject({ channel: 'whatsapp', lastMessage: { content: '转账失败了' } });
    const sent = await replyAndWait(conv.id, '请提供交易编号');
    expect(sent).toBeTruthy();
    const out = wa.sent.find((s) => s.text === '请提供交易编号')!;
    expect(out.to).toBe('8613800000002');
    expect(sent.externalId).toBe(out.messageId);
    expect((await wa.status(hooks.whatsapp.url, { messageId: out.messageId, recipientId: '8613800000002', status: 'delivered' })).status).toBe(200);
    const delivered = await eventually(async () => (await messagesOf(conv.id)).find((m) => m.id === sent.id && m.deliveryStatus === 'delivered'));
    expect(delivered).toBeTruthy();
  });

  it('Instagram: a signed DM opens a conversation; the reply is sent through the Send API', async () => {
    const first = await ig.customerWrites(hooks.instagram.url, { igsid: 'IGSID-7001', text: 'is my order shipped?', name: 'Mei Chen', username: 'mei.c' });
    expect(first.status).toBe(200);
    const conv = await eventually(async () => (await conversations('instagram'))[0]);
    expect(conv).toMatchObject({ channel: 'instagram', lastMessage: { content: 'is my order shipped?' } });
    const sent = await replyAndWait(conv.id, 'Yes, it left today');
    expect(sent).toBeTruthy();
    expect(ig.sent.filter((s) => s.text === 'Yes, it left today')).toEqual([expect.objectContaining({ recipientId: 'IGSID-7001' })]);
  });

  it('SMS: a Twilio-signed text opens a conversation; the reply is sent through the Messages API', async () => {
    const first = await sms.customerTexts(hooks.sms.url, { from: '+14155550123', body: 'card declined at checkout' });
    expect(first.status).toBe(200);
    const conv = await eventually(async () => (await conversations('sms'))[0]);
    expect(conv).toMatchObject({ channel: 'sms', lastMessage: { content: 'card declined at checkout' } });
    const sent = await replyAndWait(conv.id, 'Which card brand?');
    expect(sent).toBeTruthy();
    expect(sms.sends.filter((s) => s.body === 'Which card brand?')).toEqual([expect.objectContaining({ to: '+14155550123' })]);
  });
});
