// Telegram media in (getFile -> /file/bot<token>/<file_path>, after the update was stored) and
// out (sendPhoto / sendDocument / sendVideo / sendVoice multipart).
import { describe, expect, it } from 'vitest';
import { startTelegramFake } from '../connectors/telegram/fake.js';
import { manualClock } from '../src/domain/core/clock.js';
import { downloadDueMedia } from '../src/domain/media/media-downloads.js';
import { pollInbox } from '../src/domain/ingest/polling.js';
import { channelFixtures, lastMessageOf } from './helpers/channel.js';
import { downloadedBytes, JPEG, MP4, OGG, PDF, PNG, WEBP } from './helpers/media.js';

const clock = manualClock(Date.now());
const { fake, p, ch } = channelFixtures(startTelegramFake, 'telegram', 'TG media', (f) => f.inboxConfig(), { clock });
const poll = async () => pollInbox(p.deps, (await p.store.get('SELECT * FROM inboxes WHERE id = ?', [ch.inboxId]))!);
const lastOf = (chatId: number) => lastMessageOf(ch, String(chatId));
const bytesOf = (url: string) => downloadedBytes(p, url);

describe('telegram media in', () => {
  it('a photo: the largest size is downloaded through getFile, the caption is the text', async () => {
    const small = fake.addFile(PNG, { name: 's.jpg' });
    const large = fake.addFile(JPEG, { name: 'l.jpg' });
    const from = { id: 91001, first_name: 'Mei' };
    await fake.customerSends({ from, message: { caption: '付款截图', photo: [{ ...small, width: 90, height: 67 }, { ...large, width: 1280, height: 960 }] } });
    await poll();
    expect((await lastOf(91001)).attachments[0].state).toBe('pending');
    expect(await downloadDueMedia(p.deps)).toMatchObject({ ready: 1 });
    const m = await lastOf(91001);
    expect(m.content).toBe('付款截图');
    expect(m.attachments[0]).toMatchObject({ state: 'ready', contentType: 'image/jpeg', kind: 'image', name: 'photo.jpg' });
    expect(await bytesOf(m.attachments[0].url)).toEqual(JPEG);
    expect(fake.calls.filter((c) => c.method === 'getFile').map((c) => c.body.file_id)).toEqual([large.file_id]);
    expect(fake.calls.filter((c) => c.method === 'file').map((c) => c.body.path)).toEqual(['photos/file_2.jpg']);
  });

  it('document (name kept), video, voice, audio, animation, video note and sticker (its emoji as text)', async () => {
    const cases: [string, Uint8Array, Record<string, unknown>, Record<string, unknown>, string][] = [
      ['document', PDF, { file_name: 'bank statement.pdf', mime_type: 'application/pdf' }, { name: 'bank statement.pdf', contentType: 'application/pdf', kind: 'file' }, ''],
      ['video', MP4, { mime_type: 'video/mp4', file_name: 'IMG_2170.MOV' }, { name: 'IMG_2170.MOV', contentType: 'video/mp4', kind: 'video' }, ''],
      ['voice', OGG, { mime_type: 'audio/ogg', duration: 3 }, { contentType: 'audio/ogg', kind: 'voice' }, ''],
      ['audio', OGG, { mime_type: 'audio/ogg', title: 'memo' }, { contentType: 'audio/ogg', kind: 'audio' }, ''],
      ['animation', MP4, { mime_type: 'video/mp4' }, { contentType: 'video/mp4', kind: 'video' }, ''],
      ['video_note', MP4, { length: 240 }, { contentType: 'video/mp4', kind: 'video' }, ''],
      ['sticker', WEBP, { emoji: '👍', width: 512, height: 512, is_animated: false, is_video: false, type: 'regular' }, { contentType: 'image/webp', kind: 'sticker' }, '👍'],
    ];
    for (const [i, [field, data, extra]] of cases.entries()) {
      await fake.customerSends({ from: { id: 92000 + i, first_name: 'T' }, message: { [field]: { ...fake.addFile(data), ...extra } } });
    }
    await poll();
    expect(await downloadDueMedia(p.deps)).toMatchObject({ ready: cases.length });
    for (const [i, [, data, , want, text]] of cases.entries()) {
      const m = await lastOf(92000 + i);
      expect(m.content).toBe(text);
      expect(m.attachments[0]).toMatchObject({ state: 'ready', ...want });
      expect(await bytesOf(m.attachments[0].url)).toEqual(data);
    }
  });

  it('a file over the Bot API\'s 20 MB limit is a clear placeholder, never downloaded', async () => {
    const big = fake.addFile(PDF, { size: 45 * 1048576 });
    await fake.customerSends({ from: { id: 93001, first_name: 'Big' }, message: { caption: 'full export', document: { ...big, file_name: 'export.zip' } } });
    await poll();
    const m = await lastOf(93001);
    expect(m.content).toBe('full export');
    expect(m.attachments[0]).toMatchObject({ state: 'refused', name: 'export.zip', size: 45 * 1048576, error: 'the file is 45.0 MB; Telegram lets bots download files up to 20 MB, so open it in Telegram' });
    expect(await downloadDueMedia(p.deps)).toMatchObject({ claimed: 0 });
  });
});
