// The one door into the store for everything a channel delivers. A whole delivery (webhook
// body, poll page) is one atomic unit shaped as a single batch: ids are made up front and
// each statement finds what the previous ones wrote through subqueries, so it runs as a
// better-sqlite3 transaction or a D1 batch alike. Replays are no-ops through
// UNIQUE(inbox_id, external_id); the conversation update only matches a message inserted
// by this very batch (its fresh id), so counters never double count.
// Speed (docs/performance.md): the messages of a delivery are written by ONE statement (the
// FTS5 trigger then flushes one index segment per delivery instead of one per message), and
// contacts/identities are upserted once per sender. A delivery is cut into segments where a
// message answers (inReplyTo) one earlier in the same delivery, so threading sees exactly
// what it would see message by message.
import { isMessageEvent, type InboundEvent, type InboundMessageEvent } from '../../../connectors/types.js';
import { publishRows } from '../events/emit.js';
import type { Deps } from '../deps.js';
import { withinLimits } from './ingest-limits.js';
import { newId } from '../core/ids.js';
import { conversationsCreated, conversationsTouched, messagesCreated } from './ingest-events.js';
import { prepareAttachments, type PreparedFiles } from '../media/inbound-media.js';
import { raw, type Row, type Stmt } from '../core/store.js';
import type { MessageRow } from '../core/rows.js';
import { textOf } from '../core/returned.js';
import type { MessageViewRow } from '../core/views.js';
import { attachmentView, messageView } from '../core/views.js';
import { pushUpdate } from './ingest-updates.js';

export interface IngestInbox { id: string; channel: string }
export interface IngestOptions { cursor?: { name?: string; value: string | null } }
export interface IngestResult {
  inserted: { messageId: string; conversationId: string }[];
  createdConversations: string[];
  statusUpdates: number;
}

// Set-based over a segment (json_each, in delivery order): one contact + identity per new
// sender, profile fields filled in, a conversation per new thread, then the messages.
const J = (k: string) => `j.value->>'${k}'`;
// A sender new under this id but known under an alias (same person, another id): the new id
// joins the alias's contact, so INSERT_CONTACTS below makes no second contact.
const JOIN_ALIAS_CONTACT = `INSERT INTO contact_identities(id, inbox_id, channel, external_id, contact_id, created_at)
  SELECT ?1, ?2, ?3, ?4, ci.contact_id, ?5 FROM contact_identities ci
  WHERE ci.inbox_id = ?2 AND ci.external_id IN (SELECT value FROM json_each(?6)) ORDER BY ci.created_at LIMIT 1
  ON CONFLICT(inbox_id, external_id) DO NOTHING`;
// ... and each alias not known yet becomes an identity of the sender's contact.
const ADD_ALIASES = `INSERT INTO contact_identities(id, inbox_id, channel, external_id, contact_id, created_at)
  SELECT ${J('iid')}, ?2, ?3, ${J('ext')}, (SELECT contact_id FROM contact_identities WHERE inbox_id = ?2 AND external_id = ?4), ?5
  FROM json_each(?1) j WHERE true ON CONFLICT(inbox_id, external_id) DO NOTHING`;
const INSERT_CONTACTS = `INSERT INTO contacts(id, name, email, phone, attributes, created_at)
  SELECT ${J('cid')}, ${J('name')}, ${J('email')}, ${J('phone')}, '{}', ?2 FROM json_each(?1) j
  WHERE NOT EXISTS (SELECT 1 FROM contact_identities WHERE inbox_id = ?3 AND external_id = ${J('ext')}) ORDER BY j.key`;
const UPSERT_IDENTITIES = `INSERT INTO contact_identities(id, inbox_id, channel, external_id, contact_id, handle, created_at)
  SELECT ${J('iid')}, ?2, ?3, ${J('ext')}, ${J('cid')}, ${J('handle')}, ?4 FROM json_each(?1) j WHERE true ORDER BY j.key
  ON CONFLICT(inbox_id, external_id) DO UPDATE SET handle = excluded.handle
  WHERE excluded.handle IS NOT NULL AND excluded.handle IS NOT contact_identities.handle`;
// Fills in profile fields we did not know yet; matches no row when nothing is new, so the
// search-index trigger does not fire on every message. One per sender (an UPDATE ... FROM
// json_each would scan contacts: SQLite puts the target table first).
const FILL_CONTACT = `UPDATE contacts SET name = coalesce(name, ?1), email = coalesce(email, ?2), phone = coalesce(phone, ?3)
  WHERE id = (SELECT contact_id FROM contact_identities WHERE inbox_id = ?4 AND external_id = ?5)
    AND ((name IS NULL AND ?1 IS NOT NULL) OR (email IS NULL AND ?2 IS NOT NULL) OR (phone IS NULL AND ?3 IS NOT NULL))`;
// Where a message belongs: the conversation of a message it answers, else its thread.
const CONVERSATION_OF_ROW = `coalesce(
    (SELECT m.conversation_id FROM messages m WHERE m.inbox_id = ?2 AND m.external_id IN (SELECT value FROM json_each(j.value, '$.refs')) ORDER BY m.created_at DESC LIMIT 1),
    (SELECT id FROM conversations WHERE inbox_id = ?2 AND thread_key = ${J('thread')}))`;
// Two new threads with one thread_key: ON CONFLICT keeps the first, as two single inserts in a row would.
const OPEN_CONVERSATIONS = `INSERT INTO conversations(id, inbox_id, contact_id, identity_id, thread_key, subject, status, last_activity_at, created_at)
  SELECT ${J('id')}, ?2, ci.contact_id, ci.id, ${J('thread')}, ${J('subject')}, 'open', ${J('at')}, ?3
  FROM json_each(?1) j CROSS JOIN contact_identities ci
  WHERE ci.inbox_id = ?2 AND ci.external_id = ${J('sender')} AND ${CONVERSATION_OF_ROW} IS NULL
  ORDER BY j.key
  ON CONFLICT(inbox_id, thread_key) DO NOTHING RETURNING id`;

// All messages of a segment, in delivery order; each finds its conversation as above, seeing
// the messages stored before this segment.
const INSERT_MESSAGES = `INSERT INTO messages(id, conversation_id, inbox_id, direction, private, content, html, sender_type, sender_id,
    external_id, in_reply_to, delivery_status, attachments, meta, created_at)
  SELECT ${J('id')}, c.id, c.inbox_id, ${J('dir')}, 0, ${J('text')}, ${J('html')}, ${J('st')},
    CASE WHEN ${J('st')} = 'contact' THEN (SELECT contact_id FROM contact_identities WHERE inbox_id = c.inbox_id AND external_id = ${J('sender')}) END,
    ${J('ext')}, ${J('irt')}, ${J('ds')}, ${J('att')}, ${J('meta')}, ${J('at')}
  FROM json_each(?1) j CROSS JOIN conversations c
  WHERE c.id = ${CONVERSATION_OF_ROW}
  ORDER BY j.key
  ON CONFLICT(inbox_id, external_id) DO NOTHING RETURNING id, conversation_id`;

// A message that came through a referral (an ad, a link the business shared): the conversation
// keeps where the customer came from (the latest referral wins).
const SET_ORIGIN = `UPDATE conversations SET origin = json(?1)
  WHERE id = (SELECT conversation_id FROM messages WHERE inbox_id = ?2 AND external_id = ?3) AND origin IS NOT json(?1)`;

// The customer opted out (or back in) on this channel account: their identity is marked.
const SET_OPT_OUT = `UPDATE contact_identities SET opted_out_at = ?1 WHERE inbox_id = ?2 AND external_id = ?3`;

// Only when the message itself was inserted (a replay inserts neither).
const INSERT_ATTACHMENT = `INSERT INTO attachments(id, message_id, inbox_id, filename, content_type, size, url, sha256, source, state, error, kind, remote, next_attempt_at, created_at)
  SELECT ?, id, inbox_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM messages WHERE id = ?`;

// A customer's message: unread, waiting, and back to open from resolved/snoozed/pending.
const TOUCH_ON_INBOUND = `UPDATE conversations SET
    last_message_id = CASE WHEN ?1 >= last_activity_at THEN ?2 ELSE last_message_id END,
    last_activity_at = max(last_activity_at, ?1),
    last_incoming_at = max(coalesce(last_incoming_at, 0), ?1),
    message_count = message_count + 1, unread_count = unread_count + 1,
    waiting_since = coalesce(waiting_since, ?1),
    status = CASE WHEN status IN ('resolved', 'snoozed', 'pending') THEN 'open' ELSE status END,
    snooze_until = NULL, resolved_at = NULL
  WHERE id = (SELECT conversation_id FROM messages WHERE id = ?2)`;

// An auto-reply or bounce filed on an existing thread: counted, but it wakes nothing up: no
// reopen, no unread, no waiting clock (an out-of-office must not loop with our bot).
// Mass mail marks its conversation with a label agents can see and filter by (removable).
export const BULK_LABEL = 'bulk';
const LABEL_BULK = `INSERT INTO conversation_labels(conversation_id, label)
  SELECT conversation_id, '${BULK_LABEL}' FROM messages WHERE id = ?1 AND conversation_id IS NOT NULL ON CONFLICT DO NOTHING`;

const TOUCH_ON_AUTOMATED = `UPDATE conversations SET message_count = message_count + 1
  WHERE id = (SELECT conversation_id FROM messages WHERE id = ?2) AND ?1 IS NOT NULL`;

// The platform's echo of a reply we are still sending (echoes can overtake the send API's
// answer): our queued message takes the platform id, so the echo is not stored a second time.
const ADOPT_ECHO = `UPDATE messages SET external_id = ?1
  WHERE id = (SELECT m.id FROM messages m WHERE m.conversation_id = (SELECT id FROM conversations WHERE inbox_id = ?2 AND thread_key = ?3)
      AND m.direction = 'out' AND m.private = 0 AND m.external_id IS NULL AND m.delivery_status = 'queued' AND m.content = ?4
    ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
    AND NOT EXISTS (SELECT 1 FROM messages WHERE inbox_id = ?2 AND external_id = ?1)`;

// Our own message seen on the platform (sent from its native app): counts as a reply.
const TOUCH_ON_ECHO = `UPDATE conversations SET
    last_message_id = CASE WHEN ?1 >= last_activity_at THEN ?2 ELSE last_message_id END,
    last_activity_at = max(last_activity_at, ?1),
    message_count = message_count + 1,
    first_reply_at = coalesce(first_reply_at, ?1), waiting_since = NULL
  WHERE id = (SELECT conversation_id FROM messages WHERE id = ?2)`;

const UPSERT_CURSOR = `INSERT INTO connector_cursors(inbox_id, name, cursor, updated_at) VALUES (?, ?, ?, ?)
  ON CONFLICT(inbox_id, name) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`;

export type Kind = 'messages' | 'status' | 'skip' | 'touch' | 'conversation' | 'events' | 'other';

export interface Delivery { inbox: IngestInbox; events: InboundEvent[]; opts?: IngestOptions }

export async function ingest(deps: Deps, inbox: IngestInbox, events: InboundEvent[], opts: IngestOptions = {}): Promise<IngestResult> {
  return (await ingestMany(deps, [{ inbox, events, opts }]))[0];
}

/**
 * Several deliveries in ONE atomic unit (group commit: src/domain/ingest/ingest-group.ts), with the
 * outcome of ingesting them one after another. Consecutive deliveries to one inbox (without a
 * poll cursor) are planned as one delivery, whose statements each cover all their messages:
 * a group of ten one-message webhooks runs six statements, not sixty. Their events are
 * stored by one more statement in the same unit and published after the commit.
 */
export async function ingestMany(deps: Deps, deliveries: Delivery[]): Promise<IngestResult[]> {
  const bounded = deliveries.map((d) => ({ ...d, events: d.events.map(withinLimits) }));
  // Files that came in the delivery are checked and stored first (content-addressed, so a
  // retried or replayed delivery stores nothing twice); those still on the platform queue.
  const prepared = await prepareAttachments(deps, bounded);
  const now = deps.clock.now();
  for (const d of deliveries) {
    for (const e of d.events) if (e.kind === 'skipped') deps.log.warn({ inboxId: d.inbox.id, channel: d.inbox.channel, type: e.type, reason: e.reason }, 'webhook item skipped');
  }
  const runs: number[][] = [];
  deliveries.forEach((d, k) => {
    const run = runs.at(-1);
    const head = run && deliveries[run[0]];
    if (run && head && head.inbox.id === d.inbox.id && !head.opts?.cursor && !d.opts?.cursor) run.push(k);
    else runs.push([k]);
  });
  const plans = runs.map((run) => planIngest(run.length === 1 ? bounded[run[0]] : { inbox: bounded[run[0]].inbox, events: run.flatMap((k) => bounded[k].events) }, now, prepared));
  const stmts = plans.flatMap((p) => p.stmts);
  const out: IngestResult[] = deliveries.map(() => ({ inserted: [], createdConversations: [], statusUpdates: 0 }));
  if (stmts.length === 0) return out;
  // One unit with the events of the new messages (ingest-events.ts): one transaction on
  // SQLite, ONE D1 batch.
  const results = await deps.store.atomically(stmts);
  const stored: Row[] = [];
  let at = 0;
  plans.forEach((plan, r) => {
    const mine = results.slice(at, at += plan.stmts.length);
    const members = runs[r].map((k) => deliveries[k]);
    collectResults(members, plan, mine).forEach((res, i) => { out[runs[r][i]] = res; });
    mine.forEach((rows, i) => { if (plan.kinds[i] === 'events') stored.push(...rows); });
  });
  publishRows(deps, stored);
  if (prepared.pending) deps.kickMedia?.();
  return out;
}

interface Plan { stmts: Stmt[]; kinds: Kind[]; order: Map<string, number> }

type Prepared = PreparedFiles;

function planIngest({ inbox, events, opts = {} }: Delivery, now: number, prepared: Prepared): Plan {
  const stmts: Stmt[] = [];
  const kinds: Kind[] = [];
  const push = (k: Kind, s: Stmt) => { stmts.push(s); kinds.push(k); };
  const ev: EventPlan = { threads: [], messages: [] };

  let segment: InboundMessageEvent[] = [];
  let segmentIds = new Set<string>();
  const order = new Map<string, number>();
  const flush = () => {
    if (segment.length) pushSegment(push, inbox, segment, now, order, ev, prepared);
    segment = [];
    segmentIds = new Set();
  };
  for (const e of events) {
    if (!isMessageEvent(e)) { flush(); pushUpdate(push, inbox, e, now); continue; }
    if (e.inReplyTo?.some((r) => segmentIds.has(r))) flush();
    segment.push(e);
    segmentIds.add(e.externalId);
  }
  flush();
  if (opts.cursor) push('other', raw(UPSERT_CURSOR, inbox.id, opts.cursor.name ?? 'default', opts.cursor.value, now));
  if (ev.messages.length) {
    const touchOrder = ev.messages.map((m) => m.id);
    if (ev.threads.length) push('events', conversationsCreated(inbox.id, inbox.channel, ev.threads, touchOrder, now));
    // message.created oldest first, as the stored rows sort.
    const created = [...ev.messages].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
    push('events', messagesCreated(inbox.id, created.map(({ id, view }) => ({ id, view })), now));
    push('events', conversationsTouched(inbox.id, touchOrder, now));
  }
  return { stmts, kinds, order };
}

/** What the unit's event statements need: the fresh ids, in the order the unit used them. */
interface EventPlan { threads: string[]; messages: { id: string; at: number; view: unknown }[] }

/** Results per member delivery of a plan (one member unless a run was merged). */
function collectResults(members: Delivery[], { kinds, order }: Plan, results: Row[][]): IngestResult[] {
  // Which member each message (by its ordinal among message events) and each status event came from.
  const messageOwner: number[] = [];
  const statusOwner: number[] = [];
  members.forEach((d, k) => { for (const e of d.events) (isMessageEvent(e) ? messageOwner : statusOwner).push(k); });
  const out: IngestResult[] = members.map(() => ({ inserted: [], createdConversations: [], statusUpdates: 0 }));

  const messageRows: Row[] = [];
  const createdConversations: string[] = [];
  let statusIndex = 0;
  results.forEach((rows, i) => {
    if (kinds[i] === 'status') out[statusOwner[statusIndex++]].statusUpdates += rows.length;
    else if (kinds[i] === 'skip') statusIndex++;
    if (rows.length === 0) return;
    if (kinds[i] === 'messages') messageRows.push(...rows);
    else if (kinds[i] === 'conversation') createdConversations.push(...rows.map((r) => textOf(r, 'id')).sort());
  });
  // Delivery order, as the caller gave the events.
  const inserted = messageRows.map((r) => ({ messageId: textOf(r, 'id'), conversationId: textOf(r, 'conversation_id') }));
  inserted.sort((a, b) => order.get(a.messageId)! - order.get(b.messageId)!);
  const created = new Set(createdConversations);
  for (const m of inserted) {
    const owner = out[messageOwner[order.get(m.messageId)!]];
    owner.inserted.push(m);
    // A new conversation belongs to the delivery of its first message.
    if (created.delete(m.conversationId)) owner.createdConversations.push(m.conversationId);
  }
  out[0].createdConversations.push(...created);
  for (const o of out) o.createdConversations.sort();
  return out;
}

interface Sender { externalId: string; contactId: string; name: string | null; email: string | null; phone: string | null; handle: string | null; aliases: Set<string> }

function pushSegment(push: (k: Kind, s: Stmt) => void, inbox: IngestInbox, seg: InboundMessageEvent[], now: number, order: Map<string, number>, ev: EventPlan, prepared: Prepared) {
  // Ids first, in delivery order: monotonic ULIDs keep (created_at, id) in that order too.
  const msgIds = seg.map(() => newId());
  msgIds.forEach((id) => order.set(id, order.size));

  // One contact + identity upsert per sender, with the outcome message-by-message upserts
  // would leave: the first value seen fills each empty profile field, the last handle wins.
  const senders = new Map<string, Sender>();
  for (const e of seg) {
    const s = e.sender;
    let x = senders.get(s.externalId);
    if (!x) senders.set(s.externalId, x = { externalId: s.externalId, contactId: newId(), name: null, email: null, phone: null, handle: null, aliases: new Set() });
    for (const a of s.aliases ?? []) if (a !== s.externalId) x.aliases.add(a);
    x.name ??= s.name ?? null;
    x.email ??= s.email ?? null;
    x.phone ??= s.phone ?? null;
    if (s.handle) x.handle = s.handle;
  }
  const who = [...senders.values()].map((x) => ({ ext: x.externalId, cid: x.contactId, iid: newId(), name: x.name, email: x.email, phone: x.phone, handle: x.handle }));
  const aliased = [...senders.values()].filter((x) => x.aliases.size);
  for (const x of aliased) push('other', raw(JOIN_ALIAS_CONTACT, newId(), inbox.id, inbox.channel, x.externalId, now, JSON.stringify([...x.aliases])));
  push('other', raw(INSERT_CONTACTS, JSON.stringify(who), now, inbox.id));
  push('other', raw(UPSERT_IDENTITIES, JSON.stringify(who), inbox.id, inbox.channel, now));
  for (const x of aliased) push('other', raw(ADD_ALIASES, JSON.stringify([...x.aliases].map((ext) => ({ ext, iid: newId() }))), inbox.id, inbox.channel, x.externalId, now));
  for (const x of who) if (x.name || x.email || x.phone) push('other', raw(FILL_CONTACT, x.name, x.email, x.phone, inbox.id, x.ext));

  const items = seg.map((e, i) => {
    const sentAt = Number.isFinite(e.sentAt) && e.sentAt > 0 && e.sentAt < now + 5 * 60_000 ? e.sentAt : now;
    const inbound = e.kind === 'message';
    const attachmentsMeta = e.attachments.map((a) => ({ id: newId(), ...prepared.get(a)! }));
    const meta = { ...(e.meta ?? {}), ...(e.subject ? { subject: e.subject } : {}), ...(e.automated ? { automated: true } : {}), ...(e.bulk ? { bulk: e.bulk } : {}) };
    return {
      e, sentAt, inbound, attachmentsMeta,
      row: {
        id: msgIds[i], dir: inbound ? 'in' : 'out', text: e.text, html: e.html ?? null, st: inbound ? 'contact' : 'user', sender: e.sender.externalId,
        ext: e.externalId, irt: e.inReplyTo?.[0] ?? null, ds: inbound ? 'received' : 'sent',
        att: attachmentsMeta.length ? JSON.stringify(attachmentsMeta.map(attachmentView)) : null, meta: Object.keys(meta).length ? JSON.stringify(meta) : null,
        at: sentAt, refs: e.inReplyTo ?? [], thread: e.threadKey,
      },
    };
  });

  // Automated mail may join a thread but never opens one (no loops with auto-responders).
  // A second message from the same sender, thread and references finds what the first opened.
  const opened = new Set<string>();
  const threads: { id: string; sender: string; thread: string; refs: string[]; subject: string | null; at: number }[] = [];
  for (const { e, sentAt, row } of items) {
    if (e.automated) continue;
    const key = JSON.stringify([e.sender.externalId, e.threadKey, row.refs]);
    if (opened.has(key)) continue;
    opened.add(key);
    threads.push({ id: newId(), sender: e.sender.externalId, thread: e.threadKey, refs: row.refs, subject: e.subject ?? null, at: sentAt });
  }
  if (threads.length) push('conversation', raw(OPEN_CONVERSATIONS, JSON.stringify(threads), inbox.id, now));
  ev.threads.push(...threads.map((t) => t.id));
  for (const { row } of items) {
    // The stored row's view, but for what the store decides (conversation, sending contact).
    const view = messageView({ id: row.id, conversation_id: null, direction: row.dir, private: 0, content: row.text, html: row.html, sender_type: row.st,
      sender_id: null, created_at: row.at, delivery_status: row.ds, error: null, external_id: row.ext, attachments: row.att, meta: row.meta } as unknown as MessageViewRow);
    ev.messages.push({ id: row.id, at: row.at, view });
  }
  for (const { e } of items) if (e.kind === 'echo') push('other', raw(ADOPT_ECHO, e.externalId, inbox.id, e.threadKey, e.text));
  push('messages', raw(INSERT_MESSAGES, JSON.stringify(items.map((x) => x.row)), inbox.id));
  for (const { e, row } of items) if (e.bulk) push('other', raw(LABEL_BULK, row.id));
  for (const { e, sentAt } of items) {
    if (e.optOut !== undefined) push('other', raw(SET_OPT_OUT, e.optOut ? sentAt : null, inbox.id, e.sender.externalId));
    if (e.meta?.referral) push('other', raw(SET_ORIGIN, JSON.stringify(e.meta.referral), inbox.id, e.externalId));
  }
  for (const { e, attachmentsMeta, row } of items) {
    for (const a of attachmentsMeta) {
      push('other', raw(INSERT_ATTACHMENT, a.id, a.filename, a.contentType, a.size, a.url, a.sha256, inbox.channel, a.state, a.error, a.kind,
        a.remote ? JSON.stringify(a.remote) : null, a.state === 'pending' ? now : null, now, row.id));
    }
  }
  for (const { e, inbound, sentAt, row } of items) {
    push('touch', raw(e.automated ? TOUCH_ON_AUTOMATED : inbound ? TOUCH_ON_INBOUND : TOUCH_ON_ECHO, sentAt, row.id));
  }
}
