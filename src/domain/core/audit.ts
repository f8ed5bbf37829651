// The audit log: every admin act (users, roles, tokens, sessions, inbox configs, merges,
// reply-target changes) is one row, written in the same atomic unit as the act where the act
// is one unit. Admins read it newest first, filtered by actor, action and time.
import type { Actor } from './actor.js';
import type { Deps } from '../deps.js';
import { AppError } from './errors.js';
import { raw, type Stmt } from './store.js';
import type { AuditEntryRow } from './rows.js';
import { jsonObject } from './json-text.js';

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}
/** Who did it: a user, or null for the server's own CLI. */
export interface AuditBy { actor: Pick<Actor, 'id'> | null; clientAddress?: string | null }

export function auditStmt(deps: Pick<Deps, 'clock'>, by: AuditBy, e: AuditEntry): Stmt {
  return raw(`INSERT INTO audit_log(actor_id, action, target_type, target_id, details, client_address, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    by.actor?.id ?? null, e.action, e.targetType ?? null, e.targetId ?? null, e.details ? JSON.stringify(e.details) : null, by.clientAddress ?? null, deps.clock.now());
}

export async function recordAudit(deps: Pick<Deps, 'store' | 'clock'>, by: AuditBy, e: AuditEntry): Promise<void> {
  await deps.store.atomically([auditStmt(deps, by, e)]);
}

export interface AuditFilter { actorId?: string; action?: string; since?: number; until?: number }

const view = (r: AuditEntryRow) => ({
  id: String(r.id),
  actor: r.actor_id ? { id: r.actor_id, name: r.actor_name, email: r.actor_email } : null,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  details: r.details == null ? null : jsonObject(r.details),
  clientAddress: r.client_address,
  createdAt: new Date(r.created_at).toISOString(),
});

/** Newest first; the cursor is the last row's id (ids only grow). `action` ending in `.*` matches a prefix. */
export async function listAudit(deps: Pick<Deps, 'store'>, f: AuditFilter, limit: number, cursor?: string) {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.actorId) { where.push('a.actor_id = ?'); params.push(f.actorId); }
  if (f.action) {
    if (f.action.endsWith('.*')) { where.push("a.action LIKE ? ESCAPE '\\'"); params.push(f.action.slice(0, -1).replace(/[\\%_]/g, (m) => `\\${m}`) + '%'); }
    else { where.push('a.action = ?'); params.push(f.action); }
  }
  if (f.since != null) { where.push('a.created_at >= ?'); params.push(f.since); }
  if (f.until != null) { where.push('a.created_at < ?'); params.push(f.until); }
  if (cursor) {
    if (!/^\d{1,15}$/.test(cursor)) throw new AppError(400, 'invalid_cursor', 'The cursor is not one this API gave out');
    where.push('a.id < ?'); params.push(Number(cursor));
  }
  const rows = await deps.store.all<AuditEntryRow>(
    `SELECT a.*, u.name AS actor_name, u.email AS actor_email FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.id DESC LIMIT ?`, [...params, limit + 1]);
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  return { data: page.map(view), nextCursor: more ? String(page[page.length - 1]!.id) : null };
}
