// Replying after the free window: Messenger's HUMAN_AGENT tag (24 h - 7 days), WhatsApp
// templates (listed through Graph message_templates, cached, refreshable; the filled-in text
// stored), SMS opt-out (STOP/START, Twilio 21610), and continuing on another channel.
import { describe, expect, it } from 'vitest';
import { startMessengerFake } from '../connectors/messenger/fake.js';
import { startSmsFake } from '../connectors/sms/fake.js';
import { startWhatsappFake } from '../connectors/whatsapp/fake.js';
import { manualClock } from '../src/domain/core/clock.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { channelInbox } from './helpers/channel.js';
import { fixture } from './helpers/fixture.js';
import { startTestParley } from './helpers/parley.js';

const H = 3_600_000;
const clock = manualClock(Date.UTC(2026, 10, 4, 10, 0, 0));
const fb = fixture(startMessengerFake);
const wa = fixture(startWhatsappFake);
const sms = fixture(startSmsFake);
const p = fixture(() => startTestParley({ clock }));
const m = fixture(() => channelInbox(p, 'messenger', 'Page', fb.inboxConfig('v')));
const w = fixture(() => channelInbox(p, 'whatsapp', 'WA', wa.inboxConfig('v')));
const s = fixture(() => channelInbox(p, 'sms', 'SMS', sms.inboxConfig()));

const reply = (convId: string, body: Record<string, unknown>) => p.api.post(`/api/v1/conversations/${convId}/messages`, body);
const options = async (convId: string) => (await p.api.get(`/api/v1/conversations/${convId}/reply-options`)).body;

describe('Messenger HUMAN_AGENT tag', () => {
  it('inside 24 h a RESPONSE; between 24 h and 7 days the HUMAN_AGENT tag, chosen automatically; after 7 days refused with the reason', async () => {
    await fb.customerWrites(m.hook, { psid: 'psid-tag', text: 'where is my refund?', timestamp: clock.now() });
    const conv = await m.conversationOf('psid-tag');
    expect(await options(conv.id)).toMatchObject({ state: 'open' });
    expect((await reply(conv.id, { content: 'checking' })).status).toBe(201);
    await deliverDueOutbox(p.deps);
    expect(fb.sent.at(-1)!.body).toMatchObject({ messaging_type: 'RESPONSE' });

    clock.advance(30 * H);
    expect(await options(conv.id)).toMatchObject({ state: 'tagged', tag: 'HUMAN_AGENT' });
    expect((await reply(conv.id, { content: 'refund sent today' })).status).toBe(201);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ sent: 1 });
    expect(fb.sent.at(-1)!.body).toEqual({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', recipient: { id: 'psid-tag' }, message: { text: 'refund sent today' } });

    clock.advance(7 * 24 * H);
    const late = await reply(conv.id, { content: 'still there?' });
    expect(late.status).toBe(422);
    expect(late.body.error).toMatchObject({ code: 'reply_window_closed' });
    expect(late.body.error.message).toContain('7 days with the HUMAN_AGENT tag');
    expect((await options(conv.id)).state).toBe('closed');
  });
});

describe('WhatsApp templates', () => {
  it('lists only approved templates with their parameter count, cached until refreshed', async () => {
    const list = await p.api.get(`/api/v1/inboxes/${w.inboxId}/templates`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((t: any) => [t.name, t.language, t.parameters])).toEqual([['hello_world', 'en_US', 0], ['follow_up', 'en_US', 2], ['seguimiento', 'es', 1],
      ['order_shipped', 'en_US', 2], ['appointment_reminder', 'en_US', 1], ['invoice_ready', 'en_US', 1], ['setup_video', 'en_US', 0]]);
    const call = wa.calls.find((c) => c.path.endsWith('/message_templates'))!;
    expect(call.path).toBe(`/v25.0/${wa.wabaId}/message_templates`);
    expect(call.query.status).toBe('APPROVED');
    const calls = () => wa.calls.filter((c) => c.path.endsWith('/message_templates')).length;
    const before = calls();
    await p.api.get(`/api/v1/inboxes/${w.inboxId}/templates`);
    expect(calls()).toBe(before);
    wa.templates.push({ name: 'new_one', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'New {{1}}' }] });
    const refreshed = await p.api.get(`/api/v1/inboxes/${w.inboxId}/templates?refresh=true`);
    expect(calls()).toBe(before + 1);
    expect(refreshed.body.data.map((t: any) => t.name)).toContain('new_one');
  });

  it('outside the 24 h window only a template is accepted; its filled-in text is stored and sent as a template', async () => {
    await wa.customerWrites(w.hook, { waId: '4915110000001', name: 'Jonas', text: 'Hallo', timestamp: clock.now() });
    const conv = await w.conversationOf('4915110000001');
    clock.advance(25 * H);
    const opts = await options(conv.id);
    expect(opts.state).toBe('templates_only');
    expect(opts.templates.map((t: any) => t.name)).toContain('follow_up');
    const free = await reply(conv.id, { content: 'hi again' });
    expect(free.status).toBe(422);
    expect(free.body.error.code).toBe('reply_window_closed');
    expect(free.body.error.message).toContain('approved template');

    const bad = await reply(conv.id, { template: { name: 'follow_up', language: 'en_US', parameters: ['Jonas'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_template_parameters');

    const ok = await reply(conv.id, { template: { name: 'follow_up', language: 'en_US', parameters: ['Jonas', '#4411'] } });
    expect(ok.status).toBe(201);
    expect(ok.body.content).toBe('Hi Jonas, we have an update on your request #4411. Reply to this message to continue the conversation.');
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ sent: 1 });
    const sent = wa.sent.at(-1)!;
    expect(sent.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '4915110000001', type: 'template',
      template: { name: 'follow_up', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Jonas' }, { type: 'text', text: '#4411' }] }] } });
    expect(sent.text).toBe(ok.body.content);
  });

  it('an unknown template is refused before anything is queued', async () => {
    await wa.customerWrites(w.hook, { waId: '4915110000002', text: 'x', timestamp: clock.now() });
    const conv = await w.conversationOf('4915110000002');
    const r = await reply(conv.id, { template: { name: 'spring_promo', language: 'en_US', parameters: ['20%'] } });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('unknown_template');
  });
});

describe('SMS opt-out', () => {
  it('STOP marks the contact opted out on this number, replies are refused with the reason until START', async () => {
    await sms.customerTexts(s.hook, { from: '+14155550111', body: 'my package?' });
    const conv = await s.conversationOf('+14155550111');
    await sms.customerTexts(s.hook, { from: '+14155550111', body: ' stop ' });
    const refused = await reply(conv.id, { content: 'we are on it' });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'recipient_opted_out' });
    expect(refused.body.error.message).toContain('START');
    expect((await options(conv.id)).state).toBe('opted_out');
    await sms.customerTexts(s.hook, { from: '+14155550111', body: 'START' });
    expect((await reply(conv.id, { content: 'welcome back' })).status).toBe(201);
  });

  it("Twilio's 21610 on a reply marks the recipient opted out", async () => {
    await sms.customerTexts(s.hook, { from: '+14155550112', body: 'hello' });
    const conv = await s.conversationOf('+14155550112');
    expect((await reply(conv.id, { content: 'hi' })).status).toBe(201);
    await deliverDueOutbox(p.deps);
    const sid = sms.sends.at(-1)!.sid;
    await sms.reportStatus(s.hook, sid, 'failed', '21610');
    const r = await reply(conv.id, { content: 'again' });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('recipient_opted_out');
  });
});

describe('continue on another channel', () => {
  it('a WhatsApp customer with a closed window is continued on SMS: sent there, both conversations linked', async () => {
    await wa.customerWrites(w.hook, { waId: '14155550177', name: 'Rae', text: 'call me maybe', timestamp: clock.now() });
    const conv = await w.conversationOf('14155550177');
    clock.advance(26 * H);
    const opts = await options(conv.id);
    expect(opts.continueOn).toEqual([{ inboxId: s.inboxId, inboxName: 'SMS', channel: 'sms', address: '+14155550177', conversationId: null }]);
    const r = await p.api.post(`/api/v1/conversations/${conv.id}/continue`, { inboxId: s.inboxId, content: 'Hi Rae, following up by text' });
    expect(r.status).toBe(201);
    await deliverDueOutbox(p.deps);
    expect(sms.sends.at(-1)).toMatchObject({ to: '+14155550177', body: 'Hi Rae, following up by text' });
    const there = await s.messagesOf(r.body.conversationId);
    expect(there.map((x) => [x.private, x.content])).toEqual([[false, 'Hi Rae, following up by text'], [true, `Continued from WA: conversation ${conv.id}`]]);
    expect(there[1].meta.link).toMatchObject({ conversationId: conv.id, channel: 'whatsapp' });
    const here = (await w.messagesOf(conv.id)).at(-1);
    expect(here).toMatchObject({ private: true, meta: { link: { conversationId: r.body.conversationId, channel: 'sms' } } });
    // The link is a field of both conversations too, shown only to who may see the other side.
    expect((await p.api.get(`/api/v1/conversations/${conv.id}`)).body.linkedConversationIds).toEqual([r.body.conversationId]);
    expect((await p.api.get(`/api/v1/conversations/${r.body.conversationId}`)).body.linkedConversationIds).toEqual([conv.id]);
    const waOnly = await p.createUser('agent');
    expect((await p.api.post(`/api/v1/inboxes/${w.inboxId}/members`, { userIds: [waOnly.id] })).status).toBeLessThan(300);
    expect((await p.as(waOnly.token).get(`/api/v1/conversations/${conv.id}`)).body).toMatchObject({ id: conv.id, linkedConversationIds: [] });
    const stored = await p.deps.store.all('SELECT conversation_id, linked_conversation_id FROM conversation_links WHERE conversation_id IN (?, ?) ORDER BY conversation_id = ?',
      [conv.id, r.body.conversationId, r.body.conversationId]);
    expect(stored).toEqual([{ conversation_id: conv.id, linked_conversation_id: r.body.conversationId }, { conversation_id: r.body.conversationId, linked_conversation_id: conv.id }]);
    // The customer's answer by SMS joins the continued conversation.
    await sms.customerTexts(s.hook, { from: '+14155550177', body: 'thanks!' });
    expect((await s.conversationOf('+14155550177')).id).toBe(r.body.conversationId);
    expect((await s.conversationOf('+14155550177')).contact.id).toBe(conv.contact.id);
  });

  it("an agent cannot start a thread at the contact's editable phone field (admins and leads can): that would redirect the customer's replies", async () => {
    await wa.customerWrites(w.hook, { waId: '14155550179', name: 'Sam', text: 'hello?', timestamp: clock.now() });
    const conv = await w.conversationOf('14155550179');
    clock.advance(26 * H);
    const agent = await p.createUser('agent');
    for (const inboxId of [w.inboxId, s.inboxId]) {
      expect((await p.api.post(`/api/v1/inboxes/${inboxId}/members`, { userIds: [agent.id] })).status).toBeLessThan(300);
    }
    const asAgent = p.as(agent.token);
    expect((await asAgent.get(`/api/v1/conversations/${conv.id}/reply-options`)).body.continueOn).toEqual([]);
    const r = await asAgent.post(`/api/v1/conversations/${conv.id}/continue`, { inboxId: s.inboxId, content: 'Hi, by text' });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('cannot_continue');
    expect((await options(conv.id)).continueOn.map((o: { inboxId: string }) => o.inboxId)).toEqual([s.inboxId]);
  });

  it('an inbox where the customer cannot be reached is refused', async () => {
    await wa.customerWrites(w.hook, { waId: '14155550178', text: 'x', timestamp: clock.now() });
    const conv = await w.conversationOf('14155550178');
    const r = await p.api.post(`/api/v1/conversations/${conv.id}/continue`, { inboxId: m.inboxId, content: 'hello' });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('cannot_continue');
  });
});
