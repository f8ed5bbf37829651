// Quote trimming for the layouts customers' mail clients produce: localized "wrote:" lines,
// Yahoo's "--- On … wrote:", and a reply written under the quote. The full text stays one
// click away (quotedText), an inline reply stays whole.
import { describe, expect, it } from 'vitest';
import { splitQuoted } from '../connectors/email/quote.js';

describe('quote trimming, more layouts', () => {
  it.each([
    ['Russian', 'Спасибо, деньги пришли.\n\n01.12.2026, 10:00, Иван Петров пишет:\n> Проверьте баланс', 'Спасибо, деньги пришли.'],
    ['Russian, написал(а)', 'Готово\n\nПн, 30 нояб. 2026 г. в 10:00, Анна <anna@example.ru> написал(а):\n> Проверьте', 'Готово'],
    ['Japanese Gmail', '届きました。\n\n2026年11月30日(月) 10:00 山田太郎 <yamada@example.jp>:\n> 返金しました', '届きました。'],
    ['Japanese', 'はい、確認しました。\n\n山田さんは書きました:\n> ご確認ください', 'はい、確認しました。'],
    ['Chinese Gmail', '收到了，谢谢\n\n王小明 <wang@example.cn> 于2026年11月30日周一 10:00写道：\n> 请查看', '收到了，谢谢'],
    ['Yahoo', 'Thanks!\n\n--- On Mon, 11/30/26, Support <s@x.com> wrote:\n\n> We refunded you', 'Thanks!'],
  ])('%s "wrote:" header', (_name, text, visible) => {
    const r = splitQuoted(text);
    expect(r.visible).toBe(visible);
    expect(r.quoted.length).toBeGreaterThan(0);
    expect(`${r.visible}\n\n${r.quoted}`).toBe(text.trim());
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
