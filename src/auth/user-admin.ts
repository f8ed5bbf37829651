// Ending access: changing a role, disabling a user (every token and session stops at once,
// open assignments are released), passwords, revoking tokens and ending sessions. Each act is
// written with its audit row in one atomic unit.
import { requireRole, type Actor, type Role } from '../domain/core/actor.js';
import { auditStmt, type AuditBy } from '../domain/core/audit.js';
import { conversationChanged } from '../domain/conversations/conversations.js';
import type { Deps } from '../domain/deps.js';
import { AppError, forbidden, notFound } from '../domain/core/errors.js';
import { raw, type Row } from '../domain/core/store.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { forgetCachedActors } from './users.js';

async function userRow(deps: Deps, id: string): Promise<Row> {
  const row = await deps.store.get('SELECT * FROM users WHERE id = ?', [id]);
  if (!row) throw notFound('User');
  return row;
}

/** Refuses a change that would leave no enabled admin (nobody could undo it from the app). */
async function keepOneAdmin(deps: Deps, userId: string) {
  const others = await deps.store.get<{ n: number }>("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> ?", [userId]);
  if (!others?.n) throw new AppError(409, 'last_admin', 'This is the only enabled admin; make someone else admin first');
}

export async function updateUser(deps: Deps, actor: Actor, by: AuditBy, id: string, patch: { role?: Role; name?: string; password?: string }) {
  requireRole(actor, 'admin');
  const before = await userRow(deps, id);
  const stmts = [];
  if (patch.role && patch.role !== before.role) {
    if (before.role === 'admin') await keepOneAdmin(deps, id);
    stmts.push(raw('UPDATE users SET role = ? WHERE id = ?', patch.role, id),
      auditStmt(deps, by, { action: 'user.role_changed', targetType: 'user', targetId: id, details: { from: before.role, to: patch.role } }));
  }
  if (patch.name && patch.name !== before.name) {
    stmts.push(raw('UPDATE users SET name = ? WHERE id = ?', patch.name, id),
      auditStmt(deps, by, { action: 'user.renamed', targetType: 'user', targetId: id, details: { from: before.name, to: patch.name } }));
  }
  if (patch.password) {
    // An admin setting someone's password ends all of that user's sessions.
    stmts.push(raw('UPDATE users SET password_hash = ? WHERE id = ?', await hashPassword(patch.password), id),
      raw('DELETE FROM sessions WHERE user_id = ?', id),
      auditStmt(deps, by, { action: 'user.password_set', targetType: 'user', targetId: id }));
  }
  if (stmts.length) await deps.store.atomically(stmts);
  forgetCachedActors(deps);
  return userRow(deps, id);
}

/**
 * Disables a user: the flag, every session and API token deleted, availability offline, and
 * every conversation assigned to them that is not resolved back to the queue, in one unit.
 */
export async function disableUser(deps: Deps, actor: Actor, by: AuditBy, id: string) {
  requireRole(actor, 'admin');
  if (id === actor.id) throw new AppError(409, 'cannot_disable_self', 'You cannot disable yourself');
  const before = await userRow(deps, id);
  if (before.disabled_at) return { user: before, released: [] as string[] };
  if (before.role === 'admin') await keepOneAdmin(deps, id);
  const now = deps.clock.now();
  const open = await deps.store.get<{ n: number }>("SELECT count(*) AS n FROM conversations WHERE assignee_id = ? AND status <> 'resolved'", [id]);
  const results = await deps.store.atomically([
    raw('UPDATE users SET disabled_at = ?, availability = \'offline\' WHERE id = ?', now, id),
    raw('DELETE FROM sessions WHERE user_id = ?', id),
    raw('DELETE FROM api_tokens WHERE user_id = ?', id),
    raw("UPDATE conversations SET assignee_id = NULL WHERE assignee_id = ? AND status <> 'resolved' RETURNING id", id),
    auditStmt(deps, by, { action: 'user.disabled', targetType: 'user', targetId: id, details: { releasedConversations: open?.n ?? 0 } }),
  ]);
  forgetCachedActors(deps);
  const released = results[3]!.map((r) => r.id as string);
  for (const cid of released) await conversationChanged(deps, cid, { assigneeId: null, reason: 'assignee_disabled', by: actor.id });
  return { user: await userRow(deps, id), released };
}

export async function enableUser(deps: Deps, actor: Actor, by: AuditBy, id: string) {
  requireRole(actor, 'admin');
  await userRow(deps, id);
  await deps.store.atomically([
    raw('UPDATE users SET disabled_at = NULL WHERE id = ?', id),
    auditStmt(deps, by, { action: 'user.enabled', targetType: 'user', targetId: id }),
  ]);
  return userRow(deps, id);
}

/** The caller changes his own password; every other session of his ends (this one stays). */
export async function changeOwnPassword(deps: Deps, actor: Actor, by: AuditBy, current: string, next: string, keepSessionId: string | null) {
  const row = await userRow(deps, actor.id);
  if (!(await verifyPassword(current, row.password_hash as string | null))) throw new AppError(403, 'wrong_password', 'The current password is wrong');
  const [, ended] = await deps.store.atomically([
    raw('UPDATE users SET password_hash = ? WHERE id = ?', await hashPassword(next), actor.id),
    raw('DELETE FROM sessions WHERE user_id = ? AND id IS NOT ? RETURNING id', actor.id, keepSessionId),
    auditStmt(deps, by, { action: 'user.password_changed', targetType: 'user', targetId: actor.id }),
  ]);
  return { endedSessions: ended!.length };
}

const canManage = (actor: Actor, userId: string) => actor.id === userId || actor.role === 'admin';

export async function listTokens(deps: Deps, actor: Actor, userId: string) {
  if (!canManage(actor, userId)) throw forbidden('Only admins see other users\' tokens');
  await userRow(deps, userId);
  const rows = await deps.store.all('SELECT id, name, created_at, last_used_at, expires_at FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC', [userId]);
  const iso = (v: unknown) => (v == null ? null : new Date(v as number).toISOString());
  const now = deps.clock.now();
  return rows.map((r) => ({ id: r.id as string, name: r.name as string, createdAt: iso(r.created_at)!, lastUsedAt: iso(r.last_used_at), expiresAt: iso(r.expires_at),
    expired: r.expires_at != null && (r.expires_at as number) <= now }));
}

export async function revokeToken(deps: Deps, actor: Actor, by: AuditBy, userId: string, tokenId: string) {
  if (!canManage(actor, userId)) throw forbidden('Only admins revoke other users\' tokens');
  const token = await deps.store.get<{ name: string }>('SELECT name FROM api_tokens WHERE id = ? AND user_id = ?', [tokenId, userId]);
  if (!token) throw notFound('Token');
  await deps.store.atomically([raw('DELETE FROM api_tokens WHERE id = ? AND user_id = ?', tokenId, userId),
    auditStmt(deps, by, { action: 'token.revoked', targetType: 'user', targetId: userId, details: { tokenId, name: token.name } })]);
  forgetCachedActors(deps);
}

export async function listSessions(deps: Deps, actor: Actor, userId: string, currentId: string | null) {
  if (!canManage(actor, userId)) throw forbidden('Only admins see other users\' sessions');
  await userRow(deps, userId);
  const rows = await deps.store.all('SELECT id, created_at, expires_at, user_agent, client_address FROM sessions WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC, id DESC',
    [userId, deps.clock.now()]);
  return rows.map((r) => ({ id: r.id as string, createdAt: new Date(r.created_at as number).toISOString(), expiresAt: new Date(r.expires_at as number).toISOString(),
    userAgent: (r.user_agent as string | null) ?? null, clientAddress: (r.client_address as string | null) ?? null, current: r.id === currentId }));
}

/** Ends one session (`sessionId`) or every one but `keepId` (sessionId null). */
export async function endSessions(deps: Deps, actor: Actor, by: AuditBy, userId: string, sessionId: string | null, keepId: string | null) {
  if (!canManage(actor, userId)) throw forbidden('Only admins end other users\' sessions');
  await userRow(deps, userId);
  const del = sessionId
    ? raw('DELETE FROM sessions WHERE user_id = ? AND id = ? RETURNING id', userId, sessionId)
    : raw('DELETE FROM sessions WHERE user_id = ? AND id IS NOT ? RETURNING id', userId, keepId);
  const [ended] = await deps.store.atomically([del]);
  if (sessionId && !ended!.length) throw notFound('Session');
  if (ended!.length) await deps.store.atomically([auditStmt(deps, by, { action: sessionId ? 'session.ended' : 'session.ended_all', targetType: 'user', targetId: userId, details: { count: ended!.length } })]);
  return { ended: ended!.length };
}
