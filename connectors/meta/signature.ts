// Meta webhooks (Messenger, Instagram, WhatsApp Cloud API) share two checks:
// - the subscription handshake: GET ?hub.mode=subscribe&hub.verify_token=V&hub.challenge=C
//   answers 200 with body C when V is ours, else 403;
// - every POST carries X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>.
//   Meta signs the bytes it sends, which escape non-ASCII as \uXXXX (and / as \/), so the
//   check runs over the raw bytes, never over re-serialized JSON.
// Web Crypto only, so this runs on Node and Workers alike.
import { constantTimeEqual, hex, hmac } from '../signing.js';

export { constantTimeEqual };

export async function hmacSha256Hex(secret: string, data: Uint8Array | string): Promise<string> {
  return hex(await hmac('SHA-256', secret, data));
}

/** The X-Hub-Signature-256 header value for a body. */
export async function hubSignature(appSecret: string, raw: Uint8Array | string): Promise<string> {
  return `sha256=${await hmacSha256Hex(appSecret, raw)}`;
}

export async function verifyHubSignature(req: Request, raw: Uint8Array, appSecret: string): Promise<boolean> {
  const header = req.headers.get('x-hub-signature-256');
  if (!header || !header.startsWith('sha256=')) return false;
  const expected = await hubSignature(appSecret, raw);
  return constantTimeEqual(header.trim().toLowerCase(), expected);
}

/** Meta sends a numeric challenge; allow token characters, never markup, bounded. */
const HUB_CHALLENGE = /^[A-Za-z0-9_.~-]{1,128}$/;

/** Answers Meta's subscription check; null when the request is not one. */
export async function hubHandshake(req: Request, verifyToken: string): Promise<Response | null> {
  if (req.method !== 'GET') return null;
  const q = new URL(req.url).searchParams;
  const mode = q.get('hub.mode');
  if (mode === null) return null;
  const token = q.get('hub.verify_token') ?? '';
  const challenge = q.get('hub.challenge') ?? '';
  if (mode === 'subscribe' && constantTimeEqual(token, verifyToken)) {
    // The challenge is echoed verbatim: only a short token-shaped one, never markup or a page.
    if (!HUB_CHALLENGE.test(challenge)) {
      return new Response(JSON.stringify({ error: { code: 'invalid_challenge', message: 'hub.challenge must be a short token' } }),
        { status: 400, headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' } });
    }
    return new Response(challenge, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } });
  }
  return new Response(JSON.stringify({ error: { code: 'verify_token_mismatch', message: 'The verify token does not match this inbox' } }),
    { status: 403, headers: { 'content-type': 'application/json' } });
}

/**
 * JSON the way Meta puts it on the wire: non-ASCII as lowercase \uXXXX escapes, and / < % @
 * escaped too. Used by the fakes so tests prove the signature is checked over raw bytes.
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replaceAll('/', '\\/')
    .replaceAll('<', '\\u003C')
    .replaceAll('%', '\\u0025')
    .replaceAll('@', '\\u0040');
}
