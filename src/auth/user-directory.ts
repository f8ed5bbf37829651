// Reading users for the routes that show them: by id or email, the directory an actor may
// see, and a user's own profile edits.
import { canSeeAll, type Actor } from '../domain/core/actor.js';
import type { Deps } from '../domain/deps.js';
import type { Row } from '../domain/core/store.js';
import { forgetCachedActors } from './users.js';

export const userById = (deps: Pick<Deps, 'store'>, id: string): Promise<Row | undefined> =>
  deps.store.get('SELECT * FROM users WHERE id = ?', [id]);

export const userByEmail = (deps: Pick<Deps, 'store'>, email: string): Promise<Row | undefined> =>
  deps.store.get('SELECT * FROM users WHERE email = ?', [email]);

/**
 * Admins and leads: every user (full rows). Agents: the teammates they share an inbox or team
 * with, and the admins and leads (id, name, availability only).
 */
export async function userDirectory(deps: Pick<Deps, 'store'>, actor: Actor): Promise<{ full: boolean; rows: Row[] }> {
  if (canSeeAll(actor)) return { full: true, rows: await deps.store.all('SELECT * FROM users ORDER BY created_at, id') };
  const rows = await deps.store.all(
    `SELECT id, name, availability FROM users WHERE disabled_at IS NULL AND (id = ?1 OR role IN ('admin', 'lead')
       OR id IN (SELECT m.user_id FROM inbox_members m JOIN inbox_members mine ON mine.inbox_id = m.inbox_id AND mine.user_id = ?1)
       OR id IN (SELECT m.user_id FROM team_members m JOIN team_members mine ON mine.team_id = m.team_id AND mine.user_id = ?1))
     ORDER BY created_at, id`, [actor.id]);
  return { full: false, rows };
}

/** The caller's own name and UI language; returns the updated row. */
export async function updateOwnProfile(deps: Pick<Deps, 'store'>, actor: Actor, patch: { name?: string; locale?: string }): Promise<Row | undefined> {
  await deps.store.run('UPDATE users SET name = coalesce(?, name), locale = coalesce(?, locale) WHERE id = ?', [patch.name ?? null, patch.locale ?? null, actor.id]);
  forgetCachedActors(deps); // the cached actor carries the name
  return userById(deps, actor.id);
}
