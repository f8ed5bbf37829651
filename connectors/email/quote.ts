// Splits a plain-text email into what the customer wrote now and the quoted history below
// it (Gmail "On … wrote:", Outlook headers, QQ/Foxmail/NetEase "原始邮件", "> " quotes).
// The history is kept by the caller; only the visible part is shown as the message.

const HEADER_PATTERNS: RegExp[] = [
  /^-{2,}\s*(original message|forwarded message|原始邮件|原邮件|转发邮件)\s*-{2,}\s*$/i,
  /^-{5,}\s*(original|原始)/i,
  /^_{10,}\s*$/, // Outlook's separator above "From: …"
  /^on\b.{0,200}\bwrote:?\s*$/i,
  /^在\s?.{0,200}(写道|寫道)\s*[:：]?\s*$/,
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
