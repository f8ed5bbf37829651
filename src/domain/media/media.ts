// What Parley takes from a file, whoever sent it: the bytes decide the type (sniffed, never the
// sender's word), the size must be within the limit, an empty file is no file, and the name is
// made safe to show and to offer as a download (no path, no control characters). A file that
// fails a check is kept as a refused attachment whose error says what and why.
import { fileTypeFromBuffer } from 'file-type/core';
import type { MediaKind } from '../../../connectors/types.js';
import type { BlobStore } from './blobs.js';

export interface CheckedFile {
  state: 'ready' | 'refused';
  filename: string;
  contentType: string;
  size: number;
  sha256: string | null;
  kind: MediaKind;
  error: string | null;
}

const MB = 1048576;
export const mb = (n: number) => `${(n / MB).toFixed(n < MB ? 2 : 1).replace(/\.?0+$/, '')} MB`;

/** A name fit to show and to download: last path segment, no control or reserved characters, ≤ 150 characters. */
export function safeFileName(name: string | undefined, fallbackExt?: string): string {
  let n = (name ?? '').split(/[/\\]/).pop() ?? '';
  n = n.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^[.\s]+/, '').trim();
  if ([...n].length > 150) {
    const dot = n.lastIndexOf('.');
    const ext = dot > 0 && n.length - dot <= 10 ? n.slice(dot) : '';
    n = [...n].slice(0, 150 - ext.length).join('') + ext;
  }
  if (!n) n = fallbackExt ? `file.${fallbackExt}` : 'file';
  else if (fallbackExt && !/\.[a-z0-9]{1,10}$/i.test(n)) n = `${n}.${fallbackExt}`;
  return n;
}

const family = (t: string) => {
  const top = t.split('/')[0];
  if (top === 'image') return 'image';
  if (top === 'audio' || top === 'video') return 'av';
  if (t === 'application/pdf') return 'pdf';
  return null;
};

function looksLikeText(d: Uint8Array): boolean {
  const n = Math.min(d.byteLength, 4096);
  for (let i = 0; i < n; i++) if (d[i] === 0) return false;
  try { new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(d.subarray(0, n)); return true; } catch { return n === 4096; }
}

const MEDIA_KINDS: readonly MediaKind[] = ['image', 'sticker', 'video', 'audio', 'voice', 'file'];
/** A stored `kind` column read back (text in the database). */
export const isMediaKind = (v: unknown): v is MediaKind => MEDIA_KINDS.some((k) => k === v);

export function kindOf(contentType: string, hint?: MediaKind): MediaKind {
  if (hint === 'sticker' || hint === 'voice') return hint;
  const top = contentType.split('/')[0];
  if (top === 'image') return 'image';
  if (top === 'video') return 'video';
  if (top === 'audio') return 'audio';
  return 'file';
}

export interface FileIn { data: Uint8Array; filename?: string; declaredType?: string; maxBytes: number; kind?: MediaKind }

/** Checks the bytes and, when they pass, stores them in the blob store. */
export async function checkAndStore(blobs: BlobStore, f: FileIn): Promise<CheckedFile> {
  const c = await checkFile(f);
  if (c.state === 'ready') c.sha256 = (await blobs.put(f.data)).sha256;
  return c;
}

/** The checks alone (sha256 stays null): for callers that store only once every file passed. */
export async function checkFile(f: FileIn): Promise<CheckedFile> {
  const declared = (f.declaredType ?? '').toLowerCase().split(';')[0].trim();
  const refuse = (error: string, contentType = declared || 'application/octet-stream'): CheckedFile => ({
    state: 'refused', filename: safeFileName(f.filename), contentType, size: f.data.byteLength, sha256: null, kind: kindOf(contentType, f.kind), error,
  });
  if (f.data.byteLength === 0) return refuse('the file is empty');
  if (f.data.byteLength > f.maxBytes) return refuse(`the file is ${mb(f.data.byteLength)}, over this inbox's limit of ${mb(f.maxBytes)}`);
  const sniffed = await fileTypeFromBuffer(f.data).catch(() => undefined);
  let contentType = sniffed?.mime.split(';')[0] ?? (looksLikeText(f.data) ? 'text/plain' : 'application/octet-stream');
  // A declared image/audio/video/PDF whose bytes are something else is what a disguised file looks like.
  const want = family(declared);
  if (want && family(contentType) !== want && !(want === 'av' && sniffed?.ext === 'webm')) {
    return refuse(`the file says it is ${declared}, but its content is ${sniffed ? sniffed.mime.split(';')[0] : 'not a recognisable file type'}`);
  }
  // Plain text may keep its declared text type (text/csv, a mail as message/rfc822: a download); never HTML.
  if (contentType === 'text/plain' && ((declared.startsWith('text/') && declared !== 'text/html') || declared === 'message/rfc822')) contentType = declared;
  return {
    state: 'ready', filename: safeFileName(f.filename, sniffed?.ext), contentType, size: f.data.byteLength, sha256: null, kind: kindOf(contentType, f.kind), error: null,
  };
}
