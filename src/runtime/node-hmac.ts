// Node's native HMAC for webhook signatures (connectors/signing.ts uses Web Crypto unless a
// runtime sets its own): a synchronous call instead of a thread-pool job per signature.
import { createHmac } from 'node:crypto';
import { useHmac, type HmacHash } from '../../connectors/signing.js';

const algorithm: Record<HmacHash, string> = { 'SHA-256': 'sha256', 'SHA-1': 'sha1' };

export function nodeHmac(hash: HmacHash, key: string | Uint8Array, data: string | Uint8Array): Uint8Array {
  const d = createHmac(algorithm[hash], key).update(data).digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

export function installNodeHmac() { useHmac(nodeHmac); }
