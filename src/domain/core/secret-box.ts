// Secrets at rest (channel credentials, outgoing-webhook secrets, the server secret) are sealed
// with AES-256-GCM: `enc:v1:<key id>:<base64url(iv | ciphertext | tag)>`. The key id names
// which key of the ring sealed a value, so a rotation can re-seal row by row and a store
// holding values of two keys (a rotation cut short) still opens. Web Crypto: Node and Workers.
import { base64url, fromBase64url, sha256Hex } from './crypto.js';

const PREFIX = 'enc:v1:';
const enc = new TextEncoder();
const dec = new TextDecoder();

export interface SecretBox {
  /** Seals with the current key. */
  seal(plain: string): Promise<string>;
  /** Opens a sealed value; a value that was never sealed (a row from before) comes back as is. */
  open(value: string): Promise<string>;
  /** True when the value is sealed with the current key (nothing to migrate). */
  isCurrent(value: string): boolean;
  readonly currentKeyId: string;
}

export const isSealed = (v: unknown): v is string => typeof v === 'string' && v.startsWith(PREFIX);

/** 32 raw bytes from 64 hex characters or base64/base64url. */
export function parseKey(text: string): Uint8Array {
  const t = text.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(t) ? Uint8Array.from(t.match(/../g)!, (h) => parseInt(h, 16)) : fromBase64url(t.replace(/=+$/, ''));
  if (bytes.length !== 32) throw new Error('a secret key is 32 bytes: 64 hex characters or 43-44 base64 characters');
  return bytes;
}

export const newKeyText = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

async function keyId(raw: Uint8Array): Promise<string> {
  return (await sha256Hex(`parley-secret-key:${base64url(raw)}`)).slice(0, 12);
}

/** The ring: the first key seals, every key opens what it sealed. */
export async function createSecretBox(keys: Uint8Array[]): Promise<SecretBox> {
  if (!keys.length) throw new Error('no secret key');
  const ring = new Map<string, CryptoKey>();
  let current = '';
  for (const raw of keys) {
    const id = await keyId(raw);
    if (!current) current = id;
    ring.set(id, await crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, 'AES-GCM', false, ['encrypt', 'decrypt']));
  }
  const sealKey = ring.get(current)!;
  return {
    currentKeyId: current,
    async seal(plain) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: enc.encode(current) }, sealKey, enc.encode(plain)));
      const out = new Uint8Array(iv.length + ct.length);
      out.set(iv); out.set(ct, iv.length);
      return `${PREFIX}${current}:${base64url(out)}`;
    },
    async open(value) {
      if (!isSealed(value)) return value;
      const [id, data] = value.slice(PREFIX.length).split(':');
      const key = ring.get(id);
      if (!key) throw new Error(`a stored secret is sealed with key ${id}, which is not configured (PARLEY_SECRET_KEY or the key file)`);
      const bytes = fromBase64url(data ?? '');
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12) as Uint8Array<ArrayBuffer>, additionalData: enc.encode(id) }, key, bytes.subarray(12) as Uint8Array<ArrayBuffer>);
      return dec.decode(plain);
    },
    isCurrent: (value) => value.startsWith(`${PREFIX}${current}:`),
  };
}

type Json = Record<string, unknown>;

function mapPaths(config: Json, paths: string[], fn: (v: string) => Promise<string>): Promise<Json> {
  const copy = structuredClone(config);
  const jobs: Promise<void>[] = [];
  for (const p of paths) {
    const keys = p.split('.');
    let o: Json | undefined = copy;
    for (const k of keys.slice(0, -1)) o = o?.[k] as Json | undefined;
    const last = keys[keys.length - 1];
    const v = o?.[last];
    if (o && typeof v === 'string') { const target = o; jobs.push(fn(v).then((r) => { target[last] = r; })); }
  }
  return Promise.all(jobs).then(() => copy);
}

/** The config with each secret field sealed (already sealed values are left as they are). */
export const sealFields = (box: SecretBox, config: Json, paths: string[]) => mapPaths(config, paths, (v) => (isSealed(v) ? Promise.resolve(v) : box.seal(v)));
/** The config with each secret field opened. */
export const openFields = (box: SecretBox, config: Json, paths: string[]) => mapPaths(config, paths, (v) => box.open(v));
/** The config with each secret re-sealed with the current key (rotation, migration). */
export const resealFields = (box: SecretBox, config: Json, paths: string[]) => mapPaths(config, paths, async (v) => (box.isCurrent(v) ? v : box.seal(await box.open(v))));
