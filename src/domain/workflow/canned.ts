// Canned responses: replies an agent inserts by typing "/shortCode". Leads and admins manage
// them; every agent reads them and renders one for a conversation with its placeholders
// ({{contact.name}}, {{agent.name}}, ...) filled in.
import { requireRole, type Actor } from '../core/actor.js';
import { getVisibleConversation } from '../conversations/conversations.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../core/paging.js';
import type { Row } from '../core/store.js';
import type { CannedResponseRow } from '../core/rows.js';

export const SHORT_CODE = /^[\p{L}\p{N}][\p{L}\p{N}_\-.]{0,63}$/u;

export interface CannedView { id: string; shortCode: string; content: string; createdBy: string | null; createdAt: string; updatedAt: string }

export function cannedView(r: CannedResponseRow): CannedView {
  return {
    id: r.id, shortCode: r.short_code, content: r.content,
    createdBy: r.created_by ?? null,
    createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** "/Refund " -> "refund"; codes are case-insensitive. */
export function normalizeShortCode(code: string): string {
  const c = code.trim().replace(/^\//, '').toLowerCase();
  if (!SHORT_CODE.test(c)) throw new AppError(400, 'invalid_short_code', 'shortCode: letters, digits, "_", "-" or ".", up to 64 characters, starting with a letter or digit');
  return c;
}

/** All canned responses by shortCode, or those whose shortCode starts with `q` (the "/" picker). */
export async function listCanned(deps: Deps, q: string | undefined, limit: number, cursor?: string): Promise<Page<CannedView>> {
  const where: string[] = [];
  const params: unknown[] = [];
  const prefix = (q ?? '').trim().replace(/^\//, '').toLowerCase();
  if (prefix) {
    // A range on the unique index rather than LIKE, so the picker stays an index seek.
    where.push('short_code >= ? AND short_code < ?');
    params.push(prefix, `${prefix}\u{10FFFF}`);
  }
  const after = decodeCursor(cursor);
  if (after) { where.push('short_code > ?'); params.push(after[1]); }
  const rows = await deps.store.all<CannedResponseRow>(`SELECT * FROM canned_responses ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY short_code LIMIT ?`, [...params, limit + 1]);
  const more = rows.length > limit;
  const data = rows.slice(0, limit).map(cannedView);
  const last = data[data.length - 1];
  return { data, nextCursor: more && last ? encodeCursor([0, last.shortCode]) : null };
}

async function getCannedRow(deps: Deps, id: string): Promise<CannedResponseRow> {
  const row = await deps.store.get<CannedResponseRow>('SELECT * FROM canned_responses WHERE id = ?', [id]);
  if (!row) throw notFound('Canned response');
  return row;
}

export async function getCanned(deps: Deps, id: string): Promise<CannedView> {
  return cannedView(await getCannedRow(deps, id));
}

async function assertCodeFree(deps: Deps, code: string, exceptId?: string) {
  if (await deps.store.get('SELECT 1 AS ok FROM canned_responses WHERE short_code = ? AND id IS NOT ?', [code, exceptId ?? null])) {
    throw new AppError(409, 'short_code_taken', `A canned response /${code} already exists`);
  }
}

export async function createCanned(deps: Deps, actor: Actor, input: { shortCode: string; content: string }): Promise<CannedView> {
  requireRole(actor, 'admin', 'lead');
  const code = normalizeShortCode(input.shortCode);
  await assertCodeFree(deps, code);
  const id = newId();
  const now = deps.clock.now();
  // ON CONFLICT covers the race between the check above and this insert.
  const rows = await deps.store.all<CannedResponseRow>(
    'INSERT INTO canned_responses(id, short_code, content, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(short_code) DO NOTHING RETURNING *',
    [id, code, input.content, actor.id, now, now]);
  if (!rows[0]) throw new AppError(409, 'short_code_taken', `A canned response /${code} already exists`);
  return cannedView(rows[0]);
}

export async function updateCanned(deps: Deps, actor: Actor, id: string, input: { shortCode?: string; content?: string }): Promise<CannedView> {
  requireRole(actor, 'admin', 'lead');
  const row = await getCannedRow(deps, id);
  const code = input.shortCode !== undefined ? normalizeShortCode(input.shortCode) : row.short_code;
  if (code !== row.short_code) await assertCodeFree(deps, code, id);
  await deps.store.run('UPDATE canned_responses SET short_code = ?, content = ?, updated_at = ? WHERE id = ?',
    [code, input.content ?? row.content, deps.clock.now(), id]);
  return getCanned(deps, id);
}

export async function deleteCanned(deps: Deps, actor: Actor, id: string): Promise<void> {
  requireRole(actor, 'admin', 'lead');
  const { changes } = await deps.store.run('DELETE FROM canned_responses WHERE id = ?', [id]);
  if (changes === 0) throw notFound('Canned response');
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_]+(?:\.[A-Za-z_]+)+)\s*\}\}/g;

/** Fills {{a.b}} from `values`; a known key with no value becomes "", an unknown one stays as written. */
export function fillPlaceholders(template: string, values: Record<string, string | null | undefined>): string {
  return template.replace(PLACEHOLDER, (whole, key: string) => (key in values ? values[key] ?? '' : whole));
}

/** The canned response `/shortCode` rendered for a conversation the actor may see. */
export async function renderCanned(deps: Deps, actor: Actor, conversationId: string, shortCode: string): Promise<{ id: string; shortCode: string; content: string }> {
  const conv = await getVisibleConversation(deps, actor, conversationId);
  const code = shortCode.trim().replace(/^\//, '').toLowerCase();
  const canned = await deps.store.get<CannedResponseRow>('SELECT * FROM canned_responses WHERE short_code = ?', [code]);
  if (!canned) throw notFound(`Canned response /${code}`);
  const contact = await deps.store.get<{ name: string | null; email: string | null; phone: string | null }>('SELECT name, email, phone FROM contacts WHERE id = ?', [conv.contact_id]);
  const inbox = await deps.store.get<{ name: string }>('SELECT name FROM inboxes WHERE id = ?', [conv.inbox_id]);
  const values: Record<string, string | null | undefined> = {
    'contact.name': contact?.name, 'contact.email': contact?.email, 'contact.phone': contact?.phone,
    'agent.name': actor.name, 'agent.email': actor.email,
    'conversation.id': conv.id, 'inbox.name': inbox?.name,
  };
  return { id: canned.id, shortCode: code, content: fillPlaceholders(canned.content, values) };
}
