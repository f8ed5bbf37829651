// MMS in (Twilio): MediaUrlN + MediaContentTypeN, fetched after the webhook with the account's
// basic auth, following the redirect to the file.
import { describe, expect, it } from 'vitest';
import { startSmsFake } from '../connectors/sms/fake.js';
import { manualClock } from '../src/domain/core/clock.js';
import { downloadDueMedia, mediaBackoffMs } from '../src/domain/media/media-downloads.js';
import { channelFixtures, lastMessageOf } from './helpers/channel.js';
import { downloadedBytes, JPEG, PDF } from './helpers/media.js';

const clock = manualClock(Date.now());
const { fake, p, ch } = channelFixtures(startSmsFake, 'sms', 'MMS', (f) => f.inboxConfig(), { clock });
const lastOf = (from: string) => lastMessageOf(ch, from);
const bytesOf = (url: string) => downloadedBytes(p, url);

describe('MMS in', () => {
  it('two media with a body: each fetched with basic auth through the redirect, the body is the text', async () => {
    const r = await fake.customerSendsMms(ch.hook, { from: '+8613900000001', body: '收据', media: [
      { url: fake.addMedia(JPEG, 'image/jpeg'), contentType: 'image/jpeg' }, { url: fake.addMedia(PDF, 'application/pdf'), contentType: 'application/pdf' },
    ] });
    expect(r.status).toBe(200);
    expect(await downloadDueMedia(p.deps)).toMatchObject({ ready: 2 });
    const m = await lastOf('+8613900000001');
    expect(m.content).toBe('收据');
    expect(m.attachments.map((a: any) => [a.state, a.contentType])).toEqual([['ready', 'image/jpeg'], ['ready', 'application/pdf']]);
    expect(await bytesOf(m.attachments[0].url)).toEqual(JPEG);
    expect(await bytesOf(m.attachments[1].url)).toEqual(PDF);
  });

  it('media without a body; a 5xx is retried and then succeeds', async () => {
    fake.failMedia(1, 503);
    await fake.customerSendsMms(ch.hook, { from: '+8613900000002', media: [{ url: fake.addMedia(JPEG, 'image/jpeg'), contentType: 'image/jpeg' }] });
    expect(await downloadDueMedia(p.deps)).toMatchObject({ retried: 1 });
    expect((await lastOf('+8613900000002')).attachments[0]).toMatchObject({ state: 'pending', error: expect.stringContaining('Retrying: MMS media download answered 503') });
    clock.advance(mediaBackoffMs(1));
    expect(await downloadDueMedia(p.deps)).toMatchObject({ ready: 1 });
    const m = await lastOf('+8613900000002');
    expect(m.content).toBe('');
    expect(m.attachments[0]).toMatchObject({ state: 'ready', error: null });
  });

  it('a media URL that is not a URL (seen in peers\' payloads) is a placeholder, not a crash', async () => {
    const r = await fake.post(ch.hook, { MessageSid: 'MM0000000000000000000000000000bad1', From: '+8613900000003', To: fake.number, Body: 'x', NumMedia: '1', MediaUrl0: 'cat.jpg', MediaContentType0: 'image/jpeg' });
    expect(r.status).toBe(200);
    expect(await downloadDueMedia(p.deps)).toMatchObject({ failed: 1 });
    expect((await lastOf('+8613900000003')).attachments[0]).toMatchObject({ state: 'failed', error: 'MMS media: "cat.jpg" is not a URL' });
  });

  it('a file over the channel\'s limit (MMS: 5 MB) stops downloading at the limit and is refused with the sizes', async () => {
    const big = new Uint8Array(6 * 1048576);
    big.set(JPEG);
    await fake.customerSendsMms(ch.hook, { from: '+8613900000004', body: 'big', media: [{ url: fake.addMedia(big, 'image/jpeg'), contentType: 'image/jpeg' }] });
    expect(await downloadDueMedia(p.deps)).toMatchObject({ failed: 1 });
    expect((await lastOf('+8613900000004')).attachments[0]).toMatchObject({ state: 'refused', error: "the file is 6.0 MB, over this inbox's limit of 5.0 MB" });
  });
});
