// Visitor tokens for the web chat widget: HMAC-signed (inbox, visitor) pairs, so a visitor
// can only ever address its own conversation and tokens need no storage.
import { base64url, fromBase64url, hmacSha256, timingSafeEqualStr } from './crypto.js';

export interface VisitorClaims { inboxId: string; visitorId: string }

export async function signVisitorToken(secret: string, c: VisitorClaims): Promise<string> {
  const body = base64url(new TextEncoder().encode(JSON.stringify({ i: c.inboxId, v: c.visitorId })));
  return `${body}.${base64url(await hmacSha256(secret, `visitor:${body}`))}`;
}

export async function verifyVisitorToken(secret: string, token: string): Promise<VisitorClaims | null> {
  const [body, sig] = token.split('.');
  if (!body || !sig) return null;
  if (!timingSafeEqualStr(sig, base64url(await hmacSha256(secret, `visitor:${body}`)))) return null;
  try {
    const v = JSON.parse(new TextDecoder().decode(fromBase64url(body)));
    if (typeof v.i === 'string' && typeof v.v === 'string') return { inboxId: v.i, visitorId: v.v };
  } catch { /* invalid */ }
  return null;
}
