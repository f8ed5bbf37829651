// Splits a plain-text email into what the customer wrote now and the quoted history below
// it (Gmail "On … wrote:" in English, Chinese, Japanese, Russian and other languages, Yahoo's
// "--- On … wrote:", Outlook headers, QQ/Foxmail/NetEase "原始邮件", "> " quotes), or above
// it (a reply written under the quote). The history is kept by the caller ("show quoted
// text"); only the visible part is shown as the message. One pass over the lines: linear.

const HEADER_PATTERNS: RegExp[] = [
  /^-{2,}\s*(original message|forwarded message|原始邮件|原邮件|转发邮件)\s*-{2,}\s*$/i,
  /^-{5,}\s*(original|原始)/i,
  /^_{10,}\s*$/, // Outlook's separator above "From: …"
  /^(-{2,3}\s*)?on\b.{0,200}\bwrote:?\s*$/i,
  /^在\s?.{0,200}(写道|寫道)\s*[:：]?\s*$/,
  // Gmail in Chinese: "王小明 <x@y.cn> 于2026年11月30日周一 10:00写道："
  /^.{0,200}[于於]\s?\d{4}年.{0,80}(写道|寫道)\s*[:：]?\s*$/,
  // Japanese: "…さんは書きました:", Gmail's "2026年11月30日(月) 10:00 山田 <x@y.jp>:"
  /^.{0,200}(書きました|書き込みました)\s*[:：]\s*$/,
  /^\d{4}年\d{1,2}月\d{1,2}日.{0,150}<[^<>\s]+@[^<>\s]+>\s*[:：]\s*$/,
  // Russian: "… пишет:", "… написал(а):"
  /^.{0,200}(?:^|\s)(пишет|написал[аи]?|написал\(а\))\s*:\s*$/i,
  /^.{0,200}\b(a écrit|schrieb|escribió|scrisse|schreef)\s*:\s*$/i,
  /^(from|发件人|寄件者|差出人)\s*[:：].+/i,
];

/** An "On … wrote:" split over two lines by a mail client's wrapping. */
const WROTE_TAIL = /^.{0,120}\b(wrote|写道|寫道)\s*[:：]?\s*$/i;

export interface SplitText { visible: string; quoted: string }

export function splitQuoted(text: string): SplitText {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let cut = -1;
  // Only the first quoted line can start a trailing quote (restIsQuote wants none above it):
  // checking every quoted line made alternating quote/answer mail quadratic.
  let quoteSeen = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (!l) continue;
    if (HEADER_PATTERNS.some((re) => re.test(l))) {
      // "From:" alone is only a header block when more header lines follow it.
      if (/^(from|发件人|寄件者|差出人)\s*[:：]/i.test(l) && !looksLikeHeaderBlock(lines, i)) continue;
      cut = i; break;
    }
    if (/^on\b/i.test(l) && i + 1 < lines.length && WROTE_TAIL.test(lines[i + 1].trim())) { cut = i; break; }
    if (l.startsWith('>')) {
      if (!quoteSeen && restIsQuote(lines, i)) { cut = i; break; }
      quoteSeen = true;
    }
  }
  const first = firstText(lines);
  if (first >= 0 && (cut === first || (cut < 0 && lines[first].trim().startsWith('>')))) return leadingQuote(lines, first, text);
  if (cut <= 0) return { visible: text.trim(), quoted: '' };
  const visible = lines.slice(0, cut).join('\n').trim();
  if (!visible) return { visible: text.trim(), quoted: '' };
  return { visible, quoted: lines.slice(cut).join('\n').trim() };
}

function looksLikeHeaderBlock(lines: string[], i: number): boolean {
  const next = lines.slice(i + 1, i + 5).map((l) => l.trim());
  return next.some((l) => /^(sent|date|to|subject|cc|发送时间|日期|收件人|主题|主旨|件名|宛先)\s*[:：]/i.test(l));
}

/** From line i on, only quoted and blank lines (a "-- " signature may follow). The caller asks
 *  only for the first quoted line: a quote interleaved with answers is an inline reply and stays whole. */
function restIsQuote(lines: string[], i: number): boolean {
  for (let j = i; j < lines.length; j++) {
    if (lines[j] === '-- ' || lines[j] === '--') return true;
    const l = lines[j].trim();
    if (l && !l.startsWith('>')) return false;
  }
  return true;
}

function firstText(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) if (lines[i].trim()) return i;
  return -1;
}

/**
 * The mail opens with a quote (a header line and/or "> " lines): the reply is what follows it,
 * when nothing after it is quoted again (an interleaved quote is an inline reply: kept whole).
 */
function leadingQuote(lines: string[], start: number, text: string): SplitText {
  let i = start;
  const l = lines[i].trim();
  if (!l.startsWith('>')) {
    i++; // the "On … wrote:" or header line
    if (/^on\b/i.test(l) && i < lines.length && WROTE_TAIL.test(lines[i].trim()) && !/wrote|写道|寫道/i.test(l)) i++;
  }
  let sawQuote = false;
  for (; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t.startsWith('>')) { sawQuote = true; continue; }
    if (t) break;
  }
  if (!sawQuote || i >= lines.length) return { visible: text.trim(), quoted: '' };
  for (let j = i; j < lines.length; j++) if (lines[j].trim().startsWith('>')) return { visible: text.trim(), quoted: '' };
  const visible = lines.slice(i).join('\n').trim();
  if (!visible) return { visible: text.trim(), quoted: '' };
  return { visible, quoted: lines.slice(0, i).join('\n').trim() };
}
