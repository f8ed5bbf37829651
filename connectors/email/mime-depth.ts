// How deeply a message nests its MIME parts, told from the raw bytes before the parser sees
// them: every nested multipart declares its own boundary, so the distinct `boundary=` values
// bound the depth. One linear pass over the headers; a message past the limit is refused
// (the IMAP poll stores it as "could not be read" and moves on).
export const MAX_MIME_DEPTH = 32;

const BOUNDARY = /boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"\r\n]{1,200}))/gi;

export function mimeBoundaries(source: Uint8Array, stopAt = MAX_MIME_DEPTH + 1): number {
  const text = new TextDecoder('latin1').decode(source);
  const seen = new Set<string>();
  for (const m of text.matchAll(BOUNDARY)) {
    seen.add(m[1] ?? m[2]);
    if (seen.size >= stopAt) break;
  }
  return seen.size;
}

export function checkMimeDepth(source: Uint8Array): void {
  const n = mimeBoundaries(source);
  if (n > MAX_MIME_DEPTH) throw new Error(`its MIME parts are nested more than ${MAX_MIME_DEPTH} levels deep`);
}
