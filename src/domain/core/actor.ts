// Who is asking, and which inboxes they may see. Admins and leads see every inbox; agents
// only those they are members of.
import type { Deps } from '../deps.js';
import { forbidden } from './errors.js';

export type Role = 'admin' | 'lead' | 'agent';
export interface Actor { id: string; role: Role; name: string; email: string }

export const canSeeAll = (a: Actor) => a.role === 'admin' || a.role === 'lead';
export const isManager = canSeeAll;

export function requireRole(a: Actor, ...roles: Role[]) {
  if (!roles.includes(a.role)) throw forbidden(`This needs the ${roles.join(' or ')} role`);
}

/** SQL condition (and params) limiting `alias.inbox_id` to what the actor may see. */
export function inboxScope(a: Actor, column = 'c.inbox_id'): { sql: string; params: unknown[] } {
  if (canSeeAll(a)) return { sql: '1', params: [] };
  return { sql: `${column} IN (SELECT inbox_id FROM inbox_members WHERE user_id = ?)`, params: [a.id] };
}

export async function canSeeInbox(deps: Deps, a: Actor, inboxId: string): Promise<boolean> {
  if (canSeeAll(a)) return true;
  return Boolean(await deps.store.get('SELECT 1 AS ok FROM inbox_members WHERE inbox_id = ? AND user_id = ?', [inboxId, a.id]));
}
