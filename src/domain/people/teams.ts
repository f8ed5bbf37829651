// Teams: named groups of agents (billing, tier 2, ...). Conversations can be assigned to a
// team; automatic assignment then only picks that team's members. Leads and admins manage.
import { requireRole, type Actor } from '../core/actor.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { raw } from '../core/store.js';
import type { TeamRow } from '../core/rows.js';

export interface TeamView { id: string; name: string; memberIds: string[]; createdAt: string }

const TEAM_COLUMNS = `t.*, (SELECT group_concat(user_id, ',') FROM (SELECT user_id FROM team_members WHERE team_id = t.id ORDER BY user_id)) AS member_ids`;

/** A teams row read with TEAM_COLUMNS (its members' ids as a comma list). */
export type TeamViewRow = TeamRow & { member_ids: string | null };
export function teamView(r: TeamViewRow): TeamView {
  return {
    id: r.id,
    name: r.name,
    memberIds: r.member_ids ? String(r.member_ids).split(',') : [],
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export async function listTeams(deps: Deps): Promise<TeamView[]> {
  const rows = await deps.store.all<TeamViewRow>(`SELECT ${TEAM_COLUMNS} FROM teams t ORDER BY t.name, t.id`);
  return rows.map(teamView);
}

export async function getTeam(deps: Deps, id: string): Promise<TeamView> {
  const row = await deps.store.get<TeamViewRow>(`SELECT ${TEAM_COLUMNS} FROM teams t WHERE t.id = ?`, [id]);
  if (!row) throw notFound('Team');
  return teamView(row);
}

async function assertNameFree(deps: Deps, name: string, exceptId?: string) {
  const clash = await deps.store.get('SELECT id FROM teams WHERE lower(name) = lower(?) AND id IS NOT ?', [name, exceptId ?? null]);
  if (clash) throw new AppError(409, 'team_name_taken', `A team named ${name} already exists`);
}

export async function createTeam(deps: Deps, actor: Actor, input: { name: string; userIds?: string[] }): Promise<TeamView> {
  requireRole(actor, 'admin', 'lead');
  const name = input.name.trim();
  await assertNameFree(deps, name);
  const users = await checkUsers(deps, input.userIds ?? []);
  const id = newId();
  await deps.store.atomically([
    raw('INSERT INTO teams(id, name, created_at) VALUES (?, ?, ?)', id, name, deps.clock.now()),
    ...users.map((u) => raw('INSERT INTO team_members(team_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING', id, u)),
  ]);
  return getTeam(deps, id);
}

export async function renameTeam(deps: Deps, actor: Actor, id: string, name: string): Promise<TeamView> {
  requireRole(actor, 'admin', 'lead');
  await getTeam(deps, id);
  await assertNameFree(deps, name.trim(), id);
  await deps.store.run('UPDATE teams SET name = ? WHERE id = ?', [name.trim(), id]);
  return getTeam(deps, id);
}

/** Deleting a team keeps its conversations; they just lose the team (ON DELETE SET NULL). */
export async function deleteTeam(deps: Deps, actor: Actor, id: string): Promise<void> {
  requireRole(actor, 'admin', 'lead');
  const { changes } = await deps.store.run('DELETE FROM teams WHERE id = ?', [id]);
  if (changes === 0) throw notFound('Team');
}

async function checkUsers(deps: Deps, userIds: string[]): Promise<string[]> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return unique;
  const found = await deps.store.all<{ id: string }>('SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?))', [JSON.stringify(unique)]);
  const missing = unique.filter((u) => !found.some((f) => f.id === u));
  if (missing.length) throw new AppError(422, 'unknown_user', `No user with id ${missing.join(', ')}`, { field: 'userIds' });
  return unique;
}

export async function addTeamMembers(deps: Deps, actor: Actor, id: string, userIds: string[]): Promise<TeamView> {
  requireRole(actor, 'admin', 'lead');
  await getTeam(deps, id);
  const users = await checkUsers(deps, userIds);
  await deps.store.atomically(users.map((u) => raw('INSERT INTO team_members(team_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING', id, u)));
  return getTeam(deps, id);
}

export async function removeTeamMember(deps: Deps, actor: Actor, id: string, userId: string): Promise<TeamView> {
  requireRole(actor, 'admin', 'lead');
  await getTeam(deps, id);
  await deps.store.run('DELETE FROM team_members WHERE team_id = ? AND user_id = ?', [id, userId]);
  return getTeam(deps, id);
}
