// Web Crypto helpers (work on Node and Workers alike). The HMAC and comparison primitives are
// the connectors' own (connectors/signing.ts), so one implementation serves both sides.
import { constantTimeEqual, hex, hmac } from '../../../connectors/signing.js';

const enc = new TextEncoder();

export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

export function fromBase64url(s: string): Uint8Array {
  const pad = s.length % 4 ? '='.repeat(4 - (s.length % 4)) : '';
  const bin = atob(s.replaceAll('-', '+').replaceAll('_', '/') + pad);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function sha256Hex(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(text)));
  return hex(d);
}

export async function hmacSha256(key: string | Uint8Array, data: string | Uint8Array): Promise<Uint8Array> {
  return hmac('SHA-256', key, data);
}

export const toHex = hex;

/** Constant-time comparison so signature checks leak nothing through timing. */
export const timingSafeEqualStr = constantTimeEqual;
