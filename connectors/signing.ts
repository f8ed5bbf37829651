// The webhook-signature primitives every platform uses (HMAC, hex/base64, constant-time
// comparison), on Web Crypto so connectors run on Node and Workers alike.
const enc = new TextEncoder();

export type HmacHash = 'SHA-256' | 'SHA-1';

const bytesOf = (v: string | Uint8Array) => (typeof v === 'string' ? enc.encode(v) : v) as Uint8Array<ArrayBuffer>;

// Imported keys for string secrets (an app secret signs every webhook of its inboxes):
// importKey per request was a visible part of webhook intake. Non-extractable, bounded.
const keys = new Map<string, Promise<CryptoKey>>();
const KEYS_MAX = 1000;
function keyFor(hash: HmacHash, key: string | Uint8Array): Promise<CryptoKey> {
  const importKey = () => crypto.subtle.importKey('raw', bytesOf(key), { name: 'HMAC', hash }, false, ['sign']);
  if (typeof key !== 'string') return importKey();
  const id = `${hash}:${key}`;
  let k = keys.get(id);
  if (!k) {
    if (keys.size >= KEYS_MAX) keys.delete(keys.keys().next().value!);
    keys.set(id, k = importKey());
    k.catch(() => keys.delete(id));
  }
  return k;
}

async function webCryptoHmac(hash: HmacHash, key: string | Uint8Array, data: string | Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', await keyFor(hash, key), bytesOf(data)));
}

export type HmacImpl = (hash: HmacHash, key: string | Uint8Array, data: string | Uint8Array) => Uint8Array | Promise<Uint8Array>;
let impl: HmacImpl = webCryptoHmac;
/**
 * A runtime's own HMAC, set once at its entry point (Node: src/runtime/node-hmac.ts). Web
 * Crypto is the default everywhere; on Node each sign is a thread-pool job and a promise,
 * ~5% of a webhook's CPU, where node:crypto's is a synchronous call. Same bytes either way.
 */
export function useHmac(next: HmacImpl | null) { impl = next ?? webCryptoHmac; }

export async function hmac(hash: HmacHash, key: string | Uint8Array, data: string | Uint8Array): Promise<Uint8Array> {
  return impl(hash, key, data);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export const hex = (b: Uint8Array) => { let s = ''; for (const x of b) s += HEX[x]; return s; };

export function base64(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

/** Concatenates byte strings (e.g. `${timestamp}.` + raw body) without decoding the body. */
export function concatBytes(...parts: (string | Uint8Array)[]): Uint8Array {
  const arrays = parts.map(bytesOf);
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) { out.set(a, at); at += a.length; }
  return out;
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = enc.encode(a);
  const y = enc.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
