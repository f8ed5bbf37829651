// What a platform says about messages already stored: delivery news for our replies (one id,
// or a whole thread up to a watermark), the customer's edits and unsends, reactions; and the
// items of a signed webhook Parley could not use (counted per inbox and type). Each event is
// exactly one statement of the ingest unit; the rows it returns become `message.updated`.
// None of them opens, reopens or counts as a new message.
import type { InboundUpdateEvent, InboundSkippedEvent } from '../../../connectors/types.js';
import type { Kind } from './ingest.js';
import { raw, type Stmt } from '../core/store.js';

export const UPDATE_KINDS: ReadonlySet<Kind> = new Set(['status']);

const STATUS_RANK = `CASE delivery_status WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 4 END`;
const NEW_RANK = `(CASE ?1 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 4 END)`;
const UPDATE_DELIVERY = `UPDATE messages SET delivery_status = ?1, error = ?2
  WHERE inbox_id = ?3 AND external_id = ?4 AND direction = 'out' AND delivery_status <> 'failed'
    AND (?1 = 'failed' OR ${STATUS_RANK} < ${NEW_RANK})
  RETURNING *`;

// Every reply of ours in the thread sent up to the watermark (or up to the message named):
// only ones the platform took (sent or later), never a queued one, never backwards.
const UPDATE_THREAD_DELIVERY = `UPDATE messages SET delivery_status = ?1
  WHERE conversation_id = (SELECT id FROM conversations WHERE inbox_id = ?2 AND thread_key = ?3)
    AND direction = 'out' AND private = 0 AND delivery_status IN ('sent', 'delivered') AND ${STATUS_RANK} < ${NEW_RANK}
    AND created_at <= coalesce(?4, (SELECT created_at FROM messages WHERE inbox_id = ?2 AND external_id = ?5), ?6)
  RETURNING *`;

/** Edits kept per message (the oldest fall off): a record, bounded. */
export const MAX_EDITS_KEPT = 20;
// The new text replaces the content (search follows through the FTS trigger); the previous
// text is appended to meta.edits. A repeat of the same text (a replay) changes nothing.
const EDIT = `UPDATE messages SET content = ?1,
    meta = json_set(coalesce(meta, '{}'), '$.edited', json_object('at', ?2),
      '$.edits', json_insert(CASE WHEN json_array_length(coalesce(meta->'$.edits', '[]')) >= ${MAX_EDITS_KEPT}
        THEN json_remove(meta->'$.edits', '$[0]') ELSE coalesce(meta->'$.edits', json('[]')) END,
        '$[#]', json_object('content', content, 'replacedAt', ?2)))
  WHERE inbox_id = ?3 AND external_id = ?4 AND direction = 'in' AND content <> ?1 AND meta->>'$.deleted' IS NULL
  RETURNING *`;

// The content leaves the list and search (content = ''), and is kept in meta.deleted.content.
const DELETE = `UPDATE messages SET content = '',
    meta = json_set(coalesce(meta, '{}'), '$.deleted', json_object('at', ?1, 'by', 'contact', 'content', content))
  WHERE inbox_id = ?2 AND external_id = ?3 AND direction = 'in' AND meta->>'$.deleted' IS NULL
  RETURNING *`;

// meta.reactions = {reactor id: emoji}; a JSON merge patch with null removes the reactor's key.
const REACT = `UPDATE messages SET
    meta = json_set(coalesce(meta, '{}'), '$.reactions', json_patch(coalesce(meta->'$.reactions', '{}'), json_object(?1, ?2)))
  WHERE inbox_id = ?3 AND external_id = ?4 AND (meta->>('$.reactions."' || replace(?1, '"', '') || '"')) IS NOT ?2
  RETURNING *`;

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
  switch (e.kind) {
    case 'status':
      push('status', raw(UPDATE_DELIVERY, e.status, e.error ?? null, inbox.id, e.externalId));
      if (e.optedOut) push('other', raw(OPTED_OUT_BY_STATUS, now, inbox.id, e.externalId));
      return;
    case 'receipt': return push('status', raw(UPDATE_THREAD_DELIVERY, e.status, inbox.id, e.threadKey, e.upTo ?? null, e.upToExternalId ?? null, now));
    case 'edit': return push('status', raw(EDIT, e.text, at(e.at, now), inbox.id, e.externalId));
    case 'delete': return push('status', raw(DELETE, at(e.at, now), inbox.id, e.externalId));
    case 'reaction': return push('status', raw(REACT, e.by.replaceAll('"', ''), e.emoji || null, inbox.id, e.externalId));
    case 'skipped': return push('skip', raw(COUNT_SKIP, inbox.id, e.type, e.reason, now));
  }
}

const at = (t: number, now: number) => (Number.isFinite(t) && t > 0 && t < now + 5 * 60_000 ? t : now);
