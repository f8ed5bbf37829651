// What a platform says about messages already stored: delivery news for our replies (one id,
// or a whole thread up to a watermark), the customer's edits and unsends, reactions; and the
// items of a signed webhook Parley could not use (counted per inbox and type). Each event is
// one update statement of the ingest unit, led by the statement that stores its `message.updated`
// events in the same unit.
// None of them opens, reopens or counts as a new message.
import type { InboundUpdateEvent, InboundSkippedEvent } from '../../../connectors/types.js';
import type { Kind } from './ingest.js';
import { raw, type Stmt } from '../core/store.js';
import { messageViewSql } from '../core/views.js';


const STATUS_RANK = `CASE delivery_status WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 4 END`;
const NEW_RANK = `(CASE ?1 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 4 END)`;

/** An update of messages: the new values of the columns it sets (over the old row) and which rows. */
interface MessageUpdate { set: Partial<Record<(typeof VIEW_COLUMNS)[number], string>>; where: string }

const UPDATE_DELIVERY: MessageUpdate = {
  set: { delivery_status: '?1', error: '?2' },
  where: `inbox_id = ?3 AND external_id = ?4 AND direction = 'out' AND delivery_status <> 'failed'
    AND (?1 = 'failed' OR ${STATUS_RANK} < ${NEW_RANK})`,
};

// Every reply of ours in the thread sent up to the watermark (or up to the message named):
// only ones the platform took (sent or later), never a queued one, never backwards.
const UPDATE_THREAD_DELIVERY: MessageUpdate = {
  set: { delivery_status: '?1' },
  where: `conversation_id = (SELECT id FROM conversations WHERE inbox_id = ?2 AND thread_key = ?3)
    AND direction = 'out' AND private = 0 AND delivery_status IN ('sent', 'delivered') AND ${STATUS_RANK} < ${NEW_RANK}
    AND created_at <= coalesce(?4, (SELECT created_at FROM messages WHERE inbox_id = ?2 AND external_id = ?5), ?6)`,
};

/** Edits kept per message (the oldest fall off): a record, bounded. */
export const MAX_EDITS_KEPT = 20;
// The new text replaces the content (search follows through the FTS trigger); the previous
// text is appended to meta.edits. A repeat of the same text (a replay) changes nothing.
const EDIT: MessageUpdate = {
  set: {
    content: '?1',
    meta: `json_set(coalesce(meta, '{}'), '$.edited', json_object('at', ?2),
      '$.edits', json_insert(CASE WHEN json_array_length(coalesce(meta->'$.edits', '[]')) >= ${MAX_EDITS_KEPT}
        THEN json_remove(meta->'$.edits', '$[0]') ELSE coalesce(meta->'$.edits', json('[]')) END,
        '$[#]', json_object('content', content, 'replacedAt', ?2)))`,
  },
  where: `inbox_id = ?3 AND external_id = ?4 AND direction = 'in' AND content <> ?1 AND meta->>'$.deleted' IS NULL`,
};

// The content leaves the list and search (content = ''), and is kept in meta.deleted.content.
const DELETE: MessageUpdate = {
  set: { content: "''", meta: `json_set(coalesce(meta, '{}'), '$.deleted', json_object('at', ?1, 'by', 'contact', 'content', content))` },
  where: `inbox_id = ?2 AND external_id = ?3 AND direction = 'in' AND meta->>'$.deleted' IS NULL`,
};

// meta.reactions = {reactor id: emoji}; a JSON merge patch with null removes the reactor's key.
const REACT: MessageUpdate = {
  set: { meta: `json_set(coalesce(meta, '{}'), '$.reactions', json_patch(coalesce(meta->'$.reactions', '{}'), json_object(?1, ?2)))` },
  where: `inbox_id = ?3 AND external_id = ?4 AND (meta->>('$.reactions."' || replace(?1, '"', '') || '"')) IS NOT ?2`,
};

const VIEW_COLUMNS = ['id', 'conversation_id', 'direction', 'private', 'content', 'html', 'sender_type', 'sender_id',
  'created_at', 'delivery_status', 'error', 'external_id', 'attachments', 'meta'] as const;

/**
 * The update's message.updated events, then the update, as two statements of the unit: the
 * first runs just before the update on the same rows (same condition) and stores each row's
 * view as the update leaves it (the same SET expressions over the old row), so the messages
 * and their events commit together (one D1 batch). Its RETURNING rows are published.
 */
function updateWithEvents(u: MessageUpdate, params: unknown[], inboxId: string, now: number): { events: Stmt; update: Stmt } {
  const n = params.length;
  const after = VIEW_COLUMNS.map((c) => (u.set[c] ? `${u.set[c]} AS ${c}` : c)).join(', ');
  const events = raw(
    `INSERT INTO events(type, inbox_id, conversation_id, user_id, payload, created_at)
     SELECT 'message.updated', ?${n + 1}, x.conversation_id, NULL, json_object('message', json(${messageViewSql('x')})), ?${n + 2}
     FROM (SELECT ${after} FROM messages WHERE ${u.where} ORDER BY created_at, id) x
     RETURNING id, type, inbox_id, conversation_id, user_id, payload, created_at`,
    ...params, inboxId, now);
  const set = Object.entries(u.set).map(([c, e]) => `${c} = ${e}`).join(', ');
  return { events, update: raw(`UPDATE messages SET ${set} WHERE ${u.where} RETURNING id`, ...params) };
}

// The platform refused a reply because the customer opted out (status event optedOut): the identity
// of that conversation is marked, so the next reply is refused before it is queued.
const OPTED_OUT_BY_STATUS = `UPDATE contact_identities SET opted_out_at = coalesce(opted_out_at, ?1)
  WHERE id = (SELECT c.identity_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.inbox_id = ?2 AND m.external_id = ?3)`;

// At most MAX_SKIP_TYPES types per inbox (types come from the platform's keys); known ones keep counting.
export const MAX_SKIP_TYPES = 100;
const COUNT_SKIP = `INSERT INTO webhook_skips(inbox_id, type, count, last_reason, last_at) SELECT ?1, ?2, 1, ?3, ?4
  WHERE (SELECT count(*) FROM webhook_skips WHERE inbox_id = ?1) < ${MAX_SKIP_TYPES} OR EXISTS (SELECT 1 FROM webhook_skips WHERE inbox_id = ?1 AND type = ?2)
  ON CONFLICT(inbox_id, type) DO UPDATE SET count = count + 1, last_reason = excluded.last_reason, last_at = excluded.last_at`;

export function pushUpdate(push: (k: Kind, s: Stmt) => void, inbox: { id: string }, e: InboundUpdateEvent | InboundSkippedEvent, now: number) {
  const update = (u: MessageUpdate, ...params: unknown[]) => {
    const s = updateWithEvents(u, params, inbox.id, now);
    push('events', s.events);
    push('status', s.update);
  };
  switch (e.kind) {
    case 'status':
      update(UPDATE_DELIVERY, e.status, e.error ?? null, inbox.id, e.externalId);
      if (e.optedOut) push('other', raw(OPTED_OUT_BY_STATUS, now, inbox.id, e.externalId));
      return;
    case 'receipt': return update(UPDATE_THREAD_DELIVERY, e.status, inbox.id, e.threadKey, e.upTo ?? null, e.upToExternalId ?? null, now);
    case 'edit': return update(EDIT, e.text, at(e.at, now), inbox.id, e.externalId);
    case 'delete': return update(DELETE, at(e.at, now), inbox.id, e.externalId);
    case 'reaction': return update(REACT, e.by.replaceAll('"', ''), e.emoji || null, inbox.id, e.externalId);
    case 'skipped': return push('skip', raw(COUNT_SKIP, inbox.id, e.type, e.reason, now));
  }
}

const at = (t: number, now: number) => (Number.isFinite(t) && t > 0 && t < now + 5 * 60_000 ? t : now);
