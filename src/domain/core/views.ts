// Row (snake_case, as SQLite returns it) -> API JSON (camelCase). One place per resource.
import type { Row } from './store.js';
import type { ConversationRow, MessageRow } from './rows.js';

const json = <T>(v: unknown, fallback: T): T => {
  if (v == null) return fallback;
  if (typeof v !== 'string') return v as T;
  try { return JSON.parse(v) as T; } catch { return fallback; }
};

export interface MessageView {
  id: string;
  conversationId: string;
  direction: 'in' | 'out';
  private: boolean;
  content: string;
  html?: string | null;
  sender: { type: 'contact' | 'user' | 'bot'; id: string | null };
  createdAt: string;
  deliveryStatus: string | null;
  error: string | null;
  externalId: string | null;
  attachments: AttachmentView[];
  /** An auto-reply or bounce: shown, but nothing reacts to it. */
  automated?: true;
  /** Mass mail (mailing list, newsletter): shown and answerable by hand, never answered automatically; details in `meta.bulk`. */
  bulk?: true;
  /** The customer changed the text; `edits` are the earlier versions, oldest first. */
  edited?: { at: string; edits: { content: string; replacedAt: string }[] };
  /** The customer withdrew it: `content` is '' in lists and search; the original stays here for the record. */
  deleted?: { at: string; by: 'contact'; content: string };
  /** Reactions on this message, one per person (the customer's or ours seen on the platform). */
  reactions?: { emoji: string; by: string }[];
  /** The receiving server could not verify the sender (SPF/DKIM/DMARC), or mail claimed our own address. */
  unverifiedSender?: true;
  /** What the platform sent besides the text (button payloads, locations, shares, referrals, …). */
  meta?: Record<string, unknown>;
}

/** meta keys shown as their own fields (or internal), not repeated under `meta`. */
const OWN_META_KEYS = new Set(['automated', 'edited', 'edits', 'deleted', 'reactions']);

function metaFields(m: Record<string, unknown>): Partial<MessageView> {
  const out: Partial<MessageView> = {};
  if (m.automated) out.automated = true;
  if (m.bulk) out.bulk = true;
  if (m.unverifiedSender) out.unverifiedSender = true;
  const edited = m.edited as { at?: number } | undefined;
  if (edited) {
    const edits = Array.isArray(m.edits) ? (m.edits as { content: string; replacedAt: number }[]) : [];
    out.edited = { at: iso(edited.at) ?? '', edits: edits.map((x) => ({ content: x.content, replacedAt: iso(x.replacedAt) ?? '' })) };
  }
  const deleted = m.deleted as { at?: number; content?: string } | undefined;
  if (deleted) out.deleted = { at: iso(deleted.at) ?? '', by: 'contact', content: deleted.content ?? '' };
  if (m.reactions && typeof m.reactions === 'object') {
    const list = Object.entries(m.reactions).flatMap(([by, emoji]: [string, unknown]) => (typeof emoji === 'string' && emoji ? [{ emoji, by }] : []));
    if (list.length) out.reactions = list;
  }
  let rest: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(m)) if (!OWN_META_KEYS.has(k)) (rest ??= {})[k] = v;
  if (rest) out.meta = rest;
  return out;
}

/** A message's file as the API lists it (messages.attachments holds these, kept by ATTACHMENTS_JSON). */
export interface AttachmentView {
  id: string; name: string; filename: string; contentType: string; size: number;
  /** Fetchable with the reader's token or session; scoped like the conversation. */
  url: string;
  /** ready | pending (being downloaded) | refused | failed: error says why. */
  state: string;
  kind: string | null;
  error: string | null;
}
export const attachmentUrl = (id: string) => `/api/v1/attachments/${id}`;
export function attachmentView(a: { id: string; filename: string; contentType: string; size: number; state?: string; kind?: string | null; error?: string | null }): AttachmentView {
  return { id: a.id, name: a.filename, filename: a.filename, contentType: a.contentType, size: a.size, url: attachmentUrl(a.id), state: a.state ?? 'ready', kind: a.kind ?? null, error: a.error ?? null };
}
/** The same JSON from the attachments table, for the statement that refreshes messages.attachments (?1 = message id). */
export const ATTACHMENTS_JSON = `(SELECT json_group_array(json_object('id', a.id, 'name', a.filename, 'filename', a.filename,
    'contentType', a.content_type, 'size', a.size, 'url', '/api/v1/attachments/' || a.id, 'state', a.state, 'kind', a.kind, 'error', a.error))
  FROM (SELECT * FROM attachments WHERE message_id = ?1 ORDER BY id) a)`;

/** What messageView reads: a messages row, or its columns picked by a query. */
export type MessageViewRow = Pick<MessageRow, 'id' | 'conversation_id' | 'direction' | 'private' | 'content' | 'sender_type' | 'created_at'>
  & Partial<Pick<MessageRow, 'html' | 'sender_id' | 'delivery_status' | 'error' | 'external_id' | 'attachments' | 'meta'>>;
export function messageView(r: MessageViewRow): MessageView {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    direction: r.direction,
    private: Boolean(r.private),
    content: r.content,
    html: r.html ?? null,
    sender: { type: r.sender_type, id: r.sender_id ?? null },
    createdAt: isoString(r.created_at),
    deliveryStatus: r.delivery_status ?? null,
    error: r.error ?? null,
    externalId: r.external_id ?? null,
    attachments: json<AttachmentView[]>(r.attachments, []),
    ...(r.meta == null ? {} : metaFields(json<Record<string, unknown>>(r.meta, {}))),
  };
}

// The order Object.entries walks an object's keys: integer-like keys first, ascending, then the rest as written.
const JS_KEY_ORDER = `CASE WHEN key = '0' OR (key GLOB '[1-9]*' AND NOT key GLOB '*[^0-9]*' AND length(key) < 10) THEN CAST(key AS INTEGER) END NULLS LAST, id`;
/** Epoch ms (an integer column or JSON value) -> ISO 8601 text in SQL, as isoString gives it. */
// (A time bound from JS may be stored as a REAL: cast, so / and % are integer arithmetic.)
const isoSql = (ms: string) => `CASE WHEN ${ms} IS NOT NULL THEN strftime('%Y-%m-%dT%H:%M:%S', CAST(${ms} AS INTEGER) / 1000, 'unixepoch') || '.' || substr('00' || (CAST(${ms} AS INTEGER) % 1000), -3) || 'Z' END`;

/**
 * messageView as one SQL expression over a messages row `x` (same JSON), for statements that
 * store an event about a row they also write (a D1 batch cannot hand its rows to JS half way).
 * Keys messageView leaves out are null in the json_patch (which drops them); the rest of meta
 * is set last with json_set, which keeps nulls inside it.
 */
export function messageViewSql(x: string): string {
  const meta = `${x}.meta`;
  const base = `json_object('id', ${x}.id, 'conversationId', ${x}.conversation_id, 'direction', ${x}.direction,
    'private', json(CASE WHEN ${x}.private THEN 'true' ELSE 'false' END), 'content', ${x}.content, 'html', ${x}.html,
    'sender', json_object('type', ${x}.sender_type, 'id', ${x}.sender_id), 'createdAt', ${isoSql(`${x}.created_at`)},
    'deliveryStatus', ${x}.delivery_status, 'error', ${x}.error, 'externalId', ${x}.external_id,
    'attachments', json(coalesce(${x}.attachments, '[]')))`;
  const own = `json_object(
    'automated', CASE WHEN ${meta}->>'$.automated' THEN json('true') END,
    'unverifiedSender', CASE WHEN ${meta}->>'$.unverifiedSender' THEN json('true') END,
    'edited', json(CASE WHEN json_type(${meta}, '$.edited') = 'object' THEN json_object('at', coalesce(${isoSql(`(${meta}->>'$.edited.at')`)}, ''),
      'edits', json((SELECT json_group_array(json_object('content', e.value->>'content', 'replacedAt', coalesce(${isoSql("(e.value->>'replacedAt')")}, '')))
        FROM (SELECT value FROM json_each(${meta}, '$.edits') WHERE json_type(${meta}, '$.edits') = 'array' ORDER BY key) e))) END),
    'deleted', json(CASE WHEN json_type(${meta}, '$.deleted') = 'object' THEN json_object('at', coalesce(${isoSql(`(${meta}->>'$.deleted.at')`)}, ''),
      'by', 'contact', 'content', coalesce(${meta}->>'$.deleted.content', '')) END),
    'reactions', json((SELECT CASE WHEN count(*) > 0 THEN json_group_array(json_object('emoji', r.value, 'by', r.key)) END
      FROM (SELECT key, value FROM json_each(${meta}, '$.reactions') WHERE json_type(${meta}, '$.reactions') = 'object' AND value IS NOT NULL AND value <> ''
        ORDER BY ${JS_KEY_ORDER}) r)))`;
  const rest = `json_remove(${meta}, '$.automated', '$.edited', '$.edits', '$.deleted', '$.reactions')`;
  const view = `json_patch(${base}, ${own})`;
  return `(CASE WHEN json_valid(${meta}) AND json_type(${meta}) = 'object' AND ${rest} <> '{}' THEN json_set(${view}, '$.meta', json(${rest})) ELSE ${view} END)`;
}

const p2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
/**
 * Epoch ms -> the exact string Date#toISOString gives, computed arithmetically for integer
 * times in years 1970..9999 (4-5× cheaper here than a Date per field; a list page formats ~250
 * of them). Anything else goes through Date. Checked against toISOString on 2M random times.
 */
export function isoString(ms: number): string {
  if (!(Number.isInteger(ms) && ms >= 0 && ms < 253402300800000)) return new Date(ms).toISOString();
  const days = Math.floor(ms / 86400000);
  let rem = ms - days * 86400000;
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm, proleptic Gregorian).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const h = Math.floor(rem / 3600000); rem -= h * 3600000;
  const mi = Math.floor(rem / 60000); rem -= mi * 60000;
  const sec = Math.floor(rem / 1000);
  const milli = rem - sec * 1000;
  const ys = y < 10 ? `000${y}` : y < 100 ? `00${y}` : y < 1000 ? `0${y}` : `${y}`;
  return `${ys}-${p2(m)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(sec)}.${milli < 10 ? `00${milli}` : milli < 100 ? `0${milli}` : milli}Z`;
}
/** A stored time (epoch ms) or null -> its ISO string or null. */
export const isoOrNull = (v: number | null | undefined) => (v == null ? null : isoString(v));
const iso = isoOrNull;

/** Conversation row joined with contact_name, channel, labels (comma list) and last message columns. */
export type ConversationViewRow = Pick<ConversationRow, 'id' | 'inbox_id' | 'status' | 'subject' | 'assignee_id' | 'team_id' | 'contact_id'
  | 'last_activity_at' | 'unread_count' | 'message_count' | 'snooze_until' | 'first_reply_at' | 'waiting_since' | 'last_incoming_at'
  | 'resolved_at' | 'created_at'> & Partial<Pick<ConversationRow, 'origin'>> & {
  channel: string; contact_name: string | null; labels: string | null; lm_content: string | null; lm_direction: MessageRow['direction'] | null;
  lm_private: number | null; lm_created_at: number | null; sla_json: string | null; csat_json: string | null;
};
/** A row read with CONVERSATION_COLUMNS: the whole conversations row and the joined columns. */
export type ConversationFullRow = ConversationRow & ConversationViewRow;
export function conversationView(r: ConversationViewRow) {
  return {
    id: r.id,
    inboxId: r.inbox_id,
    channel: r.channel,
    status: r.status,
    subject: r.subject ?? null,
    assigneeId: r.assignee_id ?? null,
    teamId: r.team_id ?? null,
    labels: r.labels ? String(r.labels).split('\u001f').filter(Boolean).sort() : [],
    contact: { id: r.contact_id, name: r.contact_name ?? null },
    lastMessage: r.lm_content == null ? null : {
      content: r.lm_content,
      direction: r.lm_direction,
      private: Boolean(r.lm_private),
      createdAt: iso(r.lm_created_at),
    },
    lastActivityAt: iso(r.last_activity_at),
    unreadCount: r.unread_count,
    messageCount: r.message_count,
    snoozeUntil: iso(r.snooze_until),
    firstReplyAt: iso(r.first_reply_at),
    waitingSince: iso(r.waiting_since),
    lastIncomingAt: iso(r.last_incoming_at),
    resolvedAt: iso(r.resolved_at),
    createdAt: iso(r.created_at),
    // workflow-service: the open SLA clock and the customer's rating.
    sla: slaView(r.sla_json),
    csat: json<{ rating: number; comment: string | null } | null>(r.csat_json, null),
    // Where the customer came from (an ad, a shared link), when a referral said so.
    ...(r.origin ? { origin: json<Record<string, unknown>>(r.origin, {}) } : {}),
  };
}

function slaView(v: unknown): { state: string; kind: string; dueAt: string | null } | null {
  const s = json<{ state: string; kind: string; dueAt: number } | null>(v, null);
  return s ? { state: s.state, kind: s.kind, dueAt: iso(s.dueAt) } : null;
}
export type ConversationView = ReturnType<typeof conversationView>;

// Joined and computed columns of a conversation row (one definition, used by both SELECT lists below).
const CONTACT_NAME = `coalesce(ct.name, ct.email, ct.phone, (SELECT handle FROM contact_identities WHERE id = c.identity_id))`;
const LABELS = `(SELECT group_concat(label, char(31)) FROM conversation_labels cl WHERE cl.conversation_id = c.id)`;
const SLA_JSON = `(SELECT json_object('state', s.state, 'kind', s.kind, 'dueAt', s.due_at) FROM sla_clocks s WHERE s.conversation_id = c.id AND s.closed_at IS NULL ORDER BY s.started_at DESC LIMIT 1)`;
const CSAT_JSON = `(SELECT json_object('rating', r.rating, 'comment', r.comment) FROM csat_responses r WHERE r.conversation_id = c.id)`;

/** The SELECT list conversationView expects; FROM conversations c. */
export const CONVERSATION_COLUMNS = `c.*, i.channel AS channel,
  ${CONTACT_NAME} AS contact_name,
  ${LABELS} AS labels,
  lm.content AS lm_content, lm.direction AS lm_direction, lm.private AS lm_private, lm.created_at AS lm_created_at,
  ${SLA_JSON} AS sla_json,
  ${CSAT_JSON} AS csat_json`;

/**
 * Exactly the columns conversationView reads, in a fixed order, for pages of many rows (the
 * list): read as value arrays (store.values) and turned into rows by conversationRowFromValues,
 * since better-sqlite3 building a keyed object per row cost more than the query itself
 * (docs/performance.md). A field added to conversationView must be added here too.
 */
const LIST_FIELDS: [string, string][] = [
  ['id', 'c.id'], ['inbox_id', 'c.inbox_id'], ['channel', 'i.channel'], ['status', 'c.status'], ['subject', 'c.subject'],
  ['assignee_id', 'c.assignee_id'], ['team_id', 'c.team_id'], ['labels', LABELS], ['contact_id', 'c.contact_id'],
  ['contact_name', CONTACT_NAME], ['lm_content', 'lm.content'], ['lm_direction', 'lm.direction'], ['lm_private', 'lm.private'],
  ['lm_created_at', 'lm.created_at'], ['last_activity_at', 'c.last_activity_at'], ['unread_count', 'c.unread_count'],
  ['message_count', 'c.message_count'], ['snooze_until', 'c.snooze_until'], ['first_reply_at', 'c.first_reply_at'],
  ['waiting_since', 'c.waiting_since'], ['last_incoming_at', 'c.last_incoming_at'], ['resolved_at', 'c.resolved_at'],
  ['created_at', 'c.created_at'], ['sla_json', SLA_JSON], ['csat_json', CSAT_JSON],
];
export const CONVERSATION_LIST_COLUMNS = LIST_FIELDS.map(([name, expr]) => `${expr} AS ${name}`).join(', ');
export const LIST_NAMES = LIST_FIELDS.map(([name]) => name);
/**
 * One object literal (its positions follow LIST_FIELDS; tests/views-list-row.test.ts holds
 * them together): 25 properties added one by one in a loop make V8 build each object through
 * transitions; a page of 26 rows took 38 µs that way and 0.7 µs as a literal (a micro
 * benchmark; under HTTP load the difference is within the run-to-run noise).
 */
export function conversationRowFromValues(v: unknown[]): ConversationViewRow {
  return {
    id: v[0], inbox_id: v[1], channel: v[2], status: v[3], subject: v[4], assignee_id: v[5], team_id: v[6], labels: v[7],
    contact_id: v[8], contact_name: v[9], lm_content: v[10], lm_direction: v[11], lm_private: v[12], lm_created_at: v[13],
    last_activity_at: v[14], unread_count: v[15], message_count: v[16], snooze_until: v[17], first_reply_at: v[18],
    waiting_since: v[19], last_incoming_at: v[20], resolved_at: v[21], created_at: v[22], sla_json: v[23], csat_json: v[24],
  } as ConversationViewRow; // the values are LIST_FIELDS' columns, in order
}
export const CONVERSATION_JOINS = `JOIN inboxes i ON i.id = c.inbox_id
  JOIN contacts ct ON ct.id = c.contact_id
  LEFT JOIN messages lm ON lm.id = c.last_message_id`;
