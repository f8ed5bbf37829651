// Messenger and Instagram: everything the Messenger Platform webhook documents beyond text,
// end to end through signed webhooks from the fakes into a real Parley. Bodies are written
// from Meta's webhook reference (messages, messaging_postbacks, message_reactions,
// messaging_referrals, message_deliveries, message_reads, standby, policy enforcement).
import { describe, expect, it } from 'vitest';
import { startInstagramFake } from '../connectors/instagram/fake.js';
import { startMessengerFake } from '../connectors/messenger/fake.js';
import { manualClock } from '../src/domain/core/clock.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { channelInbox, type ChannelInbox } from './helpers/channel.js';
import { fixture } from './helpers/fixture.js';
import { startTestParley } from './helpers/parley.js';

const clock = manualClock(Date.UTC(2026, 10, 4, 10, 0, 0));
const fb = fixture(startMessengerFake);
const ig = fixture(startInstagramFake);
const p = fixture(() => startTestParley({ clock }));
const m = fixture(() => channelInbox(p, 'messenger', 'Page', fb.inboxConfig('fb-verify')));
const i = fixture(() => channelInbox(p, 'instagram', 'IG', ig.inboxConfig('ig-verify')));

const page = (messaging: unknown[], extra: Record<string, unknown> = {}) => ({ object: 'page', entry: [{ id: fb.pageId, time: clock.now(), messaging, ...extra }] });
const igBody = (messaging: unknown[]) => ({ object: 'instagram', entry: [{ id: ig.inboxConfig('x').accountId, time: clock.now(), messaging }] });
const fromCustomer = (psid: string, rest: Record<string, unknown>) => ({ sender: { id: psid }, recipient: { id: fb.pageId }, timestamp: clock.now(), ...rest });
const messages = async (ch: ChannelInbox, thread: string) => ch.messagesOf((await ch.conversationOf(thread)).id);
/** Pushes the items in one webhook body and checks each became the message beside it, in order; returns the thread's messages. */
async function expectReadable(ch: ChannelInbox, thread: string, push: (items: unknown[]) => Promise<unknown>, cases: [item: unknown, content: string][]) {
  await push(cases.map(([item]) => item));
  const list = await messages(ch, thread);
  expect(list.map((x) => x.content)).toEqual(cases.map(([, content]) => content));
  return list;
}
const skips = async (inboxId: string) => (await p.api.get(`/api/v1/inboxes/${inboxId}`)).body.webhookSkipped ?? [];

describe('Messenger: lenient webhooks', () => {
  it('one unusable item is skipped and counted while its siblings are stored; the platform gets 200', async () => {
    const body = page([
      fromCustomer('psid-a', { message: { mid: 'm_ok_1', text: 'first' } }),
      fromCustomer('psid-a', { message: { text: 'no mid here' } }),
      { recipient: { id: fb.pageId }, timestamp: clock.now(), 'policy-enforcement': { action: 'block', reason: 'The bot violated our Platform Policies' } },
      fromCustomer('psid-a', { brand_new_event: { x: 1 } }),
      fromCustomer('psid-a', { message: { mid: 'm_ok_2', text: 'third' } }),
    ]);
    // Meta documents entry.time; some senders leave it out: still read.
    delete (body.entry[0] as Record<string, unknown>).time;
    const r = await fb.pushWebhook(m.hook, body);
    expect(r.status).toBe(200);
    expect((await messages(m, 'psid-a')).map((x) => x.content)).toEqual(['first', 'third']);
    const s = await skips(m.inboxId);
    expect(s.map((x: any) => [x.type, x.count])).toEqual(expect.arrayContaining([['messaging.message', 1], ['messaging.policy-enforcement', 1], ['messaging.brand_new_event', 1]]));
    expect(s.find((x: any) => x.type === 'messaging.policy-enforcement').lastReason).toContain('violated our Platform Policies');
  });

  it('skipped counts are for admins only', async () => {
    const agent = await p.createUser('agent');
    await p.api.post(`/api/v1/inboxes/${m.inboxId}/members`, { userIds: [agent.id] });
    const r = await p.as(agent.token).get(`/api/v1/inboxes/${m.inboxId}`);
    expect(r.status).toBe(200);
    expect(r.body.webhookSkipped).toBeUndefined();
  });

  it('a body for another object is answered 200 and stores nothing; a body that is not JSON is 400; a bad signature 401', async () => {
    const before = await p.store.get<{ n: number }>('SELECT count(*) AS n FROM messages');
    expect((await fb.pushWebhook(m.hook, { object: 'instagram', entry: [] })).status).toBe(200);
    expect((await fb.pushWebhook(m.hook, 'not json {')).status).toBe(400);
    expect((await fb.pushWebhook(m.hook, page([fromCustomer('psid-x', { message: { mid: 'm_sig', text: 'x' } })]), { signature: 'bad' })).status).toBe(401);
    expect(await p.store.get<{ n: number }>('SELECT count(*) AS n FROM messages')).toEqual(before);
  });

  it('items for another page are ignored even when entry.id is ours: the recipient decides', async () => {
    const r = await fb.pushWebhook(m.hook, page([{ sender: { id: 'psid-other' }, recipient: { id: '999000999' }, timestamp: clock.now(), message: { mid: 'm_other_page', text: 'not for us' } }]));
    expect(r.status).toBe(200);
    expect(await m.countByExternalId('m_other_page')).toBe(0);
  });

  it('standby messages (another app holds the thread) are stored', async () => {
    await fb.pushWebhook(m.hook, page([], { standby: [fromCustomer('psid-s', { message: { mid: 'm_standby', text: 'while the bot had the thread' } })] }));
    expect((await messages(m, 'psid-s')).map((x) => x.content)).toEqual(['while the bot had the thread']);
  });
});

describe('Messenger: customer actions', () => {
  it('Get Started postback with an m.me referral: a message with the title, payload in meta, origin on the conversation', async () => {
    await fb.pushWebhook(m.hook, page([fromCustomer('psid-b', { postback: { mid: 'm_pb_1', title: 'Get Started', payload: 'GET_STARTED', referral: { ref: 'spring-sale', source: 'SHORTLINK', type: 'OPEN_THREAD' } } })]));
    const conv = await m.conversationOf('psid-b');
    expect(conv.origin).toEqual({ source: 'shortlink', type: 'OPEN_THREAD', ref: 'spring-sale' });
    const [msg] = await m.messagesOf(conv.id);
    expect(msg.content).toBe('Get Started\nCame from an m.me link (ref: spring-sale)');
    expect(msg.meta.postback).toEqual({ title: 'Get Started', payload: 'GET_STARTED' });
  });

  it('an ad referral on an existing thread updates where the customer came from', async () => {
    await fb.pushWebhook(m.hook, page([fromCustomer('psid-b', { referral: { source: 'ADS', type: 'OPEN_THREAD', ad_id: '6045246247433', ads_context_data: { ad_title: 'Winter boots' } } })]));
    const conv = await m.conversationOf('psid-b');
    expect(conv.origin).toMatchObject({ source: 'ads', adId: '6045246247433', adTitle: 'Winter boots' });
    expect((await m.messagesOf(conv.id)).at(-1).content).toBe('Came from an ad "Winter boots"');
  });

  it('quick replies, locations, shares and the like sticker become readable messages', async () => {
    const list = await expectReadable(m, 'psid-c', (items) => fb.pushWebhook(m.hook, page(items)), [
      [fromCustomer('psid-c', { message: { mid: 'm_qr', text: 'Red', quick_reply: { payload: 'COLOR_RED' } } }), 'Red'],
      [fromCustomer('psid-c', { message: { mid: 'm_loc', attachments: [{ type: 'location', title: 'Pinned', payload: { coordinates: { lat: 52.376, long: 4.838 } } }] } }), '📍 Pinned: 52.376, 4.838 https://www.google.com/maps/search/?api=1&query=52.376,4.838'],
      [fromCustomer('psid-c', { message: { mid: 'm_fallback', attachments: [{ type: 'fallback', title: 'Our shop', url: 'https://shop.example/', payload: null }] } }), 'Shared: Our shop https://shop.example/'],
      [fromCustomer('psid-c', { message: { mid: 'm_like', attachments: [{ type: 'image', payload: { sticker_id: 369239263222822, url: 'https://cdn.example/like.png' } }] } }), '👍'],
    ]);
    expect(list[0].meta.quickReply).toBe('COLOR_RED');
    expect(list[1].meta.location).toEqual({ latitude: 52.376, longitude: 4.838, name: 'Pinned' });
  });
});

describe('Messenger: reactions and receipts', () => {
  it('a reaction attaches to the message without counting as a new one; unreact removes it', async () => {
    await fb.customerWrites(m.hook, { psid: 'psid-r', text: 'my order is late', mid: 'm_react_target', timestamp: clock.now() });
    const conv = await m.conversationOf('psid-r');
    await p.api.post(`/api/v1/conversations/${conv.id}/status`, { status: 'resolved' });
    await fb.pushWebhook(m.hook, page([fromCustomer('psid-r', { reaction: { mid: 'm_react_target', action: 'react', reaction: 'love', emoji: '❤' } })]));
    let after = await m.conversationOf('psid-r');
    expect(after).toMatchObject({ status: 'resolved', messageCount: conv.messageCount });
    expect((await m.messagesOf(conv.id))[0].reactions).toEqual([{ emoji: '❤', by: 'psid-r' }]);
    await fb.pushWebhook(m.hook, page([fromCustomer('psid-r', { reaction: { mid: 'm_react_target', action: 'unreact', reaction: 'love', emoji: '❤' } })]));
    after = await m.conversationOf('psid-r');
    expect(after.status).toBe('resolved');
    expect((await m.messagesOf(conv.id))[0].reactions).toBeUndefined();
  });

  it('delivery and read watermarks move our replies sent before them to delivered, then read', async () => {
    await fb.customerWrites(m.hook, { psid: 'psid-w', text: 'hello', timestamp: clock.now() });
    const conv = await m.conversationOf('psid-w');
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'first reply' });
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'second reply' });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ sent: 2 });
    const statuses = async () => (await m.messagesOf(conv.id)).filter((x) => x.direction === 'out').map((x) => x.deliveryStatus);
    expect(await statuses()).toEqual(['sent', 'sent']);
    await fb.pushWebhook(m.hook, page([fromCustomer('psid-w', { delivery: { watermark: clock.now() + 1000 } })]));
    expect(await statuses()).toEqual(['delivered', 'delivered']);
    await fb.pushWebhook(m.hook, page([fromCustomer('psid-w', { read: { watermark: clock.now() + 2000 } })]));
    expect(await statuses()).toEqual(['read', 'read']);
    await fb.pushWebhook(m.hook, page([fromCustomer('psid-w', { delivery: { watermark: clock.now() + 3000 } })]));
    expect(await statuses()).toEqual(['read', 'read']);
  });
});

describe('Instagram', () => {
  const igAccount = () => ig.inboxConfig('x').accountId;
  const fromIg = (igsid: string, rest: Record<string, unknown>) => ({ sender: { id: igsid }, recipient: { id: igAccount() }, timestamp: clock.now(), ...rest });

  it('story replies, story mentions, reels and icebreakers become messages an agent can read', async () => {
    ig.setProfile('igsid-1', { name: 'Mei', username: 'mei' });
    const list = await expectReadable(i, 'igsid-1', (items) => ig.pushWebhook(i.hook, igBody(items)), [
      [fromIg('igsid-1', { message: { mid: 'ig_story_reply', text: 'love this!', reply_to: { story: { id: '17890', url: 'https://cdn.example/story.jpg' } } } }), 'love this!\nReplied to your story: https://cdn.example/story.jpg'],
      [fromIg('igsid-1', { message: { mid: 'ig_mention', attachments: [{ type: 'story_mention', payload: { url: 'https://cdn.example/mention.mp4' } }] } }), 'Mentioned you in their story: https://cdn.example/mention.mp4'],
      [fromIg('igsid-1', { message: { mid: 'ig_reel', attachments: [{ type: 'ig_reel', payload: { reel_video_id: '1234', title: 'Unboxing', url: 'https://cdn.example/reel.mp4' } }] } }), 'Shared a reel: Unboxing https://cdn.example/reel.mp4'],
      [fromIg('igsid-1', { postback: { mid: 'ig_ice', title: 'What are your opening hours?', payload: 'HOURS' } }), 'What are your opening hours?'],
    ]);
    expect(list[2].meta.share).toEqual({ type: 'reel', url: 'https://cdn.example/reel.mp4', title: 'Unboxing', reelId: '1234' });
  });

  it('an unsent message is marked deleted by the customer: hidden from the list and search, kept for the record', async () => {
    await ig.customerWrites(i.hook, { igsid: 'igsid-2', text: 'my card number is 4111 oops', mid: 'ig_unsend', timestamp: clock.now() });
    expect((await p.api.get('/api/v1/search?q=4111')).body.messages).toHaveLength(1);
    await ig.pushWebhook(i.hook, igBody([fromIg('igsid-2', { message: { mid: 'ig_unsend', is_deleted: true } })]));
    const conv = await i.conversationOf('igsid-2');
    const [msg] = await i.messagesOf(conv.id);
    expect(msg.content).toBe('');
    expect(msg.deleted).toMatchObject({ by: 'contact', content: 'my card number is 4111 oops' });
    expect(conv.lastMessage.content).toBe('');
    expect((await p.api.get('/api/v1/search?q=4111')).body.messages ?? []).toHaveLength(0);
    expect(conv.messageCount).toBe(1);
  });

  it('a read receipt without a watermark (read.mid) marks our replies up to that message read', async () => {
    await ig.customerWrites(i.hook, { igsid: 'igsid-3', text: 'hi', timestamp: clock.now() });
    const conv = await i.conversationOf('igsid-3');
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'hello from us' });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ sent: 1 });
    const out = (await i.messagesOf(conv.id)).find((x) => x.direction === 'out');
    await ig.pushWebhook(i.hook, igBody([fromIg('igsid-3', { read: { mid: out.externalId } })]));
    expect((await i.messagesOf(conv.id)).find((x) => x.direction === 'out').deliveryStatus).toBe('read');
  });
});
