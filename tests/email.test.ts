// Email end to end against real servers: a private dovecot (IMAP, mail delivered with APPEND)
// and an smtp-server sink, through Parley's HTTP API. Each test uses its own IMAP mailbox and
// its own inbox, so they do not see each other's mail.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { email } from '../connectors/email/index.js';
import { createRegistry } from '../connectors/registry.js';
import type { Connector } from '../connectors/types.js';
import type { Deps } from '../src/domain/deps.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { pollDueInboxes, pollInbox } from '../src/domain/ingest/polling.js';
import { dovecotAvailable, freePort, startDovecot, type Dovecot } from './helpers/dovecot.js';
import { apiClient, startTestParley, type TestParley } from './helpers/parley.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';

const FIXTURES = join(import.meta.dirname, 'fixtures/email');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const ADDRESS = 'support@parley.test';
const SMTP_USER = 'mailer';
const SMTP_PASSWORD = 'smtp-secret';

let p: TestParley;
let dv: Dovecot;
let sink: SmtpSink;
let boxes = 0;

beforeAll(async () => {
  if (!dovecotAvailable()) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd (npm test installs it first)');
  [dv, sink, p] = await Promise.all([startDovecot(), startSmtpSink({ user: SMTP_USER, password: SMTP_PASSWORD }), startTestParley()]);
}, 30_000);
afterAll(async () => {
  await Promise.all([p?.stop(), dv?.stop(), sink?.stop()]);
});

function config(mailbox: string, over: { imap?: object; smtp?: object; [k: string]: unknown } = {}) {
  const { imap, smtp, ...rest } = over;
  return {
    address: ADDRESS, fromName: 'Parley Support', allowPlaintext: true,
    imap: { host: '127.0.0.1', port: dv.port, secure: false, user: dv.user, password: dv.password, mailbox, ...imap },
    smtp: { host: '127.0.0.1', port: sink.port, secure: false, user: SMTP_USER, password: SMTP_PASSWORD, ...smtp },
    ...rest,
  };
}

/** A fresh IMAP mailbox and an email inbox reading it. */
async function emailInbox(over: Parameters<typeof config>[1] = {}) {
  const mailbox = `Box${++boxes}`;
  await dv.withClient((c) => c.mailboxCreate(mailbox));
  const r = await p.api.post('/api/v1/inboxes', { name: `Email ${boxes}`, channel: 'email', config: config(mailbox, over) });
  expect(r.status).toBe(201);
  return { id: r.body.id as string, mailbox };
}

const inboxRow = async (id: string) => (await p.deps.store.get('SELECT * FROM inboxes WHERE id = ?', [id]))!;
const cursorOf = async (id: string) => (await p.deps.store.get<{ cursor: string }>("SELECT cursor FROM connector_cursors WHERE inbox_id = ? AND name = 'default'", [id]))?.cursor ?? null;

/** Polls until the cursor stops moving (the mailbox is read to its end); returns the number of polls. */
async function drain(id: string, deps: Deps = p.deps): Promise<number> {
  for (let i = 1; i <= 100; i++) {
    const before = await cursorOf(id);
    const res = await pollInbox(deps, await inboxRow(id));
    if (!res) throw new Error(`poll failed: ${(await inboxRow(id)).health_error}`);
    if ((await cursorOf(id)) === before) return i;
  }
  throw new Error('mailbox never drained');
}

async function conversations(inboxId: string) {
  const r = await p.api.get(`/api/v1/conversations?inboxId=${inboxId}&limit=100`);
  expect(r.status).toBe(200);
  return r.body.data as any[];
}
async function messages(conversationId: string) {
  const r = await p.api.get(`/api/v1/conversations/${conversationId}/messages?limit=100`);
  expect(r.status).toBe(200);
  return r.body.data as any[];
}
const messageCount = async (inboxId: string) =>
  (await p.deps.store.get<{ n: number }>('SELECT count(*) AS n FROM messages WHERE inbox_id = ?', [inboxId]))!.n;

describe('email inbox config', () => {
  it('is validated on create (the field is named) and secrets are never returned', async () => {
    const bad = await p.api.post('/api/v1/inboxes', { name: 'Bad', channel: 'email', config: { ...config('INBOX'), imap: { host: '127.0.0.1', port: dv.port, secure: false, user: 'x' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_config');
    expect(bad.body.error.message).toMatch(/^config\.imap\.password/);
    const badAddress = await p.api.post('/api/v1/inboxes', { name: 'Bad', channel: 'email', config: { ...config('INBOX'), address: 'not-an-address' } });
    expect(badAddress.status).toBe(400);
    expect(badAddress.body.error.message).toMatch(/^config\.address/);

    const { id } = await emailInbox();
    const got = await p.api.get(`/api/v1/inboxes/${id}`);
    expect(got.body.config.imap.password).toBe('[redacted]');
    expect(got.body.config.smtp.password).toBe('[redacted]');
    expect(JSON.stringify(got.body)).not.toContain(dv.password);
    expect(JSON.stringify(await p.api.get('/api/v1/inboxes'))).not.toContain(SMTP_PASSWORD);
  });
});

describe('email in: charsets, HTML, attachments', () => {
  it('GBK, GB2312 (8bit), UTF-8 quoted-printable, ISO-2022-JP and Big5 mail lands readable, one conversation each', async () => {
    const { id, mailbox } = await emailInbox();
    for (const f of ['gbk-base64.eml', 'gb2312-8bit.eml', 'utf8-qp.eml', 'iso-2022-jp.eml', 'big5.eml']) await dv.append(fixture(f), mailbox);
    await drain(id);
    const convs = await conversations(id);
    const bySubject = Object.fromEntries(convs.map((c) => [c.subject, c]));
    expect(Object.keys(bySubject).sort()).toEqual(['发票问题 (invoice)', '帳號無法登入', '退款申请：订单 20261125', '配送の問い合わせ', '银行卡无法绑定'].sort());
    const expectThread = async (subject: string, name: string, content: string) => {
      const c = bySubject[subject];
      expect(c).toMatchObject({ channel: 'email', status: 'open', contact: { name }, unreadCount: 1 });
      const [m] = await messages(c.id);
      expect(m).toMatchObject({ direction: 'in', content, deliveryStatus: 'received' });
    };
    await expectThread('退款申请：订单 20261125', '张伟', '你好，我上周的订单还没有收到退款，交易号 4200001234。请帮忙查一下。\n谢谢！\n张伟');
    await expectThread('银行卡无法绑定', 'Li Na', '我的银行卡无法绑定，提示“卡号无效”。');
    await expectThread('发票问题 (invoice)', '王小明', '请帮我开一张增值税发票，抬头：上海某某科技有限公司。金额 ¥1,280.00 — 谢谢 🙏');
    await expectThread('配送の問い合わせ', '山田太郎', '注文した商品がまだ届きません。確認をお願いします。\n山田');
    await expectThread('帳號無法登入', '陳美玲', '您好，我的帳號無法登入，請協助處理。');

    // The contact carries the email identity; Chinese text is searchable.
    const contact = await p.deps.store.get('SELECT name, email FROM contacts WHERE id = ?', [bySubject['银行卡无法绑定'].contact.id]);
    expect(contact).toEqual({ name: 'Li Na', email: 'li.na@example.com.cn' });
    const found = await p.api.get(`/api/v1/conversations?inboxId=${id}&q=${encodeURIComponent('增值税发票')}`);
    expect(found.body.data.map((c: any) => c.subject)).toEqual(['发票问题 (invoice)']);
  });

  it('HTML-only mail: readable text, sanitized HTML (no script, handlers, javascript: links, iframes, forms)', async () => {
    const { id, mailbox } = await emailInbox();
    await dv.append(fixture('html-only.eml'), mailbox);
    await drain(id);
    const [c] = await conversations(id);
    const [m] = await messages(c.id);
    expect(m.content).toContain('The payment page says error 502 & spins forever.');
    expect(m.content).toContain('Thanks, Mallory');
    expect(m.html).toContain('<b>error 502</b>');
    expect(m.html).toContain('href="https://shop.example.com/order/42"');
    expect(m.html).toContain('rel="noopener noreferrer nofollow"');
    for (const bad of ['<script', 'alert(', 'onerror', 'onclick', 'onload', 'javascript', '<iframe', '<svg', '<form', '<input', 'url(', 'position', '<style', 'evil.example']) {
      expect(m.html.toLowerCase()).not.toContain(bad);
    }
  });

  it('attachments are stored, listed on the message, and downloadable only by agents who may see the inbox', async () => {
    const { id, mailbox } = await emailInbox();
    const other = await emailInbox();
    await dv.append(fixture('attachment.eml'), mailbox);
    await drain(id);
    const [c] = await conversations(id);
    const [m] = await messages(c.id);
    expect(m.content).toBe('Please see the screenshot and the transaction record (交易记录).');
    expect(m.attachments.map((a: any) => [a.filename, a.contentType, a.size])).toEqual([
      ['screenshot.png', 'image/png', 70], ['交易记录.pdf', 'application/pdf', 45]]);

    const member = await p.createUser('agent', 'Mail Member');
    const outsider = await p.createUser('agent', 'Other Inbox Agent');
    await p.api.post(`/api/v1/inboxes/${id}/members`, { userIds: [member.id] });
    await p.api.post(`/api/v1/inboxes/${other.id}/members`, { userIds: [outsider.id] });

    const png = m.attachments[0];
    const res = await p.as(member.token).raw(`/api/v1/attachments/${png.id}`, { headers: { authorization: `Bearer ${member.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const expected = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    expect(Buffer.from(await res.arrayBuffer()).equals(expected)).toBe(true);

    const pdf = await p.as(member.token).raw(`/api/v1/attachments/${m.attachments[1].id}?download=1`, { headers: { authorization: `Bearer ${member.token}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-disposition')).toBe(`attachment; filename="____.pdf"; filename*=UTF-8''${encodeURIComponent('交易记录.pdf')}`);
    expect(Buffer.from(await pdf.arrayBuffer()).toString('latin1')).toMatch(/^%PDF-1\.4/);

    const denied = await p.as(outsider.token).get(`/api/v1/attachments/${png.id}`);
    expect(denied.status).toBe(404);
    expect(denied.body.error.code).toBe('not_found');
    expect((await apiClient(p.url).get(`/api/v1/attachments/${png.id}`)).status).toBe(401);
    expect((await p.api.get('/api/v1/attachments/01NOSUCHATTACHMENT')).status).toBe(404);
    expect((await p.api.raw(`/api/v1/attachments/${png.id}`, { headers: { authorization: `Bearer ${p.adminToken}` } })).status).toBe(200);
    const doc = await p.api.get('/api/v1/openapi.json');
    expect(doc.body.paths['/attachments/{id}'].get.summary).toBe('Download an attachment');
  });
  it('an attachment over the inbox limit is listed but not stored; downloading it says why', async () => {
    const { id, mailbox } = await emailInbox({ maxAttachmentMb: 0.01 });
    const big = Buffer.alloc(20_000, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    await dv.append([
      'From: Big Sender <big@example.com>', `To: ${ADDRESS}`, 'Subject: Large log', 'Message-ID: <big-1@example.com>',
      'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'Log attached.', '',
      '--b', 'Content-Type: application/octet-stream', 'Content-Disposition: attachment; filename="app.log"', 'Content-Transfer-Encoding: base64', '', big, '--b--', '',
    ].join('\r\n'), mailbox);
    await drain(id);
    const [c] = await conversations(id);
    const [m] = await messages(c.id);
    expect(m.attachments).toEqual([expect.objectContaining({ filename: 'app.log', size: 20_000 })]);
    const res = await p.api.get(`/api/v1/attachments/${m.attachments[0].id}`);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'attachment_not_stored', message: expect.stringContaining('app.log') });
  });
});

describe('email threads and replies', () => {
  it('a reply chain is one conversation with quoted history trimmed; the agent reply goes out with threading headers; the answer to it joins', async () => {
    const { id, mailbox } = await emailInbox();
    for (const f of ['thread-1.eml', 'thread-2-reply.eml', 'thread-3-reply.eml']) await dv.append(fixture(f), mailbox);
    await drain(id);
    const convs = await conversations(id);
    expect(convs).toHaveLength(1);
    const conv = convs[0];
    expect(conv).toMatchObject({ subject: 'Cannot change my phone number', contact: { name: 'Sun Hao' }, unreadCount: 3 });
    expect((await messages(conv.id)).map((m) => m.content)).toEqual([
      'Hello, the app will not let me change my phone number. It says "code expired".',
      'Also: I am on Android 14, app version 5.2.1.',
      '现在可以了，谢谢！',
    ]);
    // The trimmed history is kept with the message.
    const kept = await p.deps.store.get<{ meta: string }>("SELECT meta FROM messages WHERE external_id = '<thread-3@example.com>' AND inbox_id = ?", [id]);
    expect(JSON.parse(kept!.meta).quotedText).toContain('> Also: I am on Android 14');

    const before = sink.received.length;
    const reply = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'Please update the app to 5.2.2 and try again.' });
    expect(reply.status).toBe(201);
    expect(reply.body.deliveryStatus).toBe('queued');
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ sent: 1 });
    expect(sink.received).toHaveLength(before + 1);
    const out = sink.received[before];
    expect(out.user).toBe(SMTP_USER);
    expect(out.from).toBe(ADDRESS);
    expect(out.to).toEqual(['sun.hao@example.com']);
    expect(out.mail.from?.value[0]).toMatchObject({ address: ADDRESS, name: 'Parley Support' });
    expect(out.mail.subject).toBe('Re: Cannot change my phone number');
    expect(out.mail.inReplyTo).toBe('<thread-3@example.com>');
    expect([out.mail.references].flat()).toEqual(['<thread-1@example.com>', '<thread-2@example.com>', '<thread-3@example.com>']);
    // Our Message-IDs carry a MAC (connectors/email/message-id.ts): that is what makes mail ours.
    expect(out.mail.messageId).toMatch(/^<[0-9a-z]{26}\.[0-9a-f]{16}@parley\.test>$/);
    expect(out.mail.text?.trim()).toBe('Please update the app to 5.2.2 and try again.');

    const sent = (await messages(conv.id)).find((m) => m.id === reply.body.id);
    expect(sent).toMatchObject({ deliveryStatus: 'sent', externalId: out.mail.messageId });

    // The customer answers our reply; his client only sets In-Reply-To.
    await dv.append([
      'From: Sun Hao <sun.hao@example.com>', `To: ${ADDRESS}`, 'Subject: Re: Re: Cannot change my phone number',
      `Date: ${new Date(Date.now() + 2000).toUTCString()}`, 'Message-ID: <thread-5@example.com>', `In-Reply-To: ${out.mail.messageId}`,
      'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', 'Updated, works now.', '',
      `On Wed, Nov 25, 2026 at 10:30 AM Parley Support <${ADDRESS}> wrote:`, '> Please update the app to 5.2.2 and try again.', '',
    ].join('\r\n'), mailbox);
    await drain(id);
    expect(await conversations(id)).toHaveLength(1);
    const thread = await messages(conv.id);
    expect(thread.map((m) => [m.direction, m.content])).toEqual([
      ['in', 'Hello, the app will not let me change my phone number. It says "code expired".'],
      ['in', 'Also: I am on Android 14, app version 5.2.1.'],
      ['in', '现在可以了，谢谢！'],
      ['out', 'Please update the app to 5.2.2 and try again.'],
      ['in', 'Updated, works now.'],
    ]);

    // A second reply threads on the whole chain, and the subject is not "Re: Re:".
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'Glad it works!' });
    await deliverDueOutbox(p.deps);
    const second = sink.received[sink.received.length - 1];
    expect(second.mail.subject).toBe('Re: Cannot change my phone number');
    expect(second.mail.inReplyTo).toBe('<thread-5@example.com>');
    expect([second.mail.references].flat()).toEqual(['<thread-1@example.com>', '<thread-2@example.com>', '<thread-3@example.com>', out.mail.messageId, '<thread-5@example.com>']);
  });

  it('auto-replies and vacation notices never open a conversation nor get an answer; an auto-reply in a thread is kept there; bulk mail opens its own, marked', async () => {
    const { id, mailbox } = await emailInbox();
    for (const f of ['thread-1.eml', 'thread-2-reply.eml', 'thread-3-reply.eml']) await dv.append(fixture(f), mailbox);
    await drain(id);
    const [conv] = await conversations(id);
    for (const f of ['auto-reply.eml', 'auto-reply-orphan.eml', 'bulk.eml']) await dv.append(fixture(f), mailbox);
    await drain(id);
    const convs = await conversations(id);
    expect(convs).toHaveLength(2);
    const thread = await messages(conv.id);
    expect(thread.map((m) => m.content)).toContain('I am out of office until Monday.');
    const auto = await p.deps.store.get<{ meta: string }>("SELECT meta FROM messages WHERE external_id = '<ooo-0009@example.com>' AND inbox_id = ?", [id]);
    expect(JSON.parse(auto!.meta)).toMatchObject({ automated: true, automatedReason: 'Auto-Submitted: auto-replied' });
    // The newsletter is kept on a conversation of its own, labelled bulk (tests/email-bulk.test.ts: never answered automatically).
    const news = convs.find((c) => c.id !== conv.id);
    expect(news).toMatchObject({ subject: 'Black Friday: 70% off', labels: ['bulk'] });
    expect(await messageCount(id)).toBe(5); // the orphan vacation notice is not stored anywhere
    const outbox = await p.deps.store.get<{ n: number }>('SELECT count(*) AS n FROM outbox WHERE inbox_id = ?', [id]);
    expect(outbox!.n).toBe(0);
  });

  it('a bounce of our reply marks that reply failed with the reason, on its own conversation', async () => {
    const { id, mailbox } = await emailInbox();
    await dv.append(fixture('thread-1.eml'), mailbox);
    await drain(id);
    const [conv] = await conversations(id);
    const reply = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'We are looking into it.' });
    await deliverDueOutbox(p.deps);
    const sent = (await messages(conv.id)).find((m) => m.id === reply.body.id);
    expect(sent.deliveryStatus).toBe('sent');

    await dv.append(fixture('bounce.eml').toString('latin1').replace('{{ORIGINAL_ID}}', sent.externalId), mailbox);
    await drain(id);
    expect(await conversations(id)).toHaveLength(1);
    const after = await messages(conv.id);
    expect(after.find((m) => m.id === reply.body.id)).toMatchObject({ deliveryStatus: 'failed', error: expect.stringMatching(/^Bounced: 550 5\.1\.1 .*User unknown/) });
    expect(after.some((m) => m.content.includes('could not be delivered'))).toBe(true);
  });
});

describe('email polling: batches, crashes, UIDVALIDITY', () => {
  const many = (n: number, tag: string) => Array.from({ length: n }, (_, i) => [
    `From: Customer ${i} <c${i}.${tag}@example.com>`, `To: ${ADDRESS}`, `Subject: Question ${i} (${tag})`,
    `Date: Wed, 25 Nov 2026 08:${String(i).padStart(2, '0')}:00 +0000`, `Message-ID: <${tag}-${i}@example.com>`,
    'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', `Body ${i}`, '',
  ].join('\r\n'));

  it('a mailbox larger than a batch arrives over several polls, each storing its batch and cursor together', async () => {
    const { id, mailbox } = await emailInbox({ batchSize: 3 });
    for (const m of many(8, 'batch')) await dv.append(m, mailbox);
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      await pollInbox(p.deps, await inboxRow(id));
      seen.push(await messageCount(id));
      const cursor = JSON.parse((await cursorOf(id))!);
      expect(cursor.lastUid).toBe(Math.min(8, (i + 1) * 3));
    }
    expect(seen).toEqual([3, 6, 8, 8]);
    expect((await conversations(id)).map((c) => c.subject).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `Question ${i} (batch)`).sort());
    // Nothing new: a poll changes nothing (the `n:*` range returns the last message again; it is filtered out).
    await pollInbox(p.deps, await inboxRow(id));
    expect(await messageCount(id)).toBe(8);
  });

  it('a poll killed mid-batch (aborted while fetching, or dead before its commit) is repeated: every message exactly once', async () => {
    const { id, mailbox } = await emailInbox({ batchSize: 4 });
    for (const m of many(10, 'crash')) await dv.append(m, mailbox);
    await pollInbox(p.deps, await inboxRow(id)); // first batch stored
    expect(await messageCount(id)).toBe(4);

    // Killed while talking to the server: the abort lands somewhere inside the fetch.
    let polls = 0;
    const aborting: Connector<any> = {
      ...email,
      poll: (c, cur) => {
        const ac = new AbortController();
        const run = email.poll!(c, cur, ac.signal);
        setImmediate(() => ac.abort());
        return run.finally(() => { polls++; });
      },
    };
    expect(await pollInbox({ ...p.deps, connectors: createRegistry({ email: aborting }) }, await inboxRow(id))).toBeNull();
    expect(polls).toBe(1);
    expect((await inboxRow(id)).health_error).toBe('IMAP poll aborted');
    expect(await messageCount(id)).toBe(4);

    // Died after fetching the second batch, before its commit.
    let fetched = 0;
    const dying: Connector<any> = {
      ...email,
      poll: async (c, cur) => {
        fetched = (await email.poll!(c, cur)).events.length;
        throw new Error('worker killed before commit');
      },
    };
    expect(await pollInbox({ ...p.deps, connectors: createRegistry({ email: dying }) }, await inboxRow(id))).toBeNull();
    expect(fetched).toBe(4);
    expect(await messageCount(id)).toBe(4);

    // Restarted: the rest arrives, nothing twice.
    await drain(id);
    const rows = await p.deps.store.all<{ external_id: string; n: number }>('SELECT external_id, count(*) AS n FROM messages WHERE inbox_id = ? GROUP BY external_id', [id]);
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect((await inboxRow(id)).health).toBe('ok');
  });

  it('a UIDVALIDITY change (mailbox rebuilt) resyncs by Message-ID without duplicates', async () => {
    const { id, mailbox } = await emailInbox({ batchSize: 2 });
    const first = many(3, 'uidv');
    for (const m of first) await dv.append(m, mailbox);
    await drain(id);
    expect(await messageCount(id)).toBe(3);
    const before = JSON.parse((await cursorOf(id))!);

    // The mailbox is deleted and rebuilt: same mail, new UIDs, new UIDVALIDITY, plus one new message.
    await dv.withClient(async (c) => { await c.mailboxDelete(mailbox); await c.mailboxCreate(mailbox); });
    for (const m of [...first.slice().reverse(), ...many(4, 'uidv').slice(3)]) await dv.append(m, mailbox);
    await drain(id);
    const after = JSON.parse((await cursorOf(id))!);
    expect(after.uidValidity).not.toBe(before.uidValidity);
    expect(after.lastUid).toBe(4);
    const rows = await p.deps.store.all<{ external_id: string; n: number }>('SELECT external_id, count(*) AS n FROM messages WHERE inbox_id = ? GROUP BY external_id ORDER BY external_id', [id]);
    expect(rows.map((r) => [r.external_id, r.n])).toEqual([0, 1, 2, 3].map((i) => [`<uidv-${i}@example.com>`, 1]));
    expect(await conversations(id)).toHaveLength(4);
  });

  it('the scheduler\'s sweep polls an email inbox at its pollSeconds', async () => {
    const { id, mailbox } = await emailInbox({ pollSeconds: 120 });
    await dv.append(fixture('utf8-qp.eml'), mailbox);
    const t0 = Date.now();
    expect(await pollDueInboxes(p.deps)).toBeGreaterThanOrEqual(1);
    expect(await messageCount(id)).toBe(1);
    const row = await inboxRow(id);
    expect(row.health).toBe('ok');
    expect(row.next_poll_at as number).toBeGreaterThanOrEqual(t0 + 120_000);
    expect(row.next_poll_at as number).toBeLessThanOrEqual(Date.now() + 120_000);
  });

  it('skipExisting: a mailbox with history is connected without importing it, even after a UIDVALIDITY resync; only new mail arrives', async () => {
    const { id, mailbox } = await emailInbox({ skipExisting: true });
    const old = many(3, 'old');
    const longAgo = new Date('2024-03-01T10:00:00Z');
    for (const m of old) await dv.append(m, mailbox, longAgo);
    await drain(id);
    expect(await messageCount(id)).toBe(0);
    expect(JSON.parse((await cursorOf(id))!).lastUid).toBe(3);
    const fresh = many(1, 'new')[0];
    await dv.append(fresh, mailbox);
    await drain(id);
    expect((await conversations(id)).map((c) => c.subject)).toEqual(['Question 0 (new)']);

    await dv.withClient(async (c) => { await c.mailboxDelete(mailbox); await c.mailboxCreate(mailbox); });
    for (const m of old) await dv.append(m, mailbox, longAgo);
    await dv.append(fresh, mailbox);
    await drain(id);
    expect(await messageCount(id)).toBe(1);
  });

  it('a message without Message-ID is imported once, however often it is read', async () => {
    const { id, mailbox } = await emailInbox();
    await dv.append(fixture('no-message-id.eml'), mailbox);
    await drain(id);
    await p.deps.store.run("DELETE FROM connector_cursors WHERE inbox_id = ?", [id]); // forget where we were
    await drain(id);
    expect(await messageCount(id)).toBe(1);
  });
});

describe('email failures', () => {
  it('wrong IMAP password or unreachable server: inbox needs attention with a clear reason, backs off, recovers once fixed', async () => {
    const { id } = await emailInbox({ imap: { password: 'wrong-password' } });
    const t0 = Date.now();
    expect(await pollInbox(p.deps, await inboxRow(id))).toBeNull();
    let inbox = await p.api.get(`/api/v1/inboxes/${id}`);
    expect(inbox.body.health).toBe('needs_attention');
    expect(inbox.body.healthError).toMatch(/^IMAP login failed for "support" on 127\.0\.0\.1:\d+.*app password/);
    expect(inbox.body.healthError).not.toContain('wrong-password');
    const row = await inboxRow(id);
    expect(row.poll_failures).toBe(1);
    expect(row.next_poll_at as number).toBeGreaterThanOrEqual(t0 + 60_000); // backoff, not the next tick

    // The scheduler's sweep skips it until its backoff is over and nothing throws.
    await expect(pollDueInboxes(p.deps)).resolves.toBeTypeOf('number');
    expect((await inboxRow(id)).poll_failures).toBe(1);

    const closedPort = await freePort();
    const down = await emailInbox({ imap: { port: closedPort } });
    expect(await pollInbox(p.deps, await inboxRow(down.id))).toBeNull();
    expect((await p.api.get(`/api/v1/inboxes/${down.id}`)).body.healthError).toBe(`Cannot reach IMAP server 127.0.0.1:${closedPort}: connection refused; check host, port and TLS settings`);

    const tls = await emailInbox({ imap: { secure: true } });
    expect(await pollInbox(p.deps, await inboxRow(tls.id))).toBeNull();
    expect((await p.api.get(`/api/v1/inboxes/${tls.id}`)).body.healthError).toBe(`TLS failed with IMAP server 127.0.0.1:${dv.port}: the server does not speak TLS on this port; check the port and the "secure" setting (993 = secure true, 143 = secure false)`);
    const noFolder = await emailInbox({ imap: { mailbox: 'No Such Folder' } });
    expect(await pollInbox(p.deps, await inboxRow(noFolder.id))).toBeNull();
    expect((await p.api.get(`/api/v1/inboxes/${noFolder.id}`)).body.healthError).toBe(`IMAP mailbox "No Such Folder" does not exist on 127.0.0.1:${dv.port}`);

    // The admin fixes the password (other secrets stay as they were): healthy again.
    const mailboxName = (await p.api.get(`/api/v1/inboxes/${id}`)).body.config.imap.mailbox;
    const fixed = await fetch(`${p.url}/api/v1/inboxes/${id}`, {
      method: 'PATCH', headers: { authorization: `Bearer ${p.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ config: { imap: { host: '127.0.0.1', port: dv.port, secure: false, user: dv.user, password: dv.password, mailbox: mailboxName } } }),
    });
    expect(fixed.status).toBe(200);
    expect(await pollInbox(p.deps, await inboxRow(id))).toEqual({ ingested: 0 });
    inbox = await p.api.get(`/api/v1/inboxes/${id}`);
    expect(inbox.body).toMatchObject({ health: 'ok', healthError: null });
  });

  it('SMTP: 4xx and unreachable are retried, 5xx and refused login fail for good, each with the server\'s reason', async () => {
    const { id, mailbox } = await emailInbox();
    await dv.append(fixture('thread-1.eml'), mailbox);
    await drain(id);
    const [conv] = await conversations(id);
    const later = (ms: number): Deps => ({ ...p.deps, clock: { now: () => Date.now() + ms } });
    const status = async (msgId: string) => (await messages(conv.id)).find((m) => m.id === msgId);

    sink.refuseWith(451);
    const a = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'Attempt A' });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ retried: 1 });
    expect(await status(a.body.id)).toMatchObject({ deliveryStatus: 'queued', error: expect.stringContaining('451') });
    sink.refuseWith(null);
    expect(await deliverDueOutbox(later(10 * 60_000))).toMatchObject({ sent: 1 });
    expect(await status(a.body.id)).toMatchObject({ deliveryStatus: 'sent', error: null });

    sink.refuseWith(550);
    const b = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'Attempt B' });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ failed: 1 });
    expect(await status(b.body.id)).toMatchObject({ deliveryStatus: 'failed', error: expect.stringMatching(/refused with 550: .*User unknown/) });
    sink.refuseWith(null);

    // SMTP server down: retried later.
    const downPort = await freePort();
    const patch = (smtp: object) => fetch(`${p.url}/api/v1/inboxes/${id}`, {
      method: 'PATCH', headers: { authorization: `Bearer ${p.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ config: { smtp: { host: '127.0.0.1', secure: false, user: SMTP_USER, password: '[redacted]', port: sink.port, ...smtp } } }),
    });
    expect((await patch({ port: downPort })).status).toBe(200);
    const c = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'Attempt C' });
    expect(await deliverDueOutbox(later(20 * 60_000))).toMatchObject({ retried: 1 });
    expect(await status(c.body.id)).toMatchObject({ deliveryStatus: 'queued', error: expect.stringContaining(`Cannot reach SMTP server 127.0.0.1:${downPort}`) });

    // Wrong SMTP password: permanent, with the hint.
    expect((await patch({ password: 'nope' })).status).toBe(200);
    expect(await deliverDueOutbox(later(40 * 60_000))).toMatchObject({ failed: 1 });
    expect(await status(c.body.id)).toMatchObject({ deliveryStatus: 'failed', error: expect.stringMatching(/535.*app password/) });
  });
});
