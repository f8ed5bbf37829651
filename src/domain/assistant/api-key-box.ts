// SEAM for encryption at rest of the model API key. Branch sec-input adds encryption of
// channel secrets; when it lands, `sealApiKey`/`openApiKey` should delegate to its box and
// this file's AES-GCM code be deleted. Until then: AES-256-GCM (WebCrypto, Node and Workers)
// with a key derived by HKDF from the server secret, stored as "v1:<iv>:<ciphertext>" base64url.
import type { Deps } from '../deps.js';

const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
const unb64 = (s: string) => Uint8Array.from(atob(s.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));

const keys = new Map<string, Promise<CryptoKey>>();
function keyFor(secret: string): Promise<CryptoKey> {
  let k = keys.get(secret);
  if (!k) {
    k = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveKey']).then((base) =>
      crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new TextEncoder().encode('parley'), info: new TextEncoder().encode('assistant-api-key') },
        base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']));
    keys.set(secret, k);
  }
  return k;
}

export async function sealApiKey(deps: Pick<Deps, 'secret'>, plain: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await keyFor(deps.secret), new TextEncoder().encode(plain)));
  return `v1:${b64(iv)}:${b64(ct)}`;
}

export async function openApiKey(deps: Pick<Deps, 'secret'>, sealed: string): Promise<string> {
  const [v, iv, ct] = sealed.split(':');
  if (v !== 'v1' || !iv || !ct) throw new Error('Unreadable sealed API key');
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(iv) }, await keyFor(deps.secret), unb64(ct));
  return new TextDecoder().decode(plain);
}
