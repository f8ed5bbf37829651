// Text parts that declare no charset, or claim UTF-8/US-ASCII, but whose bytes are not valid
// UTF-8 (older clients and web forms in China, Taiwan and Japan send raw GBK, Big5 or
// Shift_JIS this way; Western ones windows-1252): mailparser would read them as UTF-8 and show
// U+FFFD. Such a part gets the charset chardet detects written into its Content-Type, so
// mailparser decodes it like any labelled part. A part that declares another charset is
// trusted as it is (a single-byte charset is always "valid", so a wrong one cannot be told from
// a right one reliably). Time is linear in the mail: one split and join, and detection reads
// at most 64 KB per part.
import { Joiner, Rewriter, Splitter, type MimeNode } from '@zone-eu/mailsplit';
import chardet from 'chardet';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const SAMPLE_BYTES = 64 * 1024;
// chardet's confidence (0-100) below which the guess is not worth more than U+FFFD.
const MIN_CONFIDENCE = 30;
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });
const UNLABELLED = new Set(['', 'utf-8', 'utf8', 'us-ascii', 'ascii']);

function isValidUtf8(bytes: Uint8Array): boolean {
  try { UTF8_STRICT.decode(bytes); return true; } catch { return false; }
}

/** The charset of bytes that are not UTF-8, or null when no guess is confident enough. */
export function detectCharset(bytes: Uint8Array): string | null {
  const sample = bytes.subarray(0, SAMPLE_BYTES);
  for (const m of chardet.analyse(sample)) {
    if (m.confidence < MIN_CONFIDENCE) return null;
    const name = m.name.toLowerCase();
    if (name === 'utf-8' || name === 'ascii') continue;
    // Only labels the WHATWG decoder (and so iconv-lite, which mailparser uses) knows.
    try { new TextDecoder(name); return name; } catch { continue; }
  }
  return null;
}

const isInlineText = (node: MimeNode) => {
  const type = String(node.contentType || 'text/plain').toLowerCase();
  if (type !== 'text/plain' && type !== 'text/html') return false;
  return String(node.disposition || '').toLowerCase() !== 'attachment' && UNLABELLED.has(String(node.charset || '').toLowerCase());
};

/**
 * The message with a detected charset written into each unlabelled (or UTF-8-labelled) inline
 * text part that is not valid UTF-8; null when no part needed it (the caller keeps its parse).
 */
export async function labelUndetectedCharsets(source: Uint8Array): Promise<Uint8Array | null> {
  let changed = false;
  const splitter = new Splitter();
  const rewriter = new Rewriter(isInlineText);
  const joiner = new Joiner();
  rewriter.on('node', ({ node, decoder, encoder }) => {
    const chunks: Buffer[] = [];
    decoder.on('data', (c: Buffer) => chunks.push(c));
    decoder.on('end', () => {
      const body = Buffer.concat(chunks);
      if (!isValidUtf8(body)) {
        const charset = detectCharset(body);
        if (charset) { node.setCharset(charset); changed = true; }
      }
      encoder.end(body);
    });
  });
  const out: Buffer[] = [];
  // mailsplit's own bounds (1000 nodes, 1 MB of headers) refuse what mailparser may still read:
  // then the first reading stands.
  try {
    await pipeline(Readable.from([Buffer.from(source.buffer, source.byteOffset, source.byteLength)]), splitter, rewriter, joiner,
      async (chunks: AsyncIterable<Buffer>) => { for await (const c of chunks) out.push(c); });
  } catch {
    return null;
  }
  return changed ? Buffer.concat(out) : null;
}
