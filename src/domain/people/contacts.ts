// Contacts: one person across channels. Reading (scoped: an agent sees a contact only through
// an identity or conversation in one of his inboxes), editing with custom attributes (JSON
// merge-patch: null deletes a key), merging two contacts in one atomic unit, merge
// suggestions (same email, phone or handle) and the cross-channel timeline.
import { emitEvents } from '../events/emit.js';
import { canSeeAll, type Actor } from '../core/actor.js';
import { auditStmt, type AuditBy } from '../core/audit.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../core/errors.js';
import { decodeCursor, encodeCursor, type Page } from '../core/paging.js';
import { raw } from '../core/store.js';
import type { ConversationRow, MessageRow } from '../core/rows.js';
import type { ConversationFullRow } from '../core/views.js';
import { CONTACT_TEXT, parseQuery } from '../search/text-query.js';
import { CONVERSATION_COLUMNS, CONVERSATION_JOINS, conversationView, messageView, isoOrNull } from '../core/views.js';
import type { ContactIdentityRow, ContactRow } from '../core/rows.js';

/** Conversations shown inside a contact (newest activity first); older ones via the timeline or ?contactId=. */
export const CONTACT_CONVERSATIONS_LIMIT = 100;
const MAX_ATTRIBUTES_BYTES = 16_384;

const parseJson = (v: unknown): Record<string, unknown> => {
  if (v == null) return {};
  if (typeof v !== 'string') return v as Record<string, unknown>;
  try { return JSON.parse(v) as Record<string, unknown>; } catch { return {}; }
};

/** SQL condition limiting contact column `col` to contacts the actor may see. */
export function contactScope(a: Actor, col = 'ct.id'): { sql: string; params: unknown[] } {
  if (canSeeAll(a)) return { sql: '1', params: [] };
  return {
    sql: `(${col} IN (SELECT ci.contact_id FROM contact_identities ci WHERE ci.inbox_id IN (SELECT inbox_id FROM inbox_members WHERE user_id = ?))
      OR ${col} IN (SELECT cv.contact_id FROM conversations cv WHERE cv.inbox_id IN (SELECT inbox_id FROM inbox_members WHERE user_id = ?)))`,
    params: [a.id, a.id],
  };
}

export interface ContactSummary {
  id: string; name: string | null; email: string | null; phone: string | null;
  attributes: Record<string, unknown>; createdAt: string | null;
}

export function contactSummary(r: ContactRow): ContactSummary {
  return {
    id: r.id,
    name: r.name ?? null,
    email: r.email ?? null,
    phone: r.phone ?? null,
    attributes: parseJson(r.attributes),
    createdAt: isoOrNull(r.created_at),
  };
}

const identityView = (r: ContactIdentityRow) => ({
  id: r.id,
  inboxId: r.inbox_id,
  channel: r.channel,
  externalId: r.external_id,
  handle: r.handle ?? null,
  createdAt: isoOrNull(r.created_at),
});

/** Follows merged_into to the surviving contact (at most a few hops; merges flatten chains). */
async function resolveContact(deps: Deps, id: string): Promise<{ row: ContactRow; redirectedFrom: string | null }> {
  const first = await deps.store.get<ContactRow>('SELECT * FROM contacts WHERE id = ?', [id]);
  if (!first) throw notFound('Contact');
  let row: ContactRow = first;
  for (let hops = 0; row.merged_into && hops < 10; hops++) {
    const next: ContactRow | undefined = await deps.store.get<ContactRow>('SELECT * FROM contacts WHERE id = ?', [row.merged_into]);
    if (!next) break;
    row = next;
  }
  return { row, redirectedFrom: row.id === id ? null : id };
}

async function canSeeContact(deps: Deps, a: Actor, contactId: string): Promise<boolean> {
  if (canSeeAll(a)) return true;
  return Boolean(await deps.store.get(
    `SELECT 1 AS ok WHERE EXISTS (SELECT 1 FROM contact_identities ci JOIN inbox_members im ON im.inbox_id = ci.inbox_id AND im.user_id = ?2 WHERE ci.contact_id = ?1)
       OR EXISTS (SELECT 1 FROM conversations cv JOIN inbox_members im ON im.inbox_id = cv.inbox_id AND im.user_id = ?2 WHERE cv.contact_id = ?1)`,
    [contactId, a.id]));
}

/** The contact (or the one it was merged into) if the actor may see it; 404 otherwise. */
export async function getVisibleContactRow(deps: Deps, actor: Actor, id: string): Promise<{ row: ContactRow; redirectedFrom: string | null }> {
  const found = await resolveContact(deps, id);
  if (!(await canSeeContact(deps, actor, found.row.id))) throw notFound('Contact');
  return found;
}

/** SQL condition limiting identity column `col` (an inbox id) to inboxes the actor may see. */
function identityScope(a: Actor, col = 'inbox_id'): { sql: string; params: unknown[] } {
  if (canSeeAll(a)) return { sql: '1', params: [] };
  return { sql: `${col} IN (SELECT inbox_id FROM inbox_members WHERE user_id = ?)`, params: [a.id] };
}

export async function contactDetail(deps: Deps, actor: Actor, row: ContactRow) {
  const id = row.id;
  // A contact seen through one inbox does not reveal who the person is on inboxes the actor cannot see.
  const is = identityScope(actor);
  const identities = await deps.store.all<ContactIdentityRow>(`SELECT * FROM contact_identities WHERE contact_id = ? AND ${is.sql} ORDER BY created_at, id`, [id, ...is.params]);
  const scope = canSeeAll(actor) ? { sql: '1', params: [] as unknown[] } : { sql: 'c.inbox_id IN (SELECT inbox_id FROM inbox_members WHERE user_id = ?)', params: [actor.id] };
  const convs = await deps.store.all<ConversationFullRow>(
    `SELECT ${CONVERSATION_COLUMNS} FROM (SELECT * FROM conversations c WHERE c.contact_id = ? AND ${scope.sql}
       ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?) c ${CONVERSATION_JOINS} ORDER BY c.last_activity_at DESC, c.id DESC`,
    [id, ...scope.params, CONTACT_CONVERSATIONS_LIMIT],
  );
  return {
    ...contactSummary(row),
    identities: identities.map(identityView),
    conversations: convs.map(conversationView),
  };
}

/** GET /contacts/:id. A merged-away id answers with the surviving contact plus `redirectedFrom`. */
export async function getContact(deps: Deps, actor: Actor, id: string) {
  const { row, redirectedFrom } = await getVisibleContactRow(deps, actor, id);
  const detail = await contactDetail(deps, actor, row);
  return redirectedFrom ? { ...detail, redirectedFrom } : detail;
}

/** Contacts the actor may see, newest first (keyset on created_at, id); `q` searches name, email, phone. */
export async function listContacts(deps: Deps, actor: Actor, q: string | undefined, limit: number, cursor?: string): Promise<Page<ContactSummary & { identities: { channel: string; handle: string | null }[] }>> {
  const where = ['ct.merged_into IS NULL'];
  const params: unknown[] = [];
  const s = contactScope(actor);
  where.push(s.sql); params.push(...s.params);
  if (q?.trim()) {
    const pq = parseQuery(q);
    if (pq.match) { where.push('ct.id IN (SELECT contact_id FROM contacts_fts WHERE contacts_fts MATCH ?)'); params.push(pq.match); }
    for (const like of pq.likes) { where.push(`${CONTACT_TEXT.replaceAll('x.', 'ct.')} LIKE ? ESCAPE '\\'`); params.push(like); }
  }
  const after = decodeCursor(cursor);
  if (after) { where.push('(ct.created_at, ct.id) < (?, ?)'); params.push(after[0], after[1]); }
  const rows = await deps.store.all<ContactRow>(`SELECT ct.* FROM contacts ct WHERE ${where.join(' AND ')} ORDER BY ct.created_at DESC, ct.id DESC LIMIT ?`, [...params, limit + 1]);
  const more = rows.length > limit;
  const pageRows = rows.slice(0, limit);
  const ids = JSON.stringify(pageRows.map((r) => r.id));
  const is = identityScope(actor);
  const idRows = pageRows.length ? await deps.store.all<Pick<ContactIdentityRow, 'contact_id' | 'channel' | 'handle'>>(
    `SELECT contact_id, channel, handle FROM contact_identities WHERE contact_id IN (SELECT value FROM json_each(?)) AND ${is.sql} ORDER BY created_at, id`, [ids, ...is.params]) : [];
  const byContact = new Map<string, { channel: string; handle: string | null }[]>();
  for (const r of idRows) {
    const list = byContact.get(r.contact_id) ?? [];
    list.push({ channel: r.channel, handle: r.handle });
    byContact.set(r.contact_id, list);
  }
  const last = pageRows[pageRows.length - 1];
  return {
    data: pageRows.map((r) => ({ ...contactSummary(r), identities: byContact.get(r.id) ?? [] })),
    nextCursor: more && last ? encodeCursor([last.created_at, last.id]) : null,
  };
}

export interface ContactPatch {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  attributes?: Record<string, unknown>;
}

/** Changes profile fields; attributes merge into the stored ones (null deletes a key). */
export async function updateContact(deps: Deps, actor: Actor, id: string, patch: ContactPatch) {
  const { row } = await getVisibleContactRow(deps, actor, id);
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const key of ['name', 'email', 'phone'] as const) {
    if (patch[key] === undefined) continue;
    const v = patch[key] === null ? null : String(patch[key]).trim() || null;
    sets.push(`${key} = ?`);
    params.push(key === 'email' && v ? v.toLowerCase() : v);
  }
  if (patch.attributes !== undefined) {
    const merged = mergePatch(parseJson(row.attributes), patch.attributes);
    const text = JSON.stringify(merged);
    if (new TextEncoder().encode(text).length > MAX_ATTRIBUTES_BYTES) {
      throw new AppError(422, 'attributes_too_large', `Custom attributes may take at most ${MAX_ATTRIBUTES_BYTES} bytes`);
    }
    // Merge in SQL too so two concurrent PATCHes of different keys do not lose each other.
    sets.push('attributes = json_patch(attributes, ?)');
    params.push(JSON.stringify(patch.attributes));
  }
  if (sets.length === 0) throw new AppError(400, 'invalid_request', 'Give at least one of name, email, phone, attributes');
  await deps.store.run(`UPDATE contacts SET ${sets.join(', ')} WHERE id = ?`, [...params, row.id]);
  const fresh = await deps.store.get<ContactRow>('SELECT * FROM contacts WHERE id = ?', [row.id]);
  await emitEvents(deps, [{ type: 'contact.updated', audience: await contactAudience(deps, row.id), payload: { contactId: row.id, fields: Object.keys(patch) } }]);
  return contactDetail(deps, actor, fresh!);
}

/** RFC 7396 JSON merge patch (what SQLite's json_patch does), for the size check before writing. */
export function mergePatch(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (typeof v === 'object' && !Array.isArray(v)) {
      const base = out[k] && typeof out[k] === 'object' && !Array.isArray(out[k]) ? out[k] as Record<string, unknown> : {};
      out[k] = mergePatch(base, v as Record<string, unknown>);
    } else out[k] = v;
  }
  return out;
}

/**
 * Merges `otherId` into `keepId` as one atomic unit: identities, conversations and the
 * sender of the other's messages move over, missing profile fields and attributes are filled
 * (the survivor's values win), and the other contact is marked merged_into (kept, so its id
 * still resolves). Nothing is deleted.
 */
export async function mergeContacts(deps: Deps, actor: Actor, keepId: string, otherId: string, by: AuditBy = { actor }) {
  if (keepId === otherId) throw new AppError(422, 'same_contact', 'A contact cannot be merged into itself');
  const keep = await deps.store.get<ContactRow>('SELECT * FROM contacts WHERE id = ?', [keepId]);
  const other = await deps.store.get<ContactRow>('SELECT * FROM contacts WHERE id = ?', [otherId]);
  if (!keep || !(await canSeeContact(deps, actor, keepId))) throw notFound('Contact');
  if (!other || !(await canSeeContact(deps, actor, otherId))) throw new AppError(404, 'not_found', 'The other contact was not found');
  if (keep.merged_into) throw new AppError(409, 'contact_merged', `This contact was merged into ${keep.merged_into}; merge into that one`);
  if (other.merged_into) throw new AppError(409, 'contact_merged', `The other contact was already merged into ${other.merged_into}`);

  const counts = await deps.store.get<{ identities: number; conversations: number }>(
    `SELECT (SELECT count(*) FROM contact_identities WHERE contact_id = ?1) AS identities,
            (SELECT count(*) FROM conversations WHERE contact_id = ?1) AS conversations`, [otherId]);
  const stillFree = `(SELECT merged_into FROM contacts WHERE id = ?2) IS NULL AND (SELECT merged_into FROM contacts WHERE id = ?1) IS NULL`;
  const results = await deps.store.atomically([
    // Every statement re-checks that neither side was merged meanwhile, so a racing merge
    // turns this unit into a no-op instead of splitting a contact's data.
    raw(`UPDATE messages SET sender_id = ?1 WHERE sender_type = 'contact' AND sender_id = ?2 AND ${stillFree}`, keepId, otherId),
    raw(`UPDATE contact_identities SET contact_id = ?1 WHERE contact_id = ?2 AND ${stillFree}`, keepId, otherId),
    raw(`UPDATE conversations SET contact_id = ?1 WHERE contact_id = ?2 AND ${stillFree}`, keepId, otherId),
    raw(`UPDATE contacts SET
        name = coalesce(name, (SELECT name FROM contacts WHERE id = ?2)),
        email = coalesce(email, (SELECT email FROM contacts WHERE id = ?2)),
        phone = coalesce(phone, (SELECT phone FROM contacts WHERE id = ?2)),
        attributes = json_patch((SELECT attributes FROM contacts WHERE id = ?2), attributes)
      WHERE id = ?1 AND ${stillFree}`, keepId, otherId),
    // Contacts merged into the other earlier now point straight at the survivor.
    raw(`UPDATE contacts SET merged_into = ?1 WHERE merged_into = ?2 AND (SELECT merged_into FROM contacts WHERE id = ?1) IS NULL`, keepId, otherId),
    raw('UPDATE contacts SET merged_into = ?1 WHERE id = ?2 AND merged_into IS NULL AND (SELECT merged_into FROM contacts WHERE id = ?1) IS NULL RETURNING id', keepId, otherId),
  ]);
  if (results[5]!.length) await deps.store.atomically([auditStmt(deps, by, { action: 'contact.merged', targetType: 'contact', targetId: keepId,
    details: { mergedContactId: otherId, identities: counts?.identities ?? 0, conversations: counts?.conversations ?? 0 } })]);
  if (results[5].length === 0) throw new AppError(409, 'contact_merged', 'One of the contacts was merged by someone else meanwhile; reload and try again');

  await emitEvents(deps, [{ type: 'contact.merged', audience: await contactAudience(deps, keepId), payload: { contactId: keepId, mergedContactId: otherId, by: actor.id } }]);
  const fresh = await deps.store.get<ContactRow>('SELECT * FROM contacts WHERE id = ?', [keepId]);
  return { ...(await contactDetail(deps, actor, fresh!)), merged: { contactId: otherId, identities: counts?.identities ?? 0, conversations: counts?.conversations ?? 0 } };
}

/** Other (unmerged, visible) contacts sharing an email, a phone number or a handle with this one. */
export async function mergeSuggestions(deps: Deps, actor: Actor, id: string) {
  const { row } = await getVisibleContactRow(deps, actor, id);
  const cid = row.id;
  const email = row.email?.trim() || null;
  const phone = row.phone?.trim() || null;
  const is = identityScope(actor);
  // Only handles the actor can see are matched on, and only visible identities are shown.
  const handles = (await deps.store.all<{ handle: string }>(
    `SELECT DISTINCT handle FROM contact_identities WHERE contact_id = ? AND handle IS NOT NULL AND handle <> '' AND ${is.sql}`, [cid, ...is.params])).map((r) => r.handle);
  const emails = email ? [...new Set([email, email.toLowerCase()])] : [];
  const phones = phone ? [...new Set([phone, phone.replace(/[\s\-().]/g, '')])] : [];
  if (!emails.length && !phones.length && !handles.length) return { data: [] };

  const rows = await deps.store.all<ContactRow & { by_email: number | null; by_phone: number | null; by_handle: string | null }>(
    `SELECT ct.*,
        (ct.email IN (SELECT value FROM json_each(?1))) AS by_email,
        (ct.phone IN (SELECT value FROM json_each(?2))) AS by_phone,
        (SELECT group_concat(DISTINCT handle) FROM contact_identities WHERE contact_id = ct.id AND handle IN (SELECT value FROM json_each(?3))) AS by_handle
     FROM contacts ct
     WHERE ct.id <> ?4 AND ct.merged_into IS NULL
       AND (ct.email IN (SELECT value FROM json_each(?1)) OR ct.phone IN (SELECT value FROM json_each(?2))
         OR ct.id IN (SELECT contact_id FROM contact_identities WHERE handle IN (SELECT value FROM json_each(?3))))
     ORDER BY ct.created_at, ct.id LIMIT 50`,
    [JSON.stringify(emails), JSON.stringify(phones), JSON.stringify(handles), cid],
  );
  const visible: typeof rows = [];
  for (const r of rows) if (canSeeAll(actor) || (await canSeeContact(deps, actor, r.id))) visible.push(r);
  const ids = JSON.stringify(visible.map((r) => r.id));
  const idRows = visible.length ? await deps.store.all<ContactIdentityRow>(`SELECT * FROM contact_identities WHERE contact_id IN (SELECT value FROM json_each(?)) AND ${is.sql} ORDER BY created_at, id`, [ids, ...is.params]) : [];
  return {
    data: visible.map((r) => ({
      ...contactSummary(r),
      identities: idRows.filter((i) => i.contact_id === r.id).map(identityView),
      reasons: [
        ...(r.by_email ? ['email' as const] : []),
        ...(r.by_phone ? ['phone' as const] : []),
        ...(r.by_handle ? ['handle' as const] : []),
      ],
      matchedHandles: r.by_handle ? String(r.by_handle).split(',') : [],
    })),
  };
}

/** The contact's messages across every channel and conversation the actor may see, newest first. */
export async function contactTimeline(deps: Deps, actor: Actor, id: string, limit: number, cursor?: string) {
  const { row } = await getVisibleContactRow(deps, actor, id);
  const where = ['m.conversation_id IN (SELECT c.id FROM conversations c WHERE c.contact_id = ?' +
    (canSeeAll(actor) ? '' : ' AND c.inbox_id IN (SELECT inbox_id FROM inbox_members WHERE user_id = ?)') + ')'];
  const params: unknown[] = [row.id, ...(canSeeAll(actor) ? [] : [actor.id])];
  const after = decodeCursor(cursor);
  if (after) { where.push('(m.created_at, m.id) < (?, ?)'); params.push(after[0], after[1]); }
  const rows = await deps.store.all<MessageRow & { channel: string; conversation_status: ConversationRow['status'] }>(
    `SELECT m.*, i.channel AS channel, c.status AS conversation_status FROM
       (SELECT * FROM messages m WHERE ${where.join(' AND ')} ORDER BY m.created_at DESC, m.id DESC LIMIT ?) m
     JOIN conversations c ON c.id = m.conversation_id JOIN inboxes i ON i.id = m.inbox_id
     ORDER BY m.created_at DESC, m.id DESC`,
    [...params, limit + 1],
  );
  const more = rows.length > limit;
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    data: pageRows.map((r) => ({ ...messageView(r), inboxId: r.inbox_id, channel: r.channel, conversationStatus: r.conversation_status })),
    nextCursor: more && last ? encodeCursor([last.created_at, last.id]) : null,
  };
}

/** The inboxes whose members may hear about a contact: where it has an identity or a conversation. */
export async function contactAudience(deps: Deps, contactId: string): Promise<string[]> {
  const rows = await deps.store.all<{ inbox_id: string }>(
    'SELECT inbox_id FROM contact_identities WHERE contact_id = ?1 UNION SELECT inbox_id FROM conversations WHERE contact_id = ?1', [contactId]);
  return rows.map((r) => r.inbox_id);
}
