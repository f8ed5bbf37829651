// X DM media in: the photo/GIF/video of a DM (attachments.media_keys with the media expansion
// when polling, message_data.attachment in Account Activity webhooks), fetched with the inbox's
// OAuth 1.0a user credentials; the t.co link of the file leaves the text.
import { describe, expect, it } from 'vitest';
import { startTwitterFake } from '../connectors/twitter/fake.js';
import { downloadDueMedia } from '../src/domain/media/media-downloads.js';
import { pollInbox } from '../src/domain/ingest/polling.js';
import { JPEG, MP4, PDF } from './helpers/media.js';
import { channelFixtures } from './helpers/channel.js';

const { fake, p, ch } = channelFixtures(startTwitterFake, 'twitter', 'X media', (f) => f.inboxConfig());

const lastOf = async (customer: string) => {
  const c = await p.store.get<{ id: string }>('SELECT id FROM conversations WHERE inbox_id = ? AND thread_key LIKE ?', [ch.inboxId, `%${customer}%`]);
  return (await p.api.get(`/api/v1/conversations/${c!.id}/messages`)).body.data.at(-1);
};
const bytesOf = async (url: string) => new Uint8Array(await (await p.api.raw(url, { headers: { authorization: `Bearer ${p.adminToken}` } })).arrayBuffer());

describe('X DM media in', () => {
  it('polling: a photo DM asks for the media expansion; the photo is fetched OAuth-signed', async () => {
    const photo = fake.addMedia(JPEG, { type: 'photo', contentType: 'image/jpeg' });
    fake.customerWrites({ from: { id: '2000000000000000001', name: 'Zhou' }, text: 'card declined', media: photo });
    await pollInbox(p.deps, (await p.store.get('SELECT * FROM inboxes WHERE id = ?', [ch.inboxId]))!);
    const q = fake.requests.find((r) => r.path === '/2/dm_events')!.query;
    expect(q.expansions.split(',')).toContain('attachments.media_keys');
    expect(q['media.fields'].split(',')).toEqual(expect.arrayContaining(['url', 'type', 'variants']));
    expect(await downloadDueMedia(p.deps)).toMatchObject({ ready: 1 });
    const m = await lastOf('2000000000000000001');
    expect(m.content).toBe('card declined');
    expect(m.attachments[0]).toMatchObject({ state: 'ready', contentType: 'image/jpeg', kind: 'image', name: 'photo.jpg' });
    expect(await bytesOf(m.attachments[0].url)).toEqual(JPEG);
    expect(fake.requests.filter((r) => r.path.startsWith('/dm-media/'))).toHaveLength(1);
  });

  it('Account Activity webhook: an animated GIF arrives as its mp4, with no t.co link left in the text', async () => {
    const gif = fake.addMedia(MP4, { type: 'animated_gif', contentType: 'video/mp4' });
    const r = await fake.pushWebhook(ch.hook, { from: { id: '2000000000000000002' }, text: '', media: gif });
    expect(r.status).toBe(200);
    expect(await downloadDueMedia(p.deps)).toMatchObject({ ready: 1 });
    const m = await lastOf('2000000000000000002');
    expect(m.content).toBe('');
    expect(m.attachments[0]).toMatchObject({ state: 'ready', contentType: 'video/mp4', kind: 'video' });
    expect(await bytesOf(m.attachments[0].url)).toEqual(MP4);
  });
});

describe('X DM media out', () => {
  it('an image is uploaded (dm_image) and sent with its media_id and the text; a PDF is refused at once (X DMs carry no documents)', async () => {
    const { deliverDueOutbox } = await import('../src/domain/outbox/outbox.js');
    const conv = (await p.api.get(`/api/v1/conversations?inboxId=${ch.inboxId}`)).body.data[0];
    const send = (name: string, type: string, data: Uint8Array) => {
      const f = new FormData();
      f.append('content', 'the fix');
      f.append('files', new Blob([data as Uint8Array<ArrayBuffer>], { type }), name);
      return fetch(`${p.url}/api/v1/conversations/${conv.id}/messages`, { method: 'POST', headers: { authorization: `Bearer ${p.adminToken}` }, body: f });
    };
    expect((await send('fix.jpg', 'image/jpeg', JPEG)).status).toBe(201);
    await deliverDueOutbox(p.deps);
    expect(fake.uploads).toEqual([expect.objectContaining({ category: 'dm_image', contentType: 'image/jpeg', filename: 'fix.jpg', data: JPEG })]);
    expect(fake.sends.at(-1)).toMatchObject({ text: 'the fix', mediaId: fake.uploads[0].id });
    expect((await p.api.get(`/api/v1/conversations/${conv.id}/messages`)).body.data.at(-1).deliveryStatus).toBe('sent');
    const pdf = await send('statement.pdf', 'application/pdf', PDF);
    expect(pdf.status).toBe(422);
    expect((await pdf.json()).error.message).toContain('"statement.pdf" is application/pdf, which this channel cannot send');
  });
});
