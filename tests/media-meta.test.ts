// Messenger and Instagram media in: attachments[].payload.url (expiring CDN urls) downloaded
// after the webhook; stickers, story mentions and replies, reels and shares; shared links
// without a file kept as text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstagramFake, type InstagramFake } from '../connectors/instagram/fake.js';
import { startMessengerFake, type MessengerFake } from '../connectors/messenger/fake.js';
import { manualClock } from '../src/domain/core/clock.js';
import { downloadDueMedia } from '../src/domain/media/media-downloads.js';
import { channelInbox, type ChannelInbox } from './helpers/channel.js';
import { JPEG, MP4, OGG, PDF, PNG } from './helpers/media.js';
import { startTestParley, type TestParley } from './helpers/parley.js';

const clock = manualClock(Date.UTC(2026, 11, 1, 10, 0, 0));
let p: TestParley;
let fb: MessengerFake;
let ig: InstagramFake;
let fbIn: ChannelInbox;
let igIn: ChannelInbox;
beforeAll(async () => {
  [fb, ig] = await Promise.all([startMessengerFake(), startInstagramFake()]);
  p = await startTestParley({ clock });
  fbIn = await channelInbox(p, 'messenger', 'FB media', fb.inboxConfig('fb-verify'));
  igIn = await channelInbox(p, 'instagram', 'IG media', ig.inboxConfig('ig-verify'));
});
afterAll(async () => { await p.stop(); await fb.close(); await ig.close(); });

const lastOf = async (ch: ChannelInbox, thread: string) => (await ch.messagesOf((await ch.conversationOf(thread)).id)).at(-1);
const bytesOf = async (url: string) => new Uint8Array(await (await p.api.raw(url, { headers: { authorization: `Bearer ${p.adminToken}` } })).arrayBuffer());

describe('messenger media in', () => {
  it('image, video, audio and file are downloaded from their CDN urls, typed by their bytes', async () => {
    const files = [
      { type: 'image' as const, data: JPEG, want: { contentType: 'image/jpeg', kind: 'image' } },
      { type: 'video' as const, data: MP4, want: { contentType: 'video/mp4', kind: 'video' } },
      { type: 'audio' as const, data: OGG, want: { contentType: 'audio/ogg', kind: 'audio' } },
      { type: 'file' as const, data: PDF, name: '账单.pdf', want: { contentType: 'application/pdf', kind: 'file', name: '账单.pdf' } },
    ];
    const r = await fb.customerWrites(fbIn.hook, {
      psid: '7100000000000001', text: 'proof', timestamp: clock.now(),
      attachments: files.map((f) => ({ type: f.type, url: fb.hostFile(f.data, 'application/octet-stream', f.name ?? 'x') })),
    });
    expect(r.status).toBe(200);
    expect((await lastOf(fbIn, '7100000000000001')).attachments.map((a: any) => a.state)).toEqual(['pending', 'pending', 'pending', 'pending']);
    expect(await downloadDueMedia(p.deps)).toMatchObject({ ready: 4 });
    const m = await lastOf(fbIn, '7100000000000001');
    expect(m.content).toBe('proof');
    for (const [i, f] of files.entries()) {
      expect(m.attachments[i]).toMatchObject({ state: 'ready', ...f.want });
      expect(await bytesOf(m.attachments[i].url)).toEqual(f.data);
    }
  });

  it('a sticker is kept as a sticker; a shared link (fallback, no file) stays as text', async () => {
    const { payload } = fb.messagePayload({ psid: '7100000000000002', timestamp: clock.now() });
    const msg = ((payload.entry[0].messaging![0] as any).message);
    delete msg.text;
    msg.sticker_id = 369239263222822;
    msg.attachments = [{ type: 'image', payload: { url: fb.hostFile(PNG, 'image/png', '851557_n.png'), sticker_id: 369239263222822 } }];
    await fb.pushWebhook(fbIn.hook, payload);
    const share = fb.messagePayload({ psid: '7100000000000003', timestamp: clock.now() }).payload;
    const sm = (share.entry[0].messaging![0] as any).message;
    delete sm.text;
    sm.attachments = [{ title: 'Check us out!', url: 'https://www.facebook.com/Thisisus/', type: 'fallback', payload: null }];
    expect((await fb.pushWebhook(fbIn.hook, share)).status).toBe(200);
    await downloadDueMedia(p.deps);
    expect((await lastOf(fbIn, '7100000000000002')).attachments[0]).toMatchObject({ state: 'ready', kind: 'sticker', contentType: 'image/png' });
    const s = await lastOf(fbIn, '7100000000000003');
    expect(s.content).toBe('Shared: Check us out! https://www.facebook.com/Thisisus/');
    expect(s.attachments).toEqual([]);
  });

  it('an expired CDN url (403) is a clear placeholder at once, not retried', async () => {
    await fb.customerWrites(fbIn.hook, { psid: '7100000000000004', text: 'old photo', timestamp: clock.now(), attachments: [{ type: 'image', url: `${fb.url}/cdn/expired/photo.jpg` }] });
    expect(await downloadDueMedia(p.deps)).toMatchObject({ failed: 1 });
    expect((await lastOf(fbIn, '7100000000000004')).attachments[0]).toMatchObject({ state: 'failed', error: 'Messenger attachment download answered 403' });
  });
});

describe('instagram media in', () => {
  it('a story mention and a shared post bring their media; a reel keeps its title as text with the video', async () => {
    await ig.customerWrites(igIn.hook, { igsid: '9100000000000001', timestamp: clock.now(), attachments: [{ type: 'story_mention', url: ig.hostFile(JPEG, 'image/jpeg', 'story.jpg') }] });
    await ig.customerWrites(igIn.hook, { igsid: '9100000000000002', timestamp: clock.now(), attachments: [{ type: 'share', url: ig.hostFile(PNG, 'image/png', 'post.png') }] });
    const reel = ig.messagePayload({ igsid: '9100000000000003', timestamp: clock.now() }).payload;
    const rm = (reel.entry[0].messaging![0] as any).message;
    delete rm.text;
    rm.attachments = [{ type: 'ig_reel', payload: { reel_video_id: '1234', title: 'How to top up 充值', url: ig.hostFile(MP4, 'video/mp4', 'reel.mp4') } }];
    await ig.pushWebhook(igIn.hook, reel);
    expect(await downloadDueMedia(p.deps)).toMatchObject({ ready: 3 });
    expect((await lastOf(igIn, '9100000000000001')).attachments[0]).toMatchObject({ state: 'ready', contentType: 'image/jpeg', name: 'story.jpg' });
    expect((await lastOf(igIn, '9100000000000002')).attachments[0]).toMatchObject({ state: 'ready', contentType: 'image/png' });
    const r = await lastOf(igIn, '9100000000000003');
    expect(r.content).toMatch(/^Shared a reel: How to top up 充值/);
    expect(r.attachments[0]).toMatchObject({ state: 'ready', contentType: 'video/mp4', kind: 'video' });
  });

  it('a reply to a story keeps the reply as text and the story\'s media as its file', async () => {
    const { payload } = ig.messagePayload({ igsid: '9100000000000004', text: 'Is this offer still on?', timestamp: clock.now() });
    ((payload.entry[0].messaging![0] as any).message).reply_to = { story: { id: '17900000000000001', url: ig.hostFile(JPEG, 'image/jpeg', 'promo.jpg') } };
    await ig.pushWebhook(igIn.hook, payload);
    await downloadDueMedia(p.deps);
    const m = await lastOf(igIn, '9100000000000004');
    expect(m.content).toMatch(/^Is this offer still on\?\nReplied to your story/);
    expect(m.attachments[0]).toMatchObject({ state: 'ready', contentType: 'image/jpeg', name: 'promo.jpg' });
  });
});
