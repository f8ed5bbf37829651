// Quote trimming for the layouts customers' mail clients produce: Gmail, Outlook, QQ Mail and
// other separators, localized "wrote:" lines, Yahoo's "--- On … wrote:", and a reply written
// under the quote. The full text stays one
// click away (quotedText), an inline reply stays whole. And raw 8-bit Big5/GBK headers.
import { describe, expect, it } from 'vitest';
import { parseEmail } from '../connectors/email/parse.js';
import { splitQuoted } from '../connectors/email/quote.js';
import { decodeRawHeaders } from '../connectors/email/raw-headers.js';

describe('quote trimming', () => {
  // Each layout: the visible reply, the quote below it, and nothing lost between them.
  it.each([
    ['Gmail', 'Thanks!\n\nOn Tue, Nov 24, 2026 at 9:15 AM Support <support@parley.test> wrote:\n> We fixed it.\n', 'Thanks!'],
    ['Gmail wrapped', 'Thanks!\n\nOn Tue, Nov 24, 2026 at 9:15 AM Parley Customer Support Team\n<support@parley.test> wrote:\n> We fixed it.\n', 'Thanks!'],
    ['Outlook', 'Works now.\n\n________________________________\nFrom: Support <support@parley.test>\nSent: Tuesday, November 24, 2026 9:15 AM\nTo: Kim\nSubject: RE: x\n\nWe fixed it.\n', 'Works now.'],
    ['Outlook, no separator', 'Works now.\n\nFrom: Support <support@parley.test>\nSent: Tuesday, November 24, 2026 9:15 AM\nSubject: RE: x\n', 'Works now.'],
    ['QQ Mail', '好的，收到。\n\n------------------ 原始邮件 ------------------\n发件人: "Support"<support@parley.test>;\n发送时间: 2026年11月24日\n', '好的，收到。'],
    ['NetEase/Chinese Gmail', '谢谢！\n\n在 2026年11月24日 09:15，Support <support@parley.test> 写道：\n> 已处理\n', '谢谢！'],
    ['Original Message', 'ok\n\n-----Original Message-----\nFrom: x\n', 'ok'],
    ['trailing > quote', 'Yes please.\n\n> Should we refund?\n> Thanks\n', 'Yes please.'],
    ['Russian', 'Спасибо, деньги пришли.\n\n01.12.2026, 10:00, Иван Петров пишет:\n> Проверьте баланс', 'Спасибо, деньги пришли.'],
    ['Russian, написал(а)', 'Готово\n\nПн, 30 нояб. 2026 г. в 10:00, Анна <anna@example.ru> написал(а):\n> Проверьте', 'Готово'],
    ['Japanese Gmail', '届きました。\n\n2026年11月30日(月) 10:00 山田太郎 <yamada@example.jp>:\n> 返金しました', '届きました。'],
    ['Japanese', 'はい、確認しました。\n\n山田さんは書きました:\n> ご確認ください', 'はい、確認しました。'],
    ['Chinese Gmail', '收到了，谢谢\n\n王小明 <wang@example.cn> 于2026年11月30日周一 10:00写道：\n> 请查看', '收到了，谢谢'],
    ['Yahoo', 'Thanks!\n\n--- On Mon, 11/30/26, Support <s@x.com> wrote:\n\n> We refunded you', 'Thanks!'],
  ])('trims %s', (_name, text, visible) => {
    const r = splitQuoted(text);
    expect(r.visible).toBe(visible);
    expect(r.quoted.length).toBeGreaterThan(0);
    expect(`${r.visible}\n\n${r.quoted}`).toBe(text.trim());
  });

  it('keeps inline answers, a "From:" mentioned in prose, and messages that are only a quote', () => {
    const inline = '> Which card?\nThe Visa one.\n> Which bank?\nICBC.\n> When?\nYesterday, around 9.\n';
    expect(splitQuoted(inline)).toEqual({ visible: inline.trim(), quoted: '' });
    const prose = 'From: my old account the transfer failed.\nPlease check.';
    expect(splitQuoted(prose).visible).toBe(prose);
    expect(splitQuoted('> only a quote\n').visible).toBe('> only a quote');
  });

  it('a reply written under the quote: the reply is visible, the quote above kept', () => {
    const text = 'On Mon, Nov 30, 2026 at 10:00 Support <s@x.com> wrote:\n> Did the refund arrive?\n> Regards\n\nYes it did, thank you.\nLin';
    expect(splitQuoted(text)).toEqual({ visible: 'Yes it did, thank you.\nLin', quoted: 'On Mon, Nov 30, 2026 at 10:00 Support <s@x.com> wrote:\n> Did the refund arrive?\n> Regards' });
    expect(splitQuoted('> Where is my card?\n\nIt arrived today.')).toEqual({ visible: 'It arrived today.', quoted: '> Where is my card?' });
  });

  it('an inline reply (quote, answer, quote, answer) and a quote with nothing below stay whole', () => {
    const inline = '> a\nanswer a\n> b\nanswer b';
    expect(splitQuoted(inline)).toEqual({ visible: inline, quoted: '' });
    expect(splitQuoted('> only a quote\n> nothing else')).toEqual({ visible: '> only a quote\n> nothing else', quoted: '' });
  });

  it('"wrote" in a sentence is not a header', () => {
    const text = 'I wrote to you yesterday:\nthe transfer failed and the money is gone.';
    expect(splitQuoted(text)).toEqual({ visible: text, quoted: '' });
  });
});

describe('raw 8-bit headers', () => {
  const hex = (h: string) => Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16));
  const ascii = (s: string) => new TextEncoder().encode(s);
  const join = (...parts: Uint8Array[]) => { const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; } return out; };

  it('a Big5 subject and sender name with no RFC 2047 encoding are read by the body\'s charset', async () => {
    // 我的帳戶被凍結了 / 王小明 / 請幫忙解凍, in Big5 bytes
    const raw = join(ascii('From: "'), hex('a4fda470a9fa'), ascii('" <wang@example.tw>\r\nTo: support@example.com\r\nSubject: '), hex('a7daaabab162a4e1b351ade1b5b2a446'),
      ascii('\r\nMessage-ID: <big5@example.tw>\r\nContent-Type: text/plain; charset=big5\r\n\r\n'), hex('bdd0c0b0a6a3b8d1ade1'), ascii('\r\n'));
    const [e] = await parseEmail(raw, { address: 'support@example.com' });
    expect(e).toMatchObject({ kind: 'message', subject: '我的帳戶被凍結了', text: '請幫忙解凍', sender: { externalId: 'wang@example.tw', name: '王小明' } });
  });

  it('GBK in a multipart mail, and UTF-8 or ASCII headers are left as they are', async () => {
    const raw = join(ascii('From: '), hex('c0ee'), ascii(' <li@example.cn>\r\nSubject: '), hex('cdcbbfee'),
      ascii('\r\nMessage-ID: <gbk@example.cn>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=gbk\r\n\r\n'), hex('cdcbbfee'), ascii('\r\n--b--\r\n'));
    const [e] = await parseEmail(raw, { address: 'support@example.com' });
    expect(e).toMatchObject({ subject: '退款', sender: { name: '李' } });
    const utf8 = ascii('From: "王小明" <wang@example.tw>\r\nSubject: 我的帳戶被凍結了\r\nMessage-ID: <u@x>\r\nContent-Type: text/plain; charset=big5\r\n\r\nhi\r\n');
    expect(decodeRawHeaders(utf8)).toBe(utf8);
    const plain = ascii('From: a@x.test\r\nSubject: hello\r\n\r\nhi\r\n');
    expect(decodeRawHeaders(plain)).toBe(plain);
  });
});
