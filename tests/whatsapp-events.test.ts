// WhatsApp Cloud API: what the messages webhook reference documents beyond text, end to end
// through signed webhooks into a real Parley: buttons, lists, Flows, contacts, orders,
// locations, click-to-WhatsApp referrals, reactions, edits, revokes, business-scoped user ids.
import { describe, expect, it } from 'vitest';
import { startWhatsappFake } from '../connectors/whatsapp/fake.js';
import { manualClock } from '../src/domain/core/clock.js';
import { channelFixtures } from './helpers/channel.js';

const clock = manualClock(Date.UTC(2026, 10, 4, 10, 0, 0));
const { fake, p, ch } = channelFixtures(startWhatsappFake, 'whatsapp', 'WA', (f) => f.inboxConfig('wa-verify'), { clock });

let seq = 0;
const ts = () => String(Math.floor(clock.now() / 1000));
const body = (value: Record<string, unknown>, phoneNumberId = fake.phoneNumberId) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId }, ...value } }] }],
});
const msg = (from: string, type: string, rest: Record<string, unknown>) => ({ from, id: `wamid.test${++seq}`, timestamp: ts(), type, ...rest });
const push = (value: Record<string, unknown>) => fake.pushWebhook(ch.hook, body(value));
const thread = async (key: string) => ch.messagesOf((await ch.conversationOf(key)).id);

describe('whatsapp: customer actions', () => {
  it('interactive button and list replies, Flow answers, contacts, orders and locations are readable, payloads in meta', async () => {
    const r = await push({
      contacts: [{ profile: { name: 'Ana' }, wa_id: '5511999990001' }],
      messages: [
        msg('5511999990001', 'interactive', { interactive: { type: 'button_reply', button_reply: { id: 'yes-1', title: 'Yes, cancel it' } } }),
        msg('5511999990001', 'interactive', { interactive: { type: 'list_reply', list_reply: { id: 'size-m', title: 'Medium', description: 'M' } } }),
        msg('5511999990001', 'interactive', { interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: '{"flow_token":"t","city":"Recife"}' } } }),
        msg('5511999990001', 'contacts', { contacts: [{ name: { formatted_name: 'João Silva', first_name: 'João' }, phones: [{ phone: '+55 81 9999-0000', type: 'CELL' }] }] }),
        msg('5511999990001', 'order', { order: { catalog_id: 'cat1', text: '', product_items: [{ product_retailer_id: 'SKU-1', quantity: 2, item_price: 10.5, currency: 'BRL' }, { product_retailer_id: 'SKU-2', quantity: 1, item_price: 4, currency: 'BRL' }] } }),
        msg('5511999990001', 'location', { location: { latitude: -8.05, longitude: -34.9, name: 'Marco Zero' } }),
      ],
    });
    expect(r.status).toBe(200);
    const list = await thread('5511999990001');
    expect(list.map((x) => x.content)).toEqual([
      'Yes, cancel it',
      'Medium',
      '📝 Sent\ncity: Recife',
      '👤 João Silva +55 81 9999-0000',
      '🛒 Order\n2 × SKU-1 (10.5 BRL)\n1 × SKU-2 (4 BRL)\nTotal: 25 BRL',
      '📍 Marco Zero: -8.05, -34.9 https://www.google.com/maps/search/?api=1&query=-8.05,-34.9',
    ]);
    expect(list[0].meta).toEqual({ replyId: 'yes-1' });
    expect(list[2].meta.flow.response).toEqual({ flow_token: 't', city: 'Recife' });
    expect(list[4].meta.order).toMatchObject({ total: 25, currency: 'BRL' });
  });

  it('a click-to-WhatsApp referral is kept as where the conversation came from', async () => {
    await push({ contacts: [{ profile: { name: 'Bo' }, wa_id: '5511999990002' }], messages: [msg('5511999990002', 'text', { text: { body: 'Is this still available?' }, referral: { source_url: 'https://fb.me/ad1', source_id: '120', source_type: 'ad', headline: 'Summer deal', ctwa_clid: 'clid-1' } })] });
    const conv = await ch.conversationOf('5511999990002');
    expect(conv.origin).toEqual({ source: 'click_to_whatsapp', type: 'ad', adId: '120', adTitle: 'Summer deal', url: 'https://fb.me/ad1', clickId: 'clid-1' });
  });

  it('an unknown message type and a malformed one are counted; the others in the same body are stored', async () => {
    const r = await push({ messages: [
      msg('5511999990003', 'text', { text: { body: 'one' } }),
      { from: '5511999990003', type: 'text', timestamp: ts() },
      msg('5511999990003', 'interactive', {}),
      msg('5511999990003', 'text', { text: { body: 'two' } }),
    ] });
    expect(r.status).toBe(200);
    expect((await thread('5511999990003')).map((x) => x.content)).toEqual(['one', 'two']);
    const skips = (await p.api.get(`/api/v1/inboxes/${ch.inboxId}`)).body.webhookSkipped;
    expect(skips.map((s: any) => s.type).sort()).toEqual(['message.interactive', 'message.text']);
  });

  it('skipped types are bounded per inbox; known ones keep counting', async () => {
    const fields = Array.from({ length: 105 }, (_, k) => ({ field: `custom_field_${k}`, value: {} }));
    const r = await fake.pushWebhook(ch.hook, { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [...fields, { field: 'custom_field_0', value: {} }] }] });
    expect(r.status).toBe(200);
    const skips = (await p.api.get(`/api/v1/inboxes/${ch.inboxId}`)).body.webhookSkipped;
    expect(skips).toHaveLength(100);
    expect(skips.find((x: any) => x.type === 'change.custom_field_0').count).toBe(2);
  });

  it('a change for another phone number of the same app is ignored', async () => {
    const r = await fake.pushWebhook(ch.hook, body({ messages: [msg('5511999990009', 'text', { text: { body: 'not ours' } })] }, '999999999'));
    expect(r.status).toBe(200);
    expect(await ch.conversationOf('5511999990009')).toBeNull();
  });
});

describe('whatsapp: edits, revokes, reactions', () => {
  it('an edit replaces the text with an edited mark and keeps the previous text; a revoke hides it', async () => {
    const first = msg('5511999990004', 'text', { text: { body: 'I ordered 3' } });
    await push({ messages: [first] });
    await push({ messages: [msg('5511999990004', 'edit', { edit: { original_message_id: first.id, message: { type: 'text', text: { body: 'I ordered 4' } } } })] });
    let [m] = await thread('5511999990004');
    expect(m.content).toBe('I ordered 4');
    expect(m.edited.edits).toEqual([{ content: 'I ordered 3', replacedAt: expect.any(String) }]);
    await push({ messages: [msg('5511999990004', 'revoke', { revoke: { original_message_id: first.id } })] });
    [m] = await thread('5511999990004');
    expect(m).toMatchObject({ content: '', deleted: { by: 'contact', content: 'I ordered 4' } });
    expect((await ch.conversationOf('5511999990004')).messageCount).toBe(1);
  });

  it("an edited image caption is the message's new text (the image stays its attachment)", async () => {
    const img = msg('5511999990008', 'image', { image: { id: 'media-1', mime_type: 'image/jpeg', caption: 'old caption' } });
    await push({ messages: [img] });
    await push({ messages: [msg('5511999990008', 'edit', { edit: { original_message_id: img.id, message: { type: 'image', image: { id: 'media-1', mime_type: 'image/jpeg', caption: 'new caption' } } } })] });
    const [m] = await thread('5511999990008');
    expect(m.content).toBe('new caption');
    expect(m.edited.edits[0].content).toBe('old caption');
    expect(m.attachments).toEqual([expect.objectContaining({ state: 'pending', kind: 'image' })]);
  });

  it('a reaction attaches to the message it reacts to, neither reopens nor counts; an empty emoji removes it', async () => {
    const first = msg('5511999990005', 'text', { text: { body: 'thanks' } });
    await push({ messages: [first] });
    const conv = await ch.conversationOf('5511999990005');
    await p.api.post(`/api/v1/conversations/${conv.id}/status`, { status: 'resolved' });
    await push({ messages: [msg('5511999990005', 'reaction', { reaction: { message_id: first.id, emoji: '🙏' } })] });
    expect(await ch.conversationOf('5511999990005')).toMatchObject({ status: 'resolved', messageCount: 1, unreadCount: conv.unreadCount, lastActivityAt: conv.lastActivityAt });
    expect((await thread('5511999990005'))[0].reactions).toEqual([{ emoji: '🙏', by: '5511999990005' }]);
    await push({ messages: [msg('5511999990005', 'reaction', { reaction: { message_id: first.id, emoji: '' } })] });
    expect((await thread('5511999990005'))[0].reactions).toBeUndefined();
  });
});

describe('whatsapp: business-scoped user ids', () => {
  it('a message with only from_user_id is stored under the user id; a later one with the phone joins the same contact', async () => {
    const r = await push({ contacts: [{ profile: { name: 'Kerry' }, user_id: 'US.9876' }], messages: [{ from_user_id: 'US.9876', id: 'wamid.bsuid1', timestamp: ts(), type: 'text', text: { body: 'hello via username' } }] });
    expect(r.status).toBe(200);
    const first = await ch.conversationOf('US.9876');
    expect(first.contact.name).toBe('Kerry');
    await push({ contacts: [{ profile: { name: 'Kerry' }, wa_id: '5511999990006', user_id: 'US.9876' }], messages: [{ from: '5511999990006', from_user_id: 'US.9876', id: 'wamid.bsuid2', timestamp: ts(), type: 'text', text: { body: 'now with my phone' } }] });
    const second = await ch.conversationOf('5511999990006');
    expect(second.contact.id).toBe(first.contact.id);
    const contact = (await p.api.get(`/api/v1/contacts/${first.contact.id}`)).body;
    expect(contact.identities.map((x: any) => x.externalId).sort()).toEqual(['5511999990006', 'US.9876']);
    expect(contact.phone).toBe('+5511999990006');
  });

  it('a phone first, then the user id alone: the same contact again', async () => {
    await push({ contacts: [{ profile: { name: 'Lu' }, wa_id: '5511999990007', user_id: 'US.5555' }], messages: [msg('5511999990007', 'text', { from_user_id: 'US.5555', text: { body: 'a' } })] });
    await push({ contacts: [{ profile: { name: 'Lu' }, user_id: 'US.5555' }], messages: [{ from_user_id: 'US.5555', id: 'wamid.bsuid3', timestamp: ts(), type: 'text', text: { body: 'b' } }] });
    const a = await ch.conversationOf('5511999990007');
    const b = await ch.conversationOf('US.5555');
    expect(b.contact.id).toBe(a.contact.id);
  });
});
