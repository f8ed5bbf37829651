// Listing, reading and changing conversations: scoping, keyset pages, assignment, status, labels.
import { emitEvents } from '../events/emit.js';
import { canSeeAll, inboxScope, isManager, type Actor } from '../core/actor.js';
import type { Deps } from '../deps.js';
import { AppError, forbidden, notFound } from '../core/errors.js';
import { decodeCursor, encodeCursor, type Page } from '../core/paging.js';
import { raw } from '../core/store.js';
import { CONVERSATION_COLUMNS, CONVERSATION_JOINS, CONVERSATION_LIST_COLUMNS, conversationRowFromValues, conversationView, type ConversationView } from '../core/views.js';
import { slaListFilter } from '../workflow/sla.js';
import type { ConversationFullRow, ConversationViewRow } from '../core/views.js';

export const STATUSES = ['open', 'pending', 'snoozed', 'resolved'] as const;
export type Status = (typeof STATUSES)[number];

export interface ConversationFilter {
  status?: Status[];
  assignee?: string; // 'me' | 'none' | user id
  inboxId?: string;
  teamId?: string;
  label?: string;
  q?: string;
  contactId?: string;
  /** Extra conditions contributed by workflow modules (e.g. SLA breached). */
  /** Open SLA clocks in this state (workflow/sla.ts). */
  sla?: 'breached' | 'warning';
}

export async function listConversations(deps: Deps, actor: Actor, f: ConversationFilter, limit: number, cursor?: string): Promise<Page<ConversationView>> {
  const where: string[] = [];
  const params: unknown[] = [];
  const scope = inboxScope(actor);
  where.push(scope.sql); params.push(...scope.params);
  // One status: a condition. Several (or none, within one inbox): one index-ordered branch per
  // status below, so no page ever sorts every matching conversation (docs/performance.md).
  const branches: string[] | null = f.status && f.status.length > 1 ? [...new Set(f.status)]
    : !f.status?.length && f.inboxId ? [...STATUSES] : null;
  if (f.status?.length && !branches) { where.push('c.status = ?'); params.push(f.status[0]); }
  if (f.assignee === 'none') where.push('c.assignee_id IS NULL');
  else if (f.assignee) { where.push('c.assignee_id = ?'); params.push(f.assignee === 'me' ? actor.id : f.assignee); }
  if (f.inboxId) { where.push('c.inbox_id = ?'); params.push(f.inboxId); }
  if (f.teamId) { where.push('c.team_id = ?'); params.push(f.teamId); }
  if (f.contactId) { where.push('c.contact_id = ?'); params.push(f.contactId); }
  if (f.label) { where.push('EXISTS (SELECT 1 FROM conversation_labels cl WHERE cl.conversation_id = c.id AND cl.label = ?)'); params.push(f.label); }
  if (f.q) {
    const m = textMatch(f.q);
    where.push(`(c.id IN (SELECT m.conversation_id FROM messages m WHERE m.id IN (SELECT message_id FROM messages_fts WHERE ${m.sql}))
      OR c.contact_id IN (SELECT contact_id FROM contacts_fts WHERE ${textMatch(f.q, 'contacts_fts').sql}))`);
    params.push(...m.params, ...textMatch(f.q, 'contacts_fts').params);
  }
  const sla = slaListFilter(f.sla);
  if (sla) { where.push(sla.sql); params.push(...sla.params); }
  const after = decodeCursor(cursor);
  if (after) { where.push('(c.last_activity_at, c.id) < (?, ?)'); params.push(after[0], after[1]); }

  // Page the bare table through the activity indexes first (keys only: rowid and sort key),
  // then read and join the few rows shown.
  const page = (extra: string) => `SELECT c.rowid AS rid, c.last_activity_at, c.id FROM conversations c WHERE ${where.join(' AND ')}${extra} ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?`;
  const inner = branches
    ? `SELECT * FROM (${branches.map(() => `SELECT * FROM (${page(' AND c.status = ?')})`).join(' UNION ALL ')}) ORDER BY last_activity_at DESC, id DESC LIMIT ?`
    : page('');
  const sql = `SELECT ${CONVERSATION_LIST_COLUMNS} FROM (${inner}) p JOIN conversations c ON c.rowid = p.rid ${CONVERSATION_JOINS}
     ORDER BY c.last_activity_at DESC, c.id DESC`;
  const args = branches ? [...branches.flatMap((st) => [...params, st, limit + 1]), limit + 1] : [...params, limit + 1];
  const rows = deps.store.values ? (await deps.store.values(sql, args)).map(conversationRowFromValues) : await deps.store.all<ConversationViewRow>(sql, args);
  const more = rows.length > limit;
  const data = rows.slice(0, limit).map(conversationView);
  const last = rows[limit - 1];
  return { data, nextCursor: more && last ? encodeCursor([last.last_activity_at, last.id]) : null };
}

/** FTS condition for a user's query. Trigram needs 3+ characters; shorter terms fall back to LIKE. */
export function textMatch(q: string, table = 'messages_fts'): { sql: string; params: unknown[] } {
  const term = q.trim();
  if ([...term].length >= 3) return { sql: `${table} MATCH ?`, params: [`"${term.replaceAll('"', '""')}"`] };
  const col = table === 'messages_fts' ? 'content' : 'name';
  return { sql: `${col} LIKE ? ESCAPE '\\'`, params: [`%${term.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`] };
}

export async function loadConversationRow(deps: Deps, id: string): Promise<ConversationFullRow | undefined> {
  return deps.store.get<ConversationFullRow>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations c ${CONVERSATION_JOINS} WHERE c.id = ?`, [id]);
}

/** The conversation if the actor may see it; 404 otherwise (never reveal it exists). */
export async function getVisibleConversation(deps: Deps, actor: Actor, id: string): Promise<ConversationFullRow> {
  const row = await loadConversationRow(deps, id);
  if (!row) throw notFound('Conversation');
  if (!canSeeAll(actor)) {
    const member = await deps.store.get('SELECT 1 AS ok FROM inbox_members WHERE inbox_id = ? AND user_id = ?', [row.inbox_id, actor.id]);
    if (!member) throw notFound('Conversation');
  }
  return row;
}

export async function conversationChanged(deps: Deps, id: string, change: Record<string, unknown> = {}) {
  const row = await loadConversationRow(deps, id);
  if (!row) return null;
  const view = conversationView(row);
  await emitEvents(deps, [{ type: 'conversation.updated', inboxId: view.inboxId, conversationId: id, payload: { conversation: view, change } }]);
  return view;
}

/** conversationChanged for a caller that answers with the conversation: gone meanwhile = 404. */
async function changedForCaller(deps: Deps, id: string, change: Record<string, unknown>) {
  const view = await conversationChanged(deps, id, change);
  if (!view) throw notFound('Conversation');
  return view;
}

export async function assignConversation(deps: Deps, actor: Actor, id: string, input: { assigneeId?: string | null; teamId?: string | null }) {
  const conv = await getVisibleConversation(deps, actor, id);
  if (!isManager(actor)) {
    if (input.teamId !== undefined) throw forbidden('Only leads and admins can change the team');
    const selfAssign = input.assigneeId === actor.id;
    const selfUnassign = input.assigneeId === null && conv.assignee_id === actor.id;
    if (!selfAssign && !selfUnassign) throw forbidden('Agents can only assign conversations to themselves');
  }
  const sets: string[] = [];
  const params: unknown[] = [];
  if (input.assigneeId !== undefined) {
    if (input.assigneeId !== null) {
      const user = await deps.store.get<{ role: string; disabled_at: number | null }>('SELECT role, disabled_at FROM users WHERE id = ?', [input.assigneeId]);
      if (!user) throw new AppError(422, 'unknown_assignee', `No user with id ${input.assigneeId}`);
      if (user.disabled_at) throw new AppError(422, 'assignee_disabled', 'This user is disabled');
      if (user.role === 'agent') {
        const member = await deps.store.get('SELECT 1 AS ok FROM inbox_members WHERE inbox_id = ? AND user_id = ?', [conv.inbox_id, input.assigneeId]);
        if (!member) throw new AppError(422, 'assignee_not_member', 'The assignee is not a member of this inbox');
      }
    }
    sets.push('assignee_id = ?'); params.push(input.assigneeId);
  }
  if (input.teamId !== undefined) {
    if (input.teamId !== null && !(await deps.store.get('SELECT 1 AS ok FROM teams WHERE id = ?', [input.teamId]))) {
      throw new AppError(422, 'unknown_team', `No team with id ${input.teamId}`);
    }
    sets.push('team_id = ?'); params.push(input.teamId);
  }
  if (sets.length === 0) throw new AppError(400, 'invalid_request', 'Give assigneeId and/or teamId');
  await deps.store.run(`UPDATE conversations SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
  return changedForCaller(deps, id, { assigneeId: input.assigneeId, teamId: input.teamId, by: actor.id });
}

export async function setConversationStatus(deps: Deps, actor: Actor, id: string, status: Status, snoozeUntil?: number) {
  await getVisibleConversation(deps, actor, id);
  const now = deps.clock.now();
  if (status === 'snoozed') {
    if (snoozeUntil == null) throw new AppError(400, 'invalid_request', 'snoozeUntil is required to snooze');
    if (snoozeUntil <= now) throw new AppError(400, 'invalid_request', 'snoozeUntil must be in the future');
  }
  await deps.store.run(
    `UPDATE conversations SET status = ?, snooze_until = ?, resolved_at = CASE WHEN ? = 'resolved' THEN ? ELSE NULL END,
       waiting_since = CASE WHEN ? = 'resolved' THEN NULL ELSE waiting_since END WHERE id = ?`,
    [status, status === 'snoozed' ? snoozeUntil : null, status, now, status, id],
  );
  return changedForCaller(deps, id, { status, by: actor.id });
}

export async function setConversationLabels(deps: Deps, actor: Actor, id: string, labels: string[]) {
  await getVisibleConversation(deps, actor, id);
  const unique = [...new Set(labels.map((l) => l.trim()).filter(Boolean))];
  await deps.store.atomically([
    raw('DELETE FROM conversation_labels WHERE conversation_id = ?', id),
    ...unique.map((l) => raw('INSERT INTO conversation_labels(conversation_id, label) VALUES (?, ?)', id, l)),
  ]);
  return changedForCaller(deps, id, { labels: unique, by: actor.id });
}

/** An agent opened the thread (POST /conversations/:id/read): nothing unread any more. */
export async function markRead(deps: Deps, actor: Actor, id: string) {
  await getVisibleConversation(deps, actor, id);
  const { changes } = await deps.store.run('UPDATE conversations SET unread_count = 0 WHERE id = ? AND unread_count > 0', [id]);
  return changes ? changedForCaller(deps, id, { unreadCount: 0, by: actor.id }) : conversationView((await loadConversationRow(deps, id))!);
}
