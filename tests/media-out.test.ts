// An agent sends an image and a PDF on Telegram (multipart sendPhoto/sendDocument), Messenger
// (attachment upload with filedata), Instagram and SMS (by Parley's signed, expiring public URL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstagramFake, type InstagramFake } from '../connectors/instagram/fake.js';
import { startMessengerFake, type MessengerFake } from '../connectors/messenger/fake.js';
import { startSmsFake, type SmsFake } from '../connectors/sms/fake.js';
import { startTelegramFake, type TelegramFake } from '../connectors/telegram/fake.js';
import { manualClock } from '../src/domain/core/clock.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { pollInbox } from '../src/domain/ingest/polling.js';
import { channelInbox } from './helpers/channel.js';
import { JPEG, PDF } from './helpers/media.js';
import { startTestParley, type TestParley } from './helpers/parley.js';
import { startSmtpSink } from './helpers/smtp-sink.js';
import { ingest } from '../src/domain/ingest/ingest.js';

const clock = manualClock(Date.now());
let p: TestParley;
let tg: TelegramFake;
let fb: MessengerFake;
let ig: InstagramFake;
let sms: SmsFake;
beforeAll(async () => {
  [tg, fb, ig, sms] = await Promise.all([startTelegramFake(), startMessengerFake(), startInstagramFake(), startSmsFake()]);
  p = await startTestParley({ clock });
});
afterAll(async () => { await p.stop(); await Promise.all([tg.close(), fb.close(), ig.close(), sms.close()]); });

const twoFiles = (content: string) => {
  const f = new FormData();
  f.append('content', content);
  f.append('files', new Blob([JPEG], { type: 'image/jpeg' }), 'receipt.jpg');
  f.append('files', new Blob([PDF], { type: 'application/pdf' }), 'statement.pdf');
  return f;
};
async function replyWithFiles(conversationId: string, content = 'Here you go') {
  const r = await fetch(`${p.url}/api/v1/conversations/${conversationId}/messages`, { method: 'POST', headers: { authorization: `Bearer ${p.adminToken}` }, body: twoFiles(content) });
  expect(r.status).toBe(201);
  const body = await r.json();
  await deliverDueOutbox(p.deps);
  const m = (await p.api.get(`/api/v1/conversations/${conversationId}/messages`)).body.data.find((x: any) => x.id === body.id);
  return m;
}
const convOf = async (inboxId: string) => (await p.api.get(`/api/v1/conversations?inboxId=${inboxId}`)).body.data[0].id as string;

describe('files out', () => {
  it('Telegram: sendPhoto with the caption, then sendDocument, multipart', async () => {
    const inboxId = (await p.api.post('/api/v1/inboxes', { name: 'TG out', channel: 'telegram', config: tg.inboxConfig() })).body.id;
    await tg.customerWrites({ from: { id: 55001, first_name: 'Ann' }, text: 'send me the statement' });
    await pollInbox(p.deps, (await p.store.get('SELECT * FROM inboxes WHERE id = ?', [inboxId]))!);
    const m = await replyWithFiles(await convOf(inboxId), '您的对账单');
    expect(m.deliveryStatus).toBe('sent');
    expect(tg.uploads.map((u) => [u.method, u.field, u.filename, u.contentType, u.caption])).toEqual([
      ['sendPhoto', 'photo', 'receipt.jpg', 'image/jpeg', '您的对账单'], ['sendDocument', 'document', 'statement.pdf', 'application/pdf', undefined]]);
    expect(tg.uploads[0].data).toEqual(JPEG);
    expect(tg.uploads[1].data).toEqual(PDF);
    expect(tg.sends).toHaveLength(0);
  });

  it('Messenger: the text first (attachments carry no caption), then each file uploaded with filedata', async () => {
    const ch = await channelInbox(p, 'messenger', 'FB out', fb.inboxConfig('v'));
    await fb.customerWrites(ch.hook, { psid: '7200000000000001', text: 'receipt please', timestamp: clock.now() });
    const m = await replyWithFiles(await convOf(ch.inboxId));
    expect(m.deliveryStatus).toBe('sent');
    expect(fb.sent.map((s) => s.text)).toEqual(['Here you go', '', '']);
    expect(fb.attachments.map((a) => [a.type, a.filename, a.contentType])).toEqual([['image', 'receipt.jpg', 'image/jpeg'], ['file', 'statement.pdf', 'application/pdf']]);
    expect(fb.attachments[1].data).toEqual(PDF);
  });

  it('Instagram: by public URL — a signed link Instagram fetches, that opens only that file and only until it expires', async () => {
    const ch = await channelInbox(p, 'instagram', 'IG out', ig.inboxConfig('v'));
    await ig.customerWrites(ch.hook, { igsid: '9200000000000001', text: 'pdf?', timestamp: clock.now() });
    const m = await replyWithFiles(await convOf(ch.inboxId));
    expect(m.deliveryStatus).toBe('sent');
    expect(ig.attachments.map((a) => [a.type, a.contentType])).toEqual([['image', 'image/jpeg'], ['file', 'application/pdf']]);
    expect(ig.attachments[0].data).toEqual(JPEG);
    expect(ig.attachments[1].data).toEqual(PDF);
    const link = new URL(ig.attachments[1].url!);
    expect(link.origin).toBe(new URL(p.url).origin);
    expect(link.pathname).toBe(`/public/files/${m.attachments[1].id}`);
    // Another file's id under the same signature, or a tampered expiry: refused.
    expect((await fetch(link.href.replace(m.attachments[1].id, m.attachments[0].id))).status).toBe(403);
    expect((await fetch(link.href.replace(/exp=\d+/, `exp=${Number(link.searchParams.get('exp')) + 1000}`))).status).toBe(403);
    clock.advance(25 * 3_600_000);
    expect((await fetch(link)).status).toBe(403);
    clock.set(Date.now());
  });

  it('SMS: one MMS with both files as MediaUrl and the text as Body', async () => {
    const inboxId = (await p.api.post('/api/v1/inboxes', { name: 'SMS out', channel: 'sms', config: sms.inboxConfig() })).body.id;
    await sms.customerTexts(`${p.url}/webhooks/${inboxId}`, { from: '+8613700000001', body: 'send it' });
    const m = await replyWithFiles(await convOf(inboxId));
    expect(m.deliveryStatus).toBe('sent');
    expect(sms.sends.at(-1)).toMatchObject({ body: 'Here you go', mediaUrls: [expect.stringContaining('/public/files/'), expect.stringContaining('/public/files/')] });
    expect(sms.mediaFetches.map((f) => [f.status, f.contentType])).toEqual([[200, 'image/jpeg'], [200, 'application/pdf']]);
    expect(sms.mediaFetches[1].data).toEqual(PDF);
  });

  it('email: one message with both files as MIME attachments', async () => {
    const sink = await startSmtpSink();
    try {
      const config = {
        address: 'support@parley.test', allowPlaintext: true,
        imap: { host: '127.0.0.1', port: 1, secure: false, user: 'u', password: 'p' },
        smtp: { host: '127.0.0.1', port: sink.port, secure: false },
      };
      const inboxId = (await p.api.post('/api/v1/inboxes', { name: 'Mail out', channel: 'email', config })).body.id;
      await ingest(p.deps, { id: inboxId, channel: 'email' }, [{ kind: 'message', externalId: '<q1@customer.test>', threadKey: '<q1@customer.test>', sender: { externalId: 'wu@customer.test', email: 'wu@customer.test' }, subject: 'Statement', text: 'Please send it', attachments: [], sentAt: clock.now() }]);
      const m = await replyWithFiles(await convOf(inboxId));
      expect(m.deliveryStatus).toBe('sent');
      const mail = sink.received.at(-1)!.mail;
      expect(mail.text?.trim()).toBe('Here you go');
      expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([['receipt.jpg', 'image/jpeg'], ['statement.pdf', 'application/pdf']]);
      expect(new Uint8Array(mail.attachments[1].content)).toEqual(PDF);
    } finally { await sink.stop(); }
  });
});
