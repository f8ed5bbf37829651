// Visitor tokens for the web chat widget: HMAC-signed claims (inbox, visitor, expiry, and the
// name/email the visitor typed, so a session needs no storage and no contact exists until the
// visitor writes). A visitor can only ever address its own conversation. Tokens expire after
// VISITOR_TOKEN_TTL_MS; POST /sessions/refresh trades a token that is valid, or expired for
// less than VISITOR_REFRESH_GRACE_MS, for a fresh one.
import { base64url, fromBase64url, hmacSha256, timingSafeEqualStr } from '../domain/core/crypto.js';

export const VISITOR_TOKEN_TTL_MS = 24 * 3_600_000;
export const VISITOR_REFRESH_GRACE_MS = 7 * 24 * 3_600_000;

export interface VisitorClaims { inboxId: string; visitorId: string; expiresAt: number; name?: string; email?: string }

export async function signVisitorToken(secret: string, c: VisitorClaims): Promise<string> {
  const body = base64url(new TextEncoder().encode(JSON.stringify({ i: c.inboxId, v: c.visitorId, e: c.expiresAt, ...(c.name ? { n: c.name } : {}), ...(c.email ? { m: c.email } : {}) })));
  return `${body}.${base64url(await hmacSha256(secret, `visitor:${body}`))}`;
}

/** The claims of a genuine token, expired or not (callers check expiresAt); null if forged or malformed. */
export async function verifyVisitorToken(secret: string, token: string): Promise<VisitorClaims | null> {
  if (token.length > 2000) return null;
  const [body, sig] = token.split('.');
  if (!body || !sig) return null;
  if (!timingSafeEqualStr(sig, base64url(await hmacSha256(secret, `visitor:${body}`)))) return null;
  try {
    const v = JSON.parse(new TextDecoder().decode(fromBase64url(body)));
    if (typeof v.i === 'string' && typeof v.v === 'string') {
      // Tokens from before expiry existed carry no `e`: treated as long expired.
      return { inboxId: v.i, visitorId: v.v, expiresAt: typeof v.e === 'number' ? v.e : 0,
        ...(typeof v.n === 'string' ? { name: v.n } : {}), ...(typeof v.m === 'string' ? { email: v.m } : {}) };
    }
  } catch { /* invalid */ }
  return null;
}
