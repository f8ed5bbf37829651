// WhatsApp media in (two-step download with the inbox's Bearer token, after the webhook's 200)
// and out (upload, then send by media id with the caption).
import { describe, expect, it } from 'vitest';
import { startWhatsappFake } from '../connectors/whatsapp/fake.js';
import { manualClock } from '../src/domain/core/clock.js';
import { downloadDueMedia, MEDIA_MAX_ATTEMPTS, mediaBackoffMs } from '../src/domain/media/media-downloads.js';
import { channelFixtures } from './helpers/channel.js';
import { JPEG, MP4, OGG, PDF, PNG, WEBP } from './helpers/media.js';

const clock = manualClock(Date.UTC(2026, 11, 1, 10, 0, 0));
const { fake, p, ch } = channelFixtures(startWhatsappFake, 'whatsapp', 'WA media', (f) => f.inboxConfig('v-token'), { clock });

const lastMessage = async (waId: string) => {
  const conv = await ch.conversationOf(waId);
  return (await ch.messagesOf(conv.id)).at(-1);
};
const download = async (url: string) => {
  const res = await p.api.raw(url, { headers: { authorization: `Bearer ${p.adminToken}` } });
  return { status: res.status, type: res.headers.get('content-type'), bytes: new Uint8Array(await res.arrayBuffer()) };
};

describe('whatsapp media in', () => {
  it('an image with a caption: answered 200 at once with the file pending, then fetched by id with the Bearer token', async () => {
    const mediaId = fake.addMedia(JPEG, 'image/jpeg');
    const r = await fake.customerSendsMedia(ch.hook, { waId: '8613800138001', name: '王芳', type: 'image', mediaId, caption: '转账失败截图', timestamp: clock.now() });
    expect(r.status).toBe(200);
    expect(fake.calls.filter((c) => c.method === 'GET')).toHaveLength(0);
    const pending = await lastMessage('8613800138001');
    expect(pending.content).toBe('转账失败截图');
    expect(pending.attachments).toEqual([expect.objectContaining({ state: 'pending', kind: 'image' })]);
    expect((await p.api.get(pending.attachments[0].url)).body.error.code).toBe('attachment_pending');

    expect(await downloadDueMedia(p.deps)).toMatchObject({ claimed: 1, ready: 1 });
    const gets = fake.calls.filter((c) => c.method === 'GET');
    expect(gets.map((c) => c.path)).toEqual([`/v25.0/${mediaId}`, '/whatsapp_business/attachments/']);
    for (const g of gets) expect(g.headers.authorization).toBe(`Bearer ${fake.accessToken}`);
    const m = await lastMessage('8613800138001');
    expect(m.attachments).toEqual([expect.objectContaining({ state: 'ready', contentType: 'image/jpeg', size: JPEG.byteLength, kind: 'image', name: 'file.jpg' })]);
    const f = await download(m.attachments[0].url);
    expect(f).toMatchObject({ status: 200, type: 'image/jpeg' });
    expect(f.bytes).toEqual(JPEG);
  });

  it('document (its filename kept), video, voice note, audio and sticker each become a file an agent opens', async () => {
    const cases = [
      { type: 'document' as const, data: PDF, mime: 'application/pdf', filename: '银行流水.pdf', want: { name: '银行流水.pdf', contentType: 'application/pdf', kind: 'file' } },
      { type: 'video' as const, data: MP4, mime: 'video/mp4', want: { contentType: 'video/mp4', kind: 'video' } },
      { type: 'audio' as const, data: OGG, mime: 'audio/ogg; codecs=opus', voice: true, want: { contentType: 'audio/ogg', kind: 'voice' } },
      { type: 'audio' as const, data: OGG, mime: 'audio/ogg', want: { contentType: 'audio/ogg', kind: 'audio' } },
      { type: 'sticker' as const, data: WEBP, mime: 'image/webp', want: { contentType: 'image/webp', kind: 'sticker' } },
    ];
    for (const [i, c] of cases.entries()) {
      const waId = `86138000382${i}`;
      const mediaId = fake.addMedia(c.data, c.mime);
      expect((await fake.customerSendsMedia(ch.hook, { waId, type: c.type, mediaId, filename: c.filename, voice: c.voice, timestamp: clock.now() })).status).toBe(200);
    }
    expect(await downloadDueMedia(p.deps)).toMatchObject({ claimed: cases.length, ready: cases.length });
    for (const [i, c] of cases.entries()) {
      const m = await lastMessage(`86138000382${i}`);
      expect(m.content).toBe('');
      expect(m.attachments[0]).toMatchObject({ state: 'ready', ...c.want });
      expect((await download(m.attachments[0].url)).bytes).toEqual(c.data);
    }
  });

  it('a download failing three times is retried with backoff, then gives up with a clear placeholder; the process stays up', async () => {
    const mediaId = fake.addMedia(PNG, 'image/png');
    await fake.customerSendsMedia(ch.hook, { waId: '8613800138003', type: 'image', mediaId, timestamp: clock.now() });
    fake.failNext(MEDIA_MAX_ATTEMPTS, { status: 500, match: 'any' });
    expect(await downloadDueMedia(p.deps)).toMatchObject({ retried: 1 });
    expect((await lastMessage('8613800138003')).attachments[0].state).toBe('pending');
    expect(await downloadDueMedia(p.deps)).toMatchObject({ claimed: 0 }); // not due yet
    clock.advance(mediaBackoffMs(1));
    expect(await downloadDueMedia(p.deps)).toMatchObject({ retried: 1 });
    clock.advance(mediaBackoffMs(2));
    expect(await downloadDueMedia(p.deps)).toMatchObject({ failed: 1 });
    const m = await lastMessage('8613800138003');
    expect(m.attachments[0]).toMatchObject({ state: 'failed', error: expect.stringMatching(/^could not be downloaded after 3 tries \(Graph API 500: .*\); open it in the original channel$/) });
    const res = await p.api.get(m.attachments[0].url);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('attachment_not_stored');
    expect((await p.api.get('/healthz')).status).toBe(200);
  });

  it('bytes that are not what the sender said, and a file over the limit, are refused with the reason', async () => {
    const html = new TextEncoder().encode('<html><body onload="steal()">hi</body></html>');
    const mediaId = fake.addMedia(html, 'image/jpeg');
    await fake.customerSendsMedia(ch.hook, { waId: '8613800138004', type: 'image', mediaId, caption: 'look', timestamp: clock.now() });
    await downloadDueMedia(p.deps);
    const m = await lastMessage('8613800138004');
    expect(m.content).toBe('look');
    expect(m.attachments[0]).toMatchObject({ state: 'refused', error: 'the file says it is image/jpeg, but its content is not a recognisable file type' });
  });

  it('a replayed webhook stores neither the message nor its file twice', async () => {
    const mediaId = fake.addMedia(PNG, 'image/png');
    const { payload } = fake.mediaPayload({ waId: '8613800138005', type: 'image', mediaId, id: 'wamid.replay-media', timestamp: clock.now() });
    await fake.pushWebhook(ch.hook, payload);
    await fake.pushWebhook(ch.hook, payload);
    expect(await ch.countByExternalId('wamid.replay-media')).toBe(1);
    const n = await p.store.get<{ n: number }>("SELECT count(*) AS n FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.external_id = 'wamid.replay-media'");
    expect(n!.n).toBe(1);
    await downloadDueMedia(p.deps);
  });
});

describe('whatsapp media out', () => {
  const form = (content: string, files: [Uint8Array, string, string][]) => {
    const f = new FormData();
    f.append('content', content);
    for (const [d, n, t] of files) f.append('files', new Blob([d as Uint8Array<ArrayBuffer>], { type: t }), n);
    return f;
  };
  const reply = (convId: string, f: FormData) => fetch(`${p.url}/api/v1/conversations/${convId}/messages`, { method: 'POST', headers: { authorization: `Bearer ${p.adminToken}` }, body: f });

  it('an image and a PDF: each uploaded, then sent by media id, the caption on the first; sent only when both went out', async () => {
    const { deliverDueOutbox } = await import('../src/domain/outbox/outbox.js');
    await fake.customerWrites(ch.hook, { waId: '8613800138009', text: 'need proof', timestamp: clock.now() });
    const conv = await ch.conversationOf('8613800138009');
    const r = await reply(conv.id, form('这是收据', [[JPEG, 'receipt.jpg', 'image/jpeg'], [PDF, '流水.pdf', 'application/pdf']]));
    expect(r.status).toBe(201);
    fake.failNext(1, { status: 503, after: 1 }); // the second send fails once
    const uploadsBefore = fake.uploads.length;
    await deliverDueOutbox(p.deps);
    let m = (await ch.messagesOf(conv.id)).at(-1);
    expect(m.deliveryStatus).toBe('queued');
    expect(fake.sent.filter((s) => s.to === '8613800138009')).toHaveLength(1);
    clock.advance(60_000);
    await deliverDueOutbox(p.deps);
    m = (await ch.messagesOf(conv.id)).at(-1);
    expect(m.deliveryStatus).toBe('sent');
    const sends = fake.sent.filter((s) => s.to === '8613800138009');
    expect(sends.map((s) => s.media)).toEqual([
      { type: 'image', id: fake.uploads[uploadsBefore].id, caption: '这是收据' },
      { type: 'document', id: fake.uploads.at(-1)!.id, filename: '流水.pdf' },
    ]);
    // The image went out once: the retry started from the PDF (uploaded twice is harmless, sent once).
    expect(fake.uploads[uploadsBefore]).toMatchObject({ filename: 'receipt.jpg', contentType: 'image/jpeg', data: JPEG });
    expect(fake.uploads.at(-1)).toMatchObject({ filename: '流水.pdf', contentType: 'application/pdf', data: PDF });
  });

  it('a file the channel cannot take is refused at once with 422 naming the file and the limit', async () => {
    const conv = await ch.conversationOf('8613800138009');
    const big = new Uint8Array(6 * 1048576);
    big.set(PNG);
    const r = await reply(conv.id, form('x', [[big, 'huge.png', 'image/png']]));
    expect(r.status).toBe(422);
    expect((await r.json()).error).toEqual({ code: 'file_too_large', message: '"huge.png" is 6 MB; this channel sends image/png files up to 5 MB' });
    const long = await reply(conv.id, form('长'.repeat(1025), [[JPEG, 'a.jpg', 'image/jpeg']]));
    expect(long.status).toBe(422);
    expect((await long.json()).error.code).toBe('caption_too_long');
  });
});
