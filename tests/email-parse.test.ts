// The email connector's pure parts: MIME parsing of the fixtures, the HTML sanitizer against
// known XSS vectors, reply headers and SMTP error classification (quote trimming: email-quote.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emailConfig } from '../connectors/email/config.js';
import { parseEmail } from '../connectors/email/parse.js';
import { sanitizeHtml } from '../connectors/email/sanitize.js';
import { messageIdKey, ownMessageId } from '../connectors/email/message-id.js';
import { classifySmtpError, referencesFor, replySubject } from '../connectors/email/smtp.js';
import { PermanentError, RetryableError, type InboundMessageEvent } from '../connectors/types.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures/email', name));
const OWN = 'support@parley.test';
const KEY = messageIdKey({ address: OWN, imap: { password: 'imap-pass' } as never });
const OURS = ownMessageId(KEY, '01M8RJY1C8R3T3MCQ57SAYR0N4', 'parley.test');
const OURS_2 = ownMessageId(KEY, '01M8RJY1C8R3T3MCQ57SAYR0N5', 'parley.test');
const one = async (raw: Uint8Array | string, opts = {}) =>
  (await parseEmail(typeof raw === 'string' ? Buffer.from(raw) : raw, { address: OWN, ...opts }))[0] as InboundMessageEvent;

describe('parsing', () => {
  it('decodes GBK, GB2312, Big5, ISO-2022-JP and UTF-8 QP bodies, RFC 2047 names and subjects', async () => {
    const cases: [string, string, string, string][] = [
      ['gbk-base64.eml', '张伟', '退款申请：订单 20261125', '你好，我上周的订单还没有收到退款'],
      ['gb2312-8bit.eml', 'Li Na', '银行卡无法绑定', '我的银行卡无法绑定，提示“卡号无效”。'],
      ['big5.eml', '陳美玲', '帳號無法登入', '您好，我的帳號無法登入'],
      ['iso-2022-jp.eml', '山田太郎', '配送の問い合わせ', '注文した商品がまだ届きません。'],
      ['utf8-qp.eml', '王小明', '发票问题 (invoice)', '金额 ¥1,280.00 — 谢谢 🙏'],
    ];
    for (const [file, name, subject, text] of cases) {
      const e = await one(fixture(file));
      expect(e.sender.name, file).toBe(name);
      expect(e.subject, file).toBe(subject);
      expect(e.text, file).toContain(text);
      expect(e.automated, file).toBeUndefined();
      expect(e.threadKey, file).toBe(e.externalId);
    }
  });

  it('detects the charset of text parts that declare none or a wrong UTF-8 (GBK, Big5, Shift_JIS, EUC-JP, windows-1252)', async () => {
    const gbk = await one(fixture('nocharset-gbk.eml'));
    expect(gbk.text).toBe('您好，我上周在你们网站买的耳机一直没有发货，订单号是 20261125-8831，请帮我查一下物流情况。谢谢！');
    expect(gbk.subject).toBe('耳机一直没有发货'); // raw GBK subject: detected from the head and body
    expect((await one(fixture('nocharset-big5-base64.eml'))).text).toBe('您好，我的帳號無法登入，系統一直顯示密碼錯誤，但我確定密碼是正確的。請協助處理，謝謝。');
    const sjis = await one(fixture('wrongcharset-sjis.eml'));
    expect(sjis.text).toBe('お世話になっております。先週注文した商品がまだ届いておりません。配送状況を確認していただけますでしょうか。よろしくお願いいたします。');
    expect(sjis.subject).toBe('配送について');
    const euc = await one(fixture('nocharset-eucjp-alternative.eml'));
    expect(euc.text).toBe('お世話になっております。先週注文した商品がまだ届いておりません。配送状況を確認していただけますでしょうか。');
    expect(euc.html).toContain('先週注文した商品がまだ届いておりません');
    expect((await one(fixture('nocharset-cp1252.eml'))).text).toBe('Bonjour, je n’ai pas reçu ma commande. Pourriez-vous vérifier l’état de la livraison ? Merci beaucoup, François');
    for (const f of ['nocharset-gbk.eml', 'nocharset-big5-base64.eml', 'wrongcharset-sjis.eml', 'nocharset-eucjp-alternative.eml', 'nocharset-cp1252.eml']) {
      expect((await one(fixture(f))).text, f).not.toContain('\uFFFD');
    }
    // A few characters are too little to tell: left as they are (U+FFFD) rather than guessed wrong.
    expect((await one(Buffer.concat([Buffer.from('From: a@x.test\r\nMessage-ID: <short@x.test>\r\nContent-Type: text/plain\r\n\r\n'), Buffer.from('c4e3bac3', 'hex')]))).text).toContain('\uFFFD');
    // Valid UTF-8 without a label, and a declared single-byte charset, are read as they are.
    expect((await one('From: a@x.test\r\nMessage-ID: <u8@x.test>\r\nContent-Type: text/plain\r\n\r\n退款 ¥12\r\n')).text).toBe('退款 ¥12');
    expect((await one(Buffer.concat([Buffer.from('From: a@x.test\r\nMessage-ID: <l1@x.test>\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a])]))).text).toBe('café');
    // An attachment is never relabelled: its bytes stay as sent.
    const bin = Buffer.from([0xb0, 0xa1, 0xb0, 0xa2, 0xff, 0xfe]);
    const withFile = await one(Buffer.concat([Buffer.from('From: a@x.test\r\nMessage-ID: <att@x.test>\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\n'),
      Buffer.from('c4e3bac3a3acb7a2c6b1bacdcad5beddb6bcd4dab8bdbcfec0efa3acc7ebb2e9cad5a1a3', 'hex'), // GBK
      Buffer.from('\r\n--z\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n' + bin.toString('base64') + '\r\n--z--\r\n')]));
    expect(withFile.text).toBe('你好，发票和收据都在附件里，请查收。');
    expect(Buffer.from(withFile.attachments[0].data!)).toEqual(bin);
  });

  it('threads by the root of References, else In-Reply-To, else its own Message-ID', async () => {
    const a = await one(fixture('thread-1.eml'));
    const b = await one(fixture('thread-2-reply.eml'));
    const c = await one(fixture('thread-3-reply.eml'));
    expect([a.threadKey, b.threadKey, c.threadKey]).toEqual(['<thread-1@example.com>', '<thread-1@example.com>', '<thread-1@example.com>']);
    expect(b.inReplyTo).toEqual(['<thread-1@example.com>']);
    expect(c.inReplyTo).toEqual(['<thread-2@example.com>', '<thread-1@example.com>']);
    const onlyParent = await one('From: a@x.test\r\nMessage-ID: <k2@x.test>\r\nIn-Reply-To: <k1@x.test>\r\n\r\nhi\r\n');
    expect(onlyParent.threadKey).toBe('<k1@x.test>');
  });

  it('flags auto-replies and bounces as automated; a bounce reports our message failed', async () => {
    expect((await one(fixture('auto-reply.eml'))).automated).toBe(true);
    expect((await one(fixture('auto-reply-orphan.eml'))).automated).toBe(true);
    expect((await one('From: a@x.test\r\nPrecedence: auto_reply\r\nMessage-ID: <ar@x.test>\r\n\r\nback monday\r\n')).automated).toBe(true);
    expect((await one('From: a@x.test\r\nAuto-Submitted: no\r\nMessage-ID: <n@x.test>\r\n\r\nhuman\r\n')).automated).toBeUndefined();
    const events = await parseEmail(Buffer.from(fixture('bounce.eml').toString('latin1').replace('{{ORIGINAL_ID}}', OURS), 'latin1'), { address: OWN, ownIdKey: KEY });
    expect(events[0]).toMatchObject({ kind: 'message', automated: true, inReplyTo: [OURS] });
    expect(events[1]).toEqual({ kind: 'status', externalId: OURS, status: 'failed', error: 'Bounced: 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown', at: expect.any(Number) });
  });

  it('mailing-list and bulk mail is kept as a customer message, marked bulk with its list, not automated', async () => {
    const news = await one(fixture('bulk.eml'));
    expect(news.automated).toBeUndefined();
    expect(news.bulk).toEqual({ reason: 'Precedence: bulk', unsubscribe: '<mailto:unsub@shop.example>' });
    expect(news).toMatchObject({ kind: 'message', text: 'Everything must go.', sender: { email: 'news@shop.example' } });
    const list = await one('From: a@x.test\r\nPrecedence: list\r\nList-Id: Users of Foo <users.foo.example.org>\r\nMessage-ID: <l@x.test>\r\n\r\nlist mail\r\n');
    expect(list).toMatchObject({ bulk: { reason: 'Precedence: list', listId: 'Users of Foo <users.foo.example.org>' } });
    expect(list.automated).toBeUndefined();
    expect((await one('From: a@x.test\r\nPrecedence: junk\r\nMessage-ID: <j@x.test>\r\n\r\nx\r\n')).bulk?.reason).toBe('Precedence: junk');
    // List headers alone (Google Groups, Mailman without Precedence) are enough.
    expect((await one('From: a@x.test\r\nList-Id: <g.example.com>\r\nMessage-ID: <g@x.test>\r\n\r\nx\r\n')).bulk).toEqual({ reason: 'List-Id', listId: '<g.example.com>' });
    expect((await one('From: a@x.test\r\nList-Unsubscribe: <https://x.test/u>\r\nMessage-ID: <u@x.test>\r\n\r\nx\r\n')).bulk).toEqual({ reason: 'List-Unsubscribe', unsubscribe: '<https://x.test/u>' });
    // A true auto-reply stays automated even when a list relayed it.
    const ooo = await one('From: a@x.test\r\nAuto-Submitted: auto-replied\r\nPrecedence: bulk\r\nList-Id: <l.x.test>\r\nMessage-ID: <o@x.test>\r\n\r\naway\r\n');
    expect(ooo.automated).toBe(true);
    expect(ooo.bulk).toBeUndefined();
    expect((await one('From: a@x.test\r\nMessage-ID: <p@x.test>\r\n\r\nperson\r\n')).bulk).toBeUndefined();
  });

  it('a read receipt (MDN) marks our message read', async () => {
    const mdn = [
      'From: customer@example.com', `To: ${OWN}`, 'Subject: Read: Re: Hello', 'Message-ID: <mdn-1@example.com>',
      'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"', '',
      '--b', 'Content-Type: text/plain', '', 'Your message was read.', '',
      '--b', 'Content-Type: message/disposition-notification', '',
      'Final-Recipient: rfc822; customer@example.com', `Original-Message-ID: ${OURS_2}`, 'Disposition: manual-action/MDN-sent-manually; displayed', '',
      '--b--', '',
    ].join('\r\n');
    const events = await parseEmail(Buffer.from(mdn), { address: OWN, ownIdKey: KEY });
    expect(events[0]).toMatchObject({ automated: true });
    expect(events[1]).toMatchObject({ kind: 'status', externalId: OURS_2, status: 'read' });
  });

  it('keeps attachments with their bytes, lists oversized ones without storing them', async () => {
    const e = await one(fixture('attachment.eml'));
    expect(e.attachments.map((a) => [a.filename, a.contentType, a.size, a.data?.length])).toEqual([
      ['screenshot.png', 'image/png', 70, 70], ['交易记录.pdf', 'application/pdf', 45, 45]]);
    const capped = await one(fixture('attachment.eml'), { maxAttachmentBytes: 50 });
    expect(capped.attachments.map((a) => [a.filename, a.data?.length ?? null])).toEqual([['screenshot.png', null], ['交易记录.pdf', 45]]);
    expect(capped.meta).toMatchObject({ attachmentsNotStored: ['screenshot.png'] });
  });

  it('our own address with one of our Message-IDs is an echo addressed to the customer; a missing Message-ID gets a stable one', async () => {
    const echo = await one(`From: Support <${OWN}>\r\nTo: Kim <kim@example.com>\r\nMessage-ID: ${OURS}\r\nSubject: x\r\n\r\nsent from the mail app\r\n`, { ownIdKey: KEY });
    expect(echo).toMatchObject({ kind: 'echo', sender: { externalId: 'kim@example.com', email: 'kim@example.com', name: 'Kim' } });
    const a = await one(fixture('no-message-id.eml'));
    const b = await one(fixture('no-message-id.eml'));
    expect(a.externalId).toMatch(/^<[0-9a-f]{40}@no-message-id\.parley>$/);
    expect(b.externalId).toBe(a.externalId);
  });
});

describe('HTML sanitizer', () => {
  const vectors = [
    '<script>alert(1)</script>',
    '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
    '<img src=x onerror=alert(1)>',
    '<img src="javascript:alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<svg onload=alert(1)>',
    '<svg><script>alert(1)</script></svg>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<body onload=alert(1)>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<div style="width: expression(alert(1))">x</div>',
    '<p style="position:fixed;top:0">overlay</p>',
    '<style>@import "javascript:alert(1)";</style>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href=javascript:alert(1)>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<input onfocus=alert(1) autofocus>',
    '<details open ontoggle=alert(1)>',
    '<a href="x" onmouseover="alert(1)">x</a>',
    '<<script>script>alert(1)<</script>/script>',
    '<scr<script>ipt>alert(1)</scr</script>ipt>',
    '<img """><script>alert(1)</script>">',
    '<img src="x` `<script>alert(1)</script>"` `>',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<title><img src=x onerror=alert(1)></title>',
    '<textarea><img src=x onerror=alert(1)></textarea>',
    '<a href="https://ok.example" title="x&quot; onmouseover=&quot;alert(1)">x</a>',
    '<div title="a>b<script>alert(1)</script>">x</div>',
    '<p>unclosed <b>bold <i>italic',
    '<template><img src=x onerror=alert(1)></template>',
  ];

  it('leaves no script, handler, dangerous URL or raw markup from known XSS vectors', () => {
    for (const v of vectors) {
      const out = sanitizeHtml(v);
      const lower = out.toLowerCase();
      expect(lower, v).not.toMatch(/<script|<iframe|<object|<embed|<svg|<math|<style|<meta|<base|<link|<form|<input|<template|<body/);
      // Every tag is one we wrote: well-formed, double-quoted attributes, none of them a handler.
      for (const tag of out.matchAll(/<[^>]*>/g)) {
        expect(tag[0], v).toMatch(/^<\/?[a-z0-9]+(\s[a-z-]+="[^"<>]*")*>$/);
        for (const a of tag[0].matchAll(/\s([a-z-]+)="/g)) expect(a[1], v).not.toMatch(/^on/);
      }
      expect(lower, v).not.toMatch(/(href|src|action)="\s*(javascript|vbscript|data):/);
      expect(lower, v).not.toContain('expression(');
      expect(lower, v).not.toContain('url(');
      expect(lower, v).not.toContain('position');
      // Every "<" in the output starts a tag we wrote ourselves.
      expect(out.replace(/<\/?(a|b|i|p|div|img|br)(\s[^<>]*)?>/g, ''), v).not.toMatch(/[<>]/);
    }
  });

  it('keeps ordinary email formatting, safe links and images', () => {
    const html = '<html><head><style>p{}</style></head><body><div dir="ltr"><p style="color:#333; font-weight:bold">Hello <b>there</b> &amp; &copy; 2026</p>'
      + '<table border="1"><tr><td colspan="2">cell</td></tr></table><a href="https://example.com/a?b=1&amp;c=2">link</a>'
      + '<img src="cid:logo@x" alt="logo"><blockquote type="cite">quoted</blockquote><br></div></body></html>';
    expect(sanitizeHtml(html)).toBe('<div dir="ltr"><p style="color: #333; font-weight: bold">Hello <b>there</b> &amp; &copy; 2026</p>'
      + '<table border="1"><tr><td colspan="2">cell</td></tr></table><a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">link</a>'
      + '<img src="cid:logo@x" alt="logo"><blockquote type="cite">quoted</blockquote><br></div>');
    expect(sanitizeHtml('<p>unclosed <b>bold')).toBe('<p>unclosed <b>bold</b></p>');
    expect(sanitizeHtml('a < b > c')).toBe('a &lt; b &gt; c');
  });
});

describe('replies', () => {
  it('subjects get one "Re:" whatever the language of the prefix', () => {
    expect(replySubject('Refund')).toBe('Re: Refund');
    expect(replySubject('Re: Refund')).toBe('Re: Refund');
    expect(replySubject('RE:Refund')).toBe('RE:Refund');
    expect(replySubject('回复：退款')).toBe('回复：退款');
    expect(replySubject('Aw: Rückerstattung')).toBe('Aw: Rückerstattung');
    expect(replySubject('Regarding refund')).toBe('Re: Regarding refund');
    expect(replySubject(undefined)).toBe('Re: your message');
  });
  it('References keep the root and the newest ids, and only message ids', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `<m${i}@x.test>`);
    const refs = referencesFor([...ids, 'not-an-id', '12345']);
    expect(refs).toHaveLength(20);
    expect(refs[0]).toBe('<m0@x.test>');
    expect(refs[19]).toBe('<m29@x.test>');
    expect(refs[1]).toBe('<m11@x.test>');
  });
  it('SMTP failures: 4xx and network are retryable, 5xx and bad logins permanent', () => {
    const c = emailConfig.parse({ address: OWN, imap: { host: 'h', port: 993, secure: true, user: 'u', password: 'p' }, smtp: { host: 'smtp.x', port: 587, secure: false } });
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 452, response: '452 4.2.2 Mailbox full' }, c)).toBeInstanceOf(RetryableError);
    expect((classifySmtpError({ code: 'EPROTOCOL', responseCode: 421, response: '421 Try later' }, c) as RetryableError).retryAfterMs).toBe(60_000);
    expect(classifySmtpError({ code: 'ECONNECTION', message: 'connect ECONNREFUSED' }, c)).toBeInstanceOf(RetryableError);
    expect(classifySmtpError({ code: 'ETIMEDOUT', message: 'Greeting never received' }, c)).toBeInstanceOf(RetryableError);
    const perm = classifySmtpError({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 User unknown' }, c);
    expect(perm).toBeInstanceOf(PermanentError);
    expect(perm.message).toBe('SMTP smtp.x:587 refused with 550: 550 5.1.1 User unknown');
    expect(classifySmtpError({ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 bad credentials' }, c).message).toMatch(/app password/);
    expect(classifySmtpError({ code: 'EAUTH', message: 'Missing credentials for "PLAIN"' }, c)).toBeInstanceOf(PermanentError);
  });
  it('config: SMTP user without password is refused, pollSeconds defaults to 60', async () => {
    const bad = emailConfig.safeParse({ address: OWN, imap: { host: 'h', port: 993, secure: true, user: 'u', password: 'p' }, smtp: { host: 's', port: 587, secure: false, user: 'u' } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].path).toEqual(['smtp', 'password']);
    const { email } = await import('../connectors/email/index.js');
    const ok = emailConfig.parse({ address: OWN, imap: { host: 'h', port: 993, secure: true, user: 'u', password: 'p' }, smtp: { host: 's', port: 465, secure: true } });
    expect(email.pollSeconds!(ok)).toBe(60);
    expect(email.pollSeconds!({ ...ok, pollSeconds: 300 })).toBe(300);
    expect(email.secretFields).toEqual(['imap.password', 'smtp.password', 'mailApi.apiKey']);
  });
});
