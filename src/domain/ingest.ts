// The one door into the store for everything a channel delivers. A whole delivery (webhook
// body, poll page) is one atomic unit shaped as a single batch: ids are made up front and
// each statement finds what the previous ones wrote through subqueries, so it runs as a
// better-sqlite3 transaction or a D1 batch alike. Replays are no-ops through
// UNIQUE(inbox_id, external_id); the conversation update only matches a message inserted
// by this very batch (its fresh id), so counters never double count.
import type { InboundEvent, InboundMessageEvent, InboundStatusEvent } from '../../connectors/types.js';
import { emitEvents, type EventDraft } from '../events/emit.js';
import type { Deps } from './deps.js';
import { newId } from './ids.js';
import { raw, type Row, type Stmt } from './store.js';
import { messageView } from './views.js';

export interface IngestInbox { id: string; channel: string }
export interface IngestOptions { cursor?: { name?: string; value: string | null } }
export interface IngestResult {
  inserted: { messageId: string; conversationId: string }[];
  createdConversations: string[];
  statusUpdates: number;
}

// Where a message belongs: the conversation of a message it answers, else its thread.
const CONVERSATION_OF = `coalesce(
  (SELECT m.conversation_id FROM messages m WHERE m.inbox_id = ? AND m.external_id IN (SELECT value FROM json_each(?)) ORDER BY m.created_at DESC LIMIT 1),
  (SELECT id FROM conversations WHERE inbox_id = ? AND thread_key = ?))`;

const INSERT_CONTACT = `INSERT INTO contacts(id, name, email, phone, attributes, created_at)
  SELECT ?, ?, ?, ?, '{}', ? WHERE NOT EXISTS (SELECT 1 FROM contact_identities WHERE inbox_id = ? AND external_id = ?)`;

// Fills in profile fields we did not know yet; matches no row when nothing is new, so the
// search-index trigger does not fire on every message.
const FILL_CONTACT = `UPDATE contacts SET name = coalesce(name, ?1), email = coalesce(email, ?2), phone = coalesce(phone, ?3)
  WHERE id = (SELECT contact_id FROM contact_identities WHERE inbox_id = ?4 AND external_id = ?5)
    AND ((name IS NULL AND ?1 IS NOT NULL) OR (email IS NULL AND ?2 IS NOT NULL) OR (phone IS NULL AND ?3 IS NOT NULL))`;

const UPSERT_IDENTITY = `INSERT INTO contact_identities(id, inbox_id, channel, external_id, contact_id, handle, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(inbox_id, external_id) DO UPDATE SET handle = excluded.handle
  WHERE excluded.handle IS NOT NULL AND excluded.handle IS NOT contact_identities.handle`;

const OPEN_CONVERSATION = `INSERT INTO conversations(id, inbox_id, contact_id, identity_id, thread_key, subject, status, last_activity_at, created_at)
  SELECT ?, ?, ci.contact_id, ci.id, ?, ?, 'open', ?, ? FROM contact_identities ci
  WHERE ci.inbox_id = ? AND ci.external_id = ? AND ${CONVERSATION_OF} IS NULL
  ON CONFLICT(inbox_id, thread_key) DO NOTHING RETURNING id`;

const INSERT_MESSAGE = `INSERT INTO messages(id, conversation_id, inbox_id, direction, private, content, html, sender_type, sender_id,
    external_id, in_reply_to, delivery_status, attachments, meta, created_at)
  SELECT ?, c.id, c.inbox_id, ?, 0, ?, ?, ?, CASE WHEN ? = 'contact' THEN (SELECT contact_id FROM contact_identities WHERE inbox_id = c.inbox_id AND external_id = ?) END,
    ?, ?, ?, ?, ?, ? FROM conversations c WHERE c.id = ${CONVERSATION_OF}
  ON CONFLICT(inbox_id, external_id) DO NOTHING RETURNING id, conversation_id`;

const INSERT_ATTACHMENT = `INSERT INTO attachments(id, message_id, inbox_id, filename, content_type, size, data, url, created_at)
  SELECT ?, id, inbox_id, ?, ?, ?, ?, ?, ? FROM messages WHERE id = ?`;

// A customer's message: unread, waiting, and back to open from resolved/snoozed/pending.
const TOUCH_ON_INBOUND = `UPDATE conversations SET
    last_message_id = CASE WHEN ?1 >= last_activity_at THEN ?2 ELSE last_message_id END,
    last_activity_at = max(last_activity_at, ?1),
    last_incoming_at = max(coalesce(last_incoming_at, 0), ?1),
    message_count = message_count + 1, unread_count = unread_count + 1,
    waiting_since = coalesce(waiting_since, ?1),
    status = CASE WHEN status IN ('resolved', 'snoozed', 'pending') THEN 'open' ELSE status END,
    snooze_until = NULL, resolved_at = NULL
  WHERE id = (SELECT conversation_id FROM messages WHERE id = ?2) RETURNING *`;

// Our own message seen on the platform (sent from its native app): counts as a reply.
const TOUCH_ON_ECHO = `UPDATE conversations SET
    last_message_id = CASE WHEN ?1 >= last_activity_at THEN ?2 ELSE last_message_id END,
    last_activity_at = max(last_activity_at, ?1),
    message_count = message_count + 1,
    first_reply_at = coalesce(first_reply_at, ?1), waiting_since = NULL
  WHERE id = (SELECT conversation_id FROM messages WHERE id = ?2) RETURNING *`;

const STATUS_RANK = `CASE delivery_status WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 4 END`;
const UPDATE_DELIVERY = `UPDATE messages SET delivery_status = ?1, error = ?2
  WHERE inbox_id = ?3 AND external_id = ?4 AND direction = 'out' AND delivery_status <> 'failed'
    AND (?1 = 'failed' OR ${STATUS_RANK} < (CASE ?1 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 4 END))
  RETURNING *`;

const UPSERT_CURSOR = `INSERT INTO connector_cursors(inbox_id, name, cursor, updated_at) VALUES (?, ?, ?, ?)
  ON CONFLICT(inbox_id, name) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`;

type Kind = 'message' | 'status' | 'touch' | 'conversation' | 'other';

export async function ingest(deps: Deps, inbox: IngestInbox, events: InboundEvent[], opts: IngestOptions = {}): Promise<IngestResult> {
  const now = deps.clock.now();
  const stmts: Stmt[] = [];
  const kinds: Kind[] = [];
  const push = (k: Kind, s: Stmt) => { stmts.push(s); kinds.push(k); };

  for (const e of events) {
    if (e.kind === 'status') pushStatus(push, inbox, e);
    else pushMessage(push, inbox, e, now);
  }
  if (opts.cursor) push('other', raw(UPSERT_CURSOR, inbox.id, opts.cursor.name ?? 'default', opts.cursor.value, now));
  if (stmts.length === 0) return { inserted: [], createdConversations: [], statusUpdates: 0 };

  const results = await deps.store.atomically(stmts);

  const inserted: IngestResult['inserted'] = [];
  const createdConversations: string[] = [];
  const touched: Row[] = [];
  const delivery: Row[] = [];
  results.forEach((rows, i) => {
    if (rows.length === 0) return;
    if (kinds[i] === 'message') inserted.push({ messageId: rows[0].id as string, conversationId: rows[0].conversation_id as string });
    else if (kinds[i] === 'conversation') createdConversations.push(rows[0].id as string);
    else if (kinds[i] === 'touch') touched.push(rows[0]);
    else if (kinds[i] === 'status') delivery.push(...rows);
  });

  await emitAfterIngest(deps, inbox, inserted, createdConversations, touched, delivery);
  return { inserted, createdConversations, statusUpdates: delivery.length };
}

function pushMessage(push: (k: Kind, s: Stmt) => void, inbox: IngestInbox, e: InboundMessageEvent, now: number) {
  const s = e.sender;
  const sentAt = Number.isFinite(e.sentAt) && e.sentAt > 0 && e.sentAt < now + 5 * 60_000 ? e.sentAt : now;
  const refs = JSON.stringify(e.inReplyTo ?? []);
  const msgId = newId();
  const contactId = newId();
  const inbound = e.kind === 'message';

  push('other', raw(INSERT_CONTACT, contactId, s.name ?? null, s.email ?? null, s.phone ?? null, now, inbox.id, s.externalId));
  if (s.name || s.email || s.phone) push('other', raw(FILL_CONTACT, s.name ?? null, s.email ?? null, s.phone ?? null, inbox.id, s.externalId));
  push('other', raw(UPSERT_IDENTITY, newId(), inbox.id, inbox.channel, s.externalId, contactId, s.handle ?? null, now));
  // Automated mail may join a thread but never opens one (no loops with auto-responders).
  if (!e.automated) {
    push('conversation', raw(OPEN_CONVERSATION, newId(), inbox.id, e.threadKey, e.subject ?? null, sentAt, now,
      inbox.id, s.externalId, inbox.id, refs, inbox.id, e.threadKey));
  }
  const attachmentsMeta = e.attachments.map((a) => ({ id: newId(), filename: a.filename, contentType: a.contentType, size: a.size, url: a.url ?? null }));
  const meta = { ...(e.meta ?? {}), ...(e.subject ? { subject: e.subject } : {}), ...(e.automated ? { automated: true } : {}) };
  push('message', raw(INSERT_MESSAGE,
    msgId, inbound ? 'in' : 'out', e.text, e.html ?? null, inbound ? 'contact' : 'user', inbound ? 'contact' : 'user', s.externalId,
    e.externalId, e.inReplyTo?.[0] ?? null, inbound ? 'received' : 'sent',
    attachmentsMeta.length ? JSON.stringify(attachmentsMeta) : null, Object.keys(meta).length ? JSON.stringify(meta) : null, sentAt,
    inbox.id, refs, inbox.id, e.threadKey));
  e.attachments.forEach((a, i) => {
    push('other', raw(INSERT_ATTACHMENT, attachmentsMeta[i].id, a.filename, a.contentType, a.size, a.data ?? null, a.url ?? null, now, msgId));
  });
  push('touch', raw(inbound ? TOUCH_ON_INBOUND : TOUCH_ON_ECHO, sentAt, msgId));
}

function pushStatus(push: (k: Kind, s: Stmt) => void, inbox: IngestInbox, e: InboundStatusEvent) {
  push('status', raw(UPDATE_DELIVERY, e.status, e.error ?? null, inbox.id, e.externalId));
}

async function emitAfterIngest(deps: Deps, inbox: IngestInbox, inserted: IngestResult['inserted'], created: string[], touched: Row[], delivery: Row[]) {
  if (inserted.length === 0 && delivery.length === 0) return;
  const drafts: EventDraft[] = [];
  for (const id of created) drafts.push({ type: 'conversation.created', inboxId: inbox.id, conversationId: id, payload: { conversationId: id, channel: inbox.channel } });
  if (inserted.length) {
    const ids = JSON.stringify(inserted.map((m) => m.messageId));
    const rows = await deps.store.all('SELECT * FROM messages WHERE id IN (SELECT value FROM json_each(?)) ORDER BY created_at, id', [ids]);
    for (const r of rows) drafts.push({ type: 'message.created', inboxId: inbox.id, conversationId: r.conversation_id as string, payload: { message: messageView(r) } });
  }
  const seen = new Set<string>();
  for (const c of touched.reverse()) {
    if (seen.has(c.id as string)) continue;
    seen.add(c.id as string);
    drafts.push({ type: 'conversation.updated', inboxId: inbox.id, conversationId: c.id as string, payload: { conversationId: c.id, status: c.status, assigneeId: c.assignee_id, teamId: c.team_id, unreadCount: c.unread_count, lastActivityAt: c.last_activity_at } });
  }
  for (const r of delivery) drafts.push({ type: 'message.updated', inboxId: inbox.id, conversationId: r.conversation_id as string, payload: { message: messageView(r) } });
  await emitEvents(deps, drafts);
}
