// Downloads one platform file for a connector's fetchMedia: a size cap enforced while reading
// (a declared Content-Length over it stops at once), redirects followed by hand so every hop
// is checked (Twilio media redirect to their CDN; an Authorization header never crosses to
// another origin), loopback/private addresses refused by the network guard (net-guard.ts, at
// connect time too) unless PARLEY_ALLOW_PRIVATE_NETWORK=1 (media URLs come from webhook bodies), and failures classified: 429/5xx/network retryable,
// everything else permanent.
import { assertPublicHost as assertPublicAddress, fetchErrorMessage, guardedFetch, isBlockedAddress, PrivateNetworkError } from './net-guard.js';
import { FileTooLargeError, PermanentError, RetryableError, type FetchedMedia } from './types.js';

export interface FetchFileOptions {
  headers?: Record<string, string>;
  maxBytes: number;
  timeoutMs?: number;
  /** For error messages: "WhatsApp media", "Telegram file", ... */
  what: string;
}

const MAX_REDIRECTS = 5;

/** Loopback, private, link-local, CGNAT, unique-local and unspecified addresses (net-guard's list). */
export const isPrivateAddress = isBlockedAddress;

const isRefusal = (err: unknown) => err instanceof PrivateNetworkError || (err as { cause?: unknown })?.cause instanceof PrivateNetworkError;

// Checked before each hop for a clear message; guardedFetch checks again at connect time (DNS rebinding).
async function assertPublicHost(url: URL, what: string) {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  try {
    await assertPublicAddress(host);
  } catch (err) {
    if (isRefusal(err)) throw new PermanentError(`${what}: ${host} is a private network address, refused`);
    throw new RetryableError(`${what}: ${host} could not be resolved`);
  }
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
      res = await guardedFetch(url, { headers, redirect: 'manual', signal });
    } catch (err) {
      if (isRefusal(err)) throw new PermanentError(`${opts.what}: ${url.hostname} is a private network address, refused`);
      throw new RetryableError(`${opts.what} could not be downloaded: ${fetchErrorMessage(err)}`);
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
