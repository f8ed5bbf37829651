// The web app's login sessions: an HttpOnly, SameSite=Lax cookie whose SHA-256 is the row id
// in `sessions`, plus a per-session CSRF token the app sends back as X-Parley-CSRF on every
// state-changing request. Bearer-token requests never need it (no ambient credential).
import type { Actor } from '../domain/core/actor.js';
import type { Deps } from '../domain/deps.js';
import { AppError } from '../domain/core/errors.js';
import { randomToken, sha256Hex, timingSafeEqualStr } from '../domain/core/crypto.js';
import type { ActorResolver } from './actor-resolver.js';

export const SESSION_COOKIE = 'parley_session';
/** Over https the cookie is `__Host-` prefixed: the browser then only takes it Secure, for this
 *  exact host and path /, so a sibling (sub)domain or a plain-http page cannot plant one. */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;
export const CSRF_HEADER = 'x-parley-csrf';
export const SESSION_TTL_MS = 14 * 24 * 3_600_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Session { id: string; userId: string; csrfToken: string; expiresAt: number }

export function readCookie(req: Request, name: string): string | null {
  const header = req.headers.get('cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

/** Secure when Parley's public URL is https or the browser reached us over https (directly or through a proxy). */
function isHttps(req: Request, publicUrl = ''): boolean {
  return publicUrl.startsWith('https:') || new URL(req.url).protocol === 'https:' || req.headers.get('x-forwarded-proto') === 'https';
}

const cookieName = (req: Request, publicUrl?: string) => (isHttps(req, publicUrl) ? SECURE_SESSION_COOKIE : SESSION_COOKIE);

export function sessionCookie(req: Request, value: string, maxAgeSeconds: number, publicUrl?: string): string {
  const https = isHttps(req, publicUrl);
  return [`${cookieName(req, publicUrl)}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`, ...(https ? ['Secure'] : [])].join('; ');
}

export async function createSession(deps: Pick<Deps, 'store' | 'clock'>, userId: string, client: { userAgent?: string | null; clientAddress?: string | null } = {}): Promise<{ cookieValue: string; csrfToken: string; expiresAt: number }> {
  const cookieValue = randomToken(32);
  const csrfToken = randomToken(24);
  const now = deps.clock.now();
  const expiresAt = now + SESSION_TTL_MS;
  await deps.store.run('INSERT INTO sessions(id, user_id, csrf_token, expires_at, created_at, user_agent, client_address) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [await sha256Hex(cookieValue), userId, csrfToken, expiresAt, now, client.userAgent?.slice(0, 300) ?? null, client.clientAddress ?? null]);
  // Expired rows of anyone are dropped opportunistically; no job needed.
  await deps.store.run('DELETE FROM sessions WHERE expires_at < ?', [now]);
  return { cookieValue, csrfToken, expiresAt };
}

export async function sessionFromRequest(deps: Pick<Deps, 'store' | 'clock'> & Partial<Pick<Deps, 'publicUrl'>>, req: Request): Promise<(Session & { actor: Actor }) | null> {
  // Over https only the __Host- cookie counts (a plain one could have been planted).
  const value = readCookie(req, cookieName(req, deps.publicUrl));
  if (!value) return null;
  const row = await deps.store.get<{ id: string; user_id: string; csrf_token: string; expires_at: number; role: Actor['role']; name: string; email: string }>(
    `SELECT s.id, s.user_id, s.csrf_token, s.expires_at, u.role, u.name, u.email
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? AND u.disabled_at IS NULL`, [await sha256Hex(value)]);
  if (!row || row.expires_at <= deps.clock.now()) return null;
  return {
    id: row.id, userId: row.user_id, csrfToken: row.csrf_token, expiresAt: row.expires_at,
    actor: { id: row.user_id, role: row.role, name: row.name, email: row.email },
  };
}

export async function destroySession(deps: Pick<Deps, 'store'>, id: string): Promise<void> {
  await deps.store.run('DELETE FROM sessions WHERE id = ?', [id]);
}

/** Throws 403 unless a state-changing request carries the session's CSRF token. */
export function checkCsrf(req: Request, session: Session): void {
  if (SAFE_METHODS.has(req.method)) return;
  const sent = req.headers.get(CSRF_HEADER) ?? '';
  if (!sent || !timingSafeEqualStr(sent, session.csrfToken)) {
    throw new AppError(403, 'csrf_failed', `Cookie-authenticated requests that change something must send the ${CSRF_HEADER} header from the login response`);
  }
}

/** The session cookie as a way to authenticate /api/v1 (after Bearer tokens). */
export const sessionResolver: ActorResolver = async (deps, req) => {
  const s = await sessionFromRequest(deps, req);
  if (!s) return null;
  checkCsrf(req, s);
  return s.actor;
};
