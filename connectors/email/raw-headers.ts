// Header fields are 7-bit by the RFCs (non-ASCII goes in RFC 2047 encoded-words), but older
// clients in Taiwan, China and Japan write Subject and From names as raw Big5/GBK/Shift_JIS
// bytes. mailparser reads raw header bytes as UTF-8, so those would become U+FFFD. When the
// header block is not valid UTF-8, it is re-encoded from the charset the message declares for
// its body (the client wrote both in the same one), or when it declares none, the one detected
// from the head and the body's first 64 KB (charset-detect.ts). One pass over the header bytes.
import { detectCharset } from './charset-detect.js';

const LATIN1 = new TextDecoder('latin1');
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const MAX_HEADER_BYTES = 256 * 1024;

function headerEnd(source: Uint8Array): number {
  const n = Math.min(source.length, MAX_HEADER_BYTES);
  for (let i = 0; i + 1 < n; i++) {
    if (source[i] !== 0x0a) continue;
    if (source[i + 1] === 0x0a) return i + 1;
    if (source[i + 1] === 0x0d && source[i + 2] === 0x0a) return i + 1;
  }
  return -1;
}

/** The message with its header block transcoded to UTF-8, or the message as it was. */
export function decodeRawHeaders(source: Uint8Array): Uint8Array {
  const end = headerEnd(source);
  if (end < 0) return source;
  const head = source.subarray(0, end);
  if (!head.some((b) => b >= 0x80)) return source;
  try { UTF8_STRICT.decode(head); return source; } catch { /* not UTF-8: find its charset */ }
  const sample = LATIN1.decode(source.subarray(0, Math.min(source.length, end + 64 * 1024)));
  const declared = /charset\s*=\s*"?([A-Za-z0-9_.:-]{1,40})/i.exec(sample)?.[1]?.toLowerCase();
  // Declared as nothing or UTF-8 yet not UTF-8: detect from the head and the start of the body.
  const charset = declared && !['utf-8', 'utf8', 'us-ascii'].includes(declared) ? declared
    : detectCharset(source.subarray(0, Math.min(source.length, end + 64 * 1024)));
  if (!charset) return source;
  let text: string;
  try { text = new TextDecoder(charset).decode(head); } catch { return source; } // unknown label
  const utf8 = new TextEncoder().encode(text);
  const out = new Uint8Array(utf8.length + source.length - end);
  out.set(utf8);
  out.set(source.subarray(end), utf8.length);
  return out;
}
