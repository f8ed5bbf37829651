// Downloads one platform file for a connector's fetchMedia: a size cap enforced while reading
// (a declared Content-Length over it stops at once), redirects followed by hand so every hop
// is checked (Twilio media redirect to their CDN; an Authorization header never crosses to
// another origin), loopback/private addresses refused unless PARLEY_ALLOW_PRIVATE_NETWORK=1
// (media URLs come from webhook bodies), and failures classified: 429/5xx/network retryable,
// everything else permanent.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { FileTooLargeError, PermanentError, RetryableError, type FetchedMedia } from './types.js';

export interface FetchFileOptions {
  headers?: Record<string, string>;
  maxBytes: number;
  timeoutMs?: number;
  /** For error messages: "WhatsApp media", "Telegram file", ... */
  what: string;
}

const MAX_REDIRECTS = 5;

export function privateNetworkAllowed(): boolean {
  return typeof process !== 'undefined' && process.env?.PARLEY_ALLOW_PRIVATE_NETWORK === '1';
}

/** Loopback, private, link-local, CGNAT, unique-local and unspecified addresses. */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31)
      || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v = ip.toLowerCase();
  if (v.startsWith('::ffff:')) return isPrivateAddress(v.slice(7));
  return v === '::' || v === '::1' || v.startsWith('fc') || v.startsWith('fd') || v.startsWith('fe80');
}

async function assertPublicHost(url: URL, what: string) {
  if (privateNetworkAllowed()) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new RetryableError(`${what}: ${host} could not be resolved`);
  if (addresses.some(isPrivateAddress)) throw new PermanentError(`${what}: ${host} is a private network address, refused`);
}

export async function fetchFile(rawUrl: string, opts: FetchFileOptions): Promise<FetchedMedia> {
  let url: URL;
  try { url = new URL(rawUrl); } catch { throw new PermanentError(`${opts.what}: "${rawUrl.slice(0, 100)}" is not a URL`); }
  let headers = { ...(opts.headers ?? {}) };
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PermanentError(`${opts.what}: ${url.protocol} URLs are not fetched`);
    await assertPublicHost(url, opts.what);
    let res: Response;
    try {
      res = await fetch(url, { headers, redirect: 'manual', signal });
    } catch (err) {
      throw new RetryableError(`${opts.what} could not be downloaded: ${(err as Error).message}`);
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      await res.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new PermanentError(`${opts.what}: too many redirects`);
      const next = new URL(res.headers.get('location')!, url);
      if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
      url = next;
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      const what = `${opts.what} download answered ${res.status}`;
      if (res.status === 429 || res.status >= 500) throw new RetryableError(what);
      throw new PermanentError(res.status === 404 || res.status === 410 ? `${what}: the file is gone from the platform` : what);
    }
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      await res.body?.cancel();
      throw new FileTooLargeError(opts.maxBytes, declared);
    }
    const data = await readCapped(res, opts.maxBytes, opts.what);
    const disposition = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(res.headers.get('content-disposition') ?? '');
    return {
      data,
      contentType: res.headers.get('content-type')?.split(';')[0].trim() || undefined,
      filename: disposition ? safeDecode(disposition[1]) : undefined,
    };
  }
}

async function readCapped(res: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new FileTooLargeError(maxBytes);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof FileTooLargeError) throw err;
    throw new RetryableError(`${what}: the download broke off: ${(err as Error).message}`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.byteLength; }
  return out;
}

function safeDecode(s: string) {
  try { return decodeURIComponent(s); } catch { return s; }
}

/** The last path segment of a URL when it looks like a file name (photo.jpg), else undefined. */
export function fileNameFromUrl(u: string): string | undefined {
  try {
    const last = new URL(u, 'http://x').pathname.split('/').filter(Boolean).pop();
    return last && /\.[a-z0-9]{2,5}$/i.test(last) ? safeDecode(last) : undefined;
  } catch { return undefined; }
}
