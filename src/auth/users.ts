// Users and their API tokens. Tokens are shown once and stored only as a SHA-256 hash.
import type { Actor, Role } from '../domain/core/actor.js';
import type { Deps } from '../domain/deps.js';
import { AppError } from '../domain/core/errors.js';
import { newId } from '../domain/core/ids.js';
import { raw, type Stmt } from '../domain/core/store.js';
import { randomToken, sha256Hex } from '../domain/core/crypto.js';
import { hashPassword } from './passwords.js';

export const TOKEN_PREFIX = 'prl_';

export interface NewUser { email: string; name: string; role: Role; password?: string; locale?: string }

export async function createUser(deps: Pick<Deps, 'store' | 'clock'>, u: NewUser) {
  const email = u.email.trim().toLowerCase();
  if (await deps.store.get('SELECT 1 AS ok FROM users WHERE email = ?', [email])) {
    throw new AppError(409, 'email_taken', `A user with email ${email} already exists`);
  }
  const id = newId();
  const passwordHash = u.password ? await hashPassword(u.password) : null;
  await deps.store.run('INSERT INTO users(id, email, name, role, password_hash, locale, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [id, email, u.name, u.role, passwordHash, u.locale ?? 'en', deps.clock.now()]);
  return { id, email, name: u.name, role: u.role };
}

export async function createApiToken(deps: Pick<Deps, 'store' | 'clock'>, userId: string, name = 'default', opts: { expiresAt?: number | null; extra?: Stmt[] } = {}): Promise<string> {
  return (await issueApiToken(deps, userId, name, opts)).token;
}

/** A new token (shown once) and its row id; `extra` statements (an audit row) join its unit. */
export async function issueApiToken(deps: Pick<Deps, 'store' | 'clock'>, userId: string, name = 'default', opts: { expiresAt?: number | null; extra?: Stmt[] } = {}) {
  forgetCachedActors(deps);
  const token = TOKEN_PREFIX + randomToken(32);
  const id = newId();
  await deps.store.atomically([raw('INSERT INTO api_tokens(id, user_id, token_hash, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    id, userId, await sha256Hex(token), name, deps.clock.now(), opts.expiresAt ?? null), ...(opts.extra ?? [])]);
  return { id, token };
}

/**
 * Token -> actor, remembered per store for ACTOR_TTL_MS so a busy client is not hashed and
 * looked up on every request (docs/performance.md). Only tokens that resolved are kept (an
 * unknown token is hashed and looked up every time), at most ACTOR_CACHE_MAX of them. A token
 * created, revoked or a user changed in this process must call forgetCachedActors(deps); a
 * change made by another process (or straight in the database) shows within ACTOR_TTL_MS.
 */
export const ACTOR_TTL_MS = 5_000;
export const ACTOR_CACHE_MAX = 1_000;
const actorCache = new WeakMap<object, Map<string, { actor: Actor; until: number; expiresAt: number | null }>>();

/** Drops every cached token -> actor of this store (call after creating/revoking tokens or changing a user). */
export function forgetCachedActors(deps: Pick<Deps, 'store'>) {
  actorCache.delete(deps.store);
}

export async function actorForToken(deps: Pick<Deps, 'store'> & { clock?: Deps['clock'] }, token: string): Promise<Actor | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  let cache = actorCache.get(deps.store);
  const now = performance.now();
  const wall = deps.clock?.now() ?? Date.now();
  const hit = cache?.get(token);
  if (hit && hit.until > now && (hit.expiresAt == null || hit.expiresAt > wall)) return { ...hit.actor };
  // A disabled user's or an expired token never resolves (revoked tokens are deleted).
  const row = await deps.store.get<Actor & { token_id: string; expires_at: number | null; last_used_at: number | null }>(
    `SELECT u.id, u.role, u.name, u.email, t.id AS token_id, t.expires_at, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = ? AND u.disabled_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)`, [await sha256Hex(token), wall]);
  if (!row) { cache?.delete(token); return null; }
  // Last use, to the minute: at most one write per token per minute (and per cache miss).
  if (row.last_used_at == null || wall - row.last_used_at > 60_000) {
    await deps.store.run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', [wall, row.token_id]);
  }
  const actor: Actor = { id: row.id, role: row.role, name: row.name, email: row.email };
  if (!cache) actorCache.set(deps.store, (cache = new Map()));
  if (hit) cache.delete(token);
  else if (cache.size >= ACTOR_CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(token, { actor: { ...actor }, until: now + ACTOR_TTL_MS, expiresAt: row.expires_at });
  return actor;
}

export function userView(r: Record<string, unknown>) {
  return { id: r.id as string, email: r.email as string, name: r.name as string, role: r.role as Role, availability: r.availability as string, locale: r.locale as string,
    disabledAt: r.disabled_at == null ? null : new Date(r.disabled_at as number).toISOString() };
}

/** What an agent sees of a teammate: who, not the directory (no email, no role). */
export function teammateView(r: Record<string, unknown>) {
  return { id: r.id as string, name: r.name as string, availability: r.availability as string };
}
