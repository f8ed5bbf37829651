// The one guard for every outgoing connection Parley opens to an address an admin configured
// (outgoing webhooks, the API channel's callback, each platform's apiBaseUrl, IMAP and SMTP
// hosts): loopback, private, link-local, metadata and other non-public addresses are refused
// unless PARLEY_ALLOW_PRIVATE_NETWORK=1 (the sandbox, tests and `npm run demo`).
// The check runs on the addresses DNS returned, at connect time (a custom `lookup`), so a name
// that resolves differently on the second lookup (DNS rebinding) gains nothing. Redirects are
// never followed: a public URL cannot bounce the request inward.
import dns from 'node:dns';
import http, { STATUS_CODES } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Readable } from 'node:stream';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';

export const privateNetworkAllowed = () => process.env.PARLEY_ALLOW_PRIVATE_NETWORK === '1';

const blocked = new net.BlockList();
for (const [a, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(a, bits, 'ipv4');
for (const [a, bits] of [
  ['::', 128], ['::1', 128], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) blocked.addSubnet(a, bits, 'ipv6');

/** IPv4 inside an IPv4-mapped/compatible IPv6 address (::ffff:7f00:1, ::ffff:127.0.0.1). */
function embeddedV4(ip: string): string | null {
  const dotted = /^::(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (dotted) return dotted[1];
  const h = /^::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (!h) return null;
  const hi = parseInt(h[1], 16), lo = parseInt(h[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True for any address Parley must not call on its own (see the file comment). */
export function isBlockedAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family === 6) {
    const bare = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    const v4 = embeddedV4(bare);
    if (v4 && net.isIP(v4) === 4) return blocked.check(v4, 'ipv4');
    return blocked.check(bare, 'ipv6');
  }
  return true; // not an address at all: refuse rather than guess
}

export class PrivateNetworkError extends Error {
  readonly code = 'EPRIVATENETWORK';
  constructor(host: string, address: string) {
    super(`refused to connect to ${host} (${address}): a loopback, private or link-local address; set PARLEY_ALLOW_PRIVATE_NETWORK=1 to allow`);
  }
}

type LookupAll = (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void;
type LookupOne = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** A drop-in `lookup` for net/tls/http: resolves, then refuses when any answer is blocked. */
export function guardedLookup(hostname: string, options: dns.LookupOptions | number, callback: LookupAll | LookupOne): void {
  const opts: dns.LookupOptions = typeof options === 'number' ? { family: options } : { ...options };
  dns.lookup(hostname, { ...opts, all: true }, (err, addresses) => {
    if (err) return (callback as LookupAll)(err, []);
    if (!privateNetworkAllowed()) {
      const bad = addresses.find((a) => isBlockedAddress(a.address));
      if (bad) return (callback as LookupAll)(new PrivateNetworkError(hostname, bad.address) as NodeJS.ErrnoException, []);
    }
    if (opts.all) return (callback as LookupAll)(null, addresses);
    const first = addresses[0];
    if (!first) return (callback as LookupAll)(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    (callback as LookupOne)(null, first.address, first.family);
  });
}

/** Resolves a host name (or takes an IP) and throws PrivateNetworkError when it is refused. */
export async function assertPublicHost(host: string): Promise<void> {
  if (privateNetworkAllowed()) return;
  const bare = host.replace(/^\[|\]$/g, '');
  if (net.isIP(bare)) {
    if (isBlockedAddress(bare)) throw new PrivateNetworkError(host, bare);
    return;
  }
  const addresses = await dns.promises.lookup(bare, { all: true });
  const bad = addresses.find((a) => isBlockedAddress(a.address));
  if (bad) throw new PrivateNetworkError(host, bad.address);
}

/** http(s) only; a literal IP host is checked here (a connect to an IP never calls lookup). */
export function assertCallableUrl(url: string | URL): URL {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`refused to call ${u.protocol} URL: only http and https`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!privateNetworkAllowed() && net.isIP(host) && isBlockedAddress(host)) throw new PrivateNetworkError(u.hostname, host);
  return u;
}

const dispatcher = new Agent({ connect: { lookup: guardedLookup as never }, keepAliveTimeout: 10_000 });

/**
 * fetch through the guard; redirects are returned, never followed. Bodies of answers should
 * be read with readBounded (or cancelled): an answer may be as large as the server likes.
 *
 * Made with undici's `request` and a plain Response around its body, not with fetch: fetch
 * registers every answer in a FinalizationRegistry, which keeps it and all it holds alive
 * through every young-generation GC, so a process sending thousands of replies grew its old
 * space by ~100 MB between full GCs (docs/performance.md). Bodies: string, bytes, FormData.
 */
export async function guardedFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const u = assertCallableUrl(url);
  const method = (init.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod;
  const answer = await undiciRequest(u, {
    method, dispatcher, signal: init.signal ?? undefined,
    headers: Object.fromEntries(new Headers(init.headers)),
    body: (init.body ?? null) as Dispatcher.DispatchOptions['body'],
  });
  try {
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    // `request` does not hand over the reason phrase: the standard one stands in for it.
    const answerInit = { status: answer.statusCode, statusText: STATUS_CODES[answer.statusCode] ?? '', headers };
    if (method === 'HEAD' || answer.statusCode === 204 || answer.statusCode === 205 || answer.statusCode === 304) {
      drop(answer.body);
      return new Response(null, answerInit);
    }
    return new Response(webStream(answer.body), answerInit);
  } catch (err) {
    // A status or header a Response cannot carry: the connection is not kept for it.
    drop(answer.body);
    throw err;
  }
}

/** Closes a body nobody will read; undici reports that as an 'error' (aborted), which is expected here. */
function drop(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

/**
 * A Node body as a Web stream, read only as the reader asks (Readable.toWeb on Node 20 pushes
 * ahead and throws "Controller is already closed" when a reader cancels mid-body).
 */
function webStream(body: Readable): ReadableStream<Uint8Array> {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    },
    cancel() { drop(body); },
  }, { highWaterMark: 0 });
}

/** Up to maxBytes of a body as text; the rest is cancelled, never buffered. */
export async function readBounded(res: Response, maxBytes = 64 * 1024): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  try {
    while (n < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      n += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const all = new Uint8Array(Math.min(n, maxBytes));
  let at = 0;
  for (const c of chunks) { const take = Math.min(c.byteLength, all.length - at); all.set(c.subarray(0, take), at); at += take; if (at >= all.length) break; }
  return new TextDecoder().decode(all);
}

/** Throws away a body without reading it (frees the connection). */
export const discardBody = (res: Response) => { res.body?.cancel().catch(() => {}); };

/** The message of a fetch failure: undici wraps the cause (our refusal, ECONNREFUSED, …). */
export function fetchErrorMessage(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'no answer in time';
  if (e instanceof PrivateNetworkError) return e.message;
  return e?.cause?.message ?? e?.cause?.code ?? e?.message ?? String(err);
}

/** http.Agent / https.Agent that check every connection, for clients that take an agent (twitter-api-v2). */
export const guardedHttpAgent = new http.Agent({ keepAlive: true, lookup: guardedLookup as never });
export const guardedHttpsAgent = new https.Agent({ keepAlive: true, lookup: guardedLookup as never });
