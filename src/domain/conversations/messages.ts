// Reading a thread and writing into it: agent replies (queued for the outbox in the same
// atomic unit) and private notes (never sent).
import { emitEvents } from '../events/emit.js';
import type { Actor } from '../core/actor.js';
import { conversationChanged, getVisibleConversation } from './conversations.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../core/paging.js';
import { raw } from '../core/store.js';
import { messageView, type ConversationFullRow, type MessageView } from '../core/views.js';
import type { MessageRow } from '../core/rows.js';
import { replyPolicy } from '../outbox/reply-window.js';
import { renderTemplate, type TemplateInput } from '../outbox/templates.js';
import { storeUploads, type UploadFile } from '../media/outgoing-files.js';
import { attachmentView } from '../core/views.js';

export async function listMessages(deps: Deps, conversationId: string, limit: number, cursor?: string, opts: { includePrivate?: boolean } = {}): Promise<Page<MessageView>> {
  const after = decodeCursor(cursor);
  const where = ['conversation_id = ?'];
  const params: unknown[] = [conversationId];
  if (opts.includePrivate === false) where.push('private = 0');
  if (after) { where.push('(created_at, id) > (?, ?)'); params.push(after[0], after[1]); }
  const rows = await deps.store.all<MessageRow>(`SELECT * FROM messages WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT ?`, [...params, limit + 1]);
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: page.map(messageView), nextCursor: more && last ? encodeCursor([last.created_at, last.id]) : null };
}

export async function listConversationMessages(deps: Deps, actor: Actor, conversationId: string, limit: number, cursor?: string) {
  await getVisibleConversation(deps, actor, conversationId);
  // Reading is side-effect free: the app marks a thread read with POST /conversations/:id/read.
  return listMessages(deps, conversationId, limit, cursor);
}

export interface PostInput { content: string; private?: boolean; template?: TemplateInput; files?: UploadFile[] }

export async function postAgentMessage(deps: Deps, actor: Actor, conversationId: string, input: PostInput): Promise<MessageView> {
  const conv = await getVisibleConversation(deps, actor, conversationId);
  return writeOutgoing(deps, conv, { ...input, senderType: 'user', senderId: actor.id });
}

/** Any outgoing message (agent, bot, automation) goes through here. */
export async function writeOutgoing(deps: Deps, conv: ConversationFullRow, input: PostInput & { senderType: 'user' | 'bot'; senderId: string | null; meta?: Record<string, unknown> }): Promise<MessageView> {
  let content = input.content.trim();
  const uploads = input.files ?? [];
  const isPrivate = Boolean(input.private);
  const now = deps.clock.now();
  const connector = deps.connectors.get(conv.channel);
  let meta = input.meta;
  if (input.template) {
    if (isPrivate) throw new AppError(400, 'invalid_request', 'A private note cannot be a template');
    // The template's own text, parameters filled in, is what the agent sees stored.
    const t = await renderTemplate(deps, conv, input.template, uploads);
    content = t.text;
    meta = { ...meta, template: t.template };
  }
  if (!content && uploads.length === 0) throw new AppError(400, 'invalid_request', 'content must not be empty (or attach a file)');
  if (!isPrivate && connector) {
    const max = connector.limits.maxTextLength;
    if (max && [...content].length > max) throw new AppError(422, 'message_too_long', `This channel accepts at most ${max} characters per message`);
    const policy = await replyPolicy(deps, conv, connector, now);
    if (policy.state === 'opted_out') throw new AppError(422, 'recipient_opted_out', policy.reason!);
    if (policy.state === 'tagged') meta = { ...meta, messageTag: policy.tag };
    if ((policy.state === 'templates_only' && !input.template) || policy.state === 'closed') {
      throw new AppError(422, 'reply_window_closed', policy.reason!);
    }
  }
  // A template's file is its header, not a captioned attachment: its text is no caption.
  const files = await storeUploads(deps, uploads, connector, { isPrivate, text: input.template ? '' : content });
  const id = newId();
  const atts = files.map((f) => ({ id: newId(), ...f }));
  const stmts = [
    raw(`INSERT INTO messages(id, conversation_id, inbox_id, direction, private, content, sender_type, sender_id, delivery_status, attachments, meta, created_at)
         VALUES (?, ?, ?, 'out', ?, ?, ?, ?, ?, ?, ?, ?)`,
      id, conv.id, conv.inbox_id, isPrivate ? 1 : 0, content, input.senderType, input.senderId, isPrivate ? null : 'queued',
      atts.length ? JSON.stringify(atts.map(attachmentView)) : null, meta ? JSON.stringify(meta) : null, now),
    ...atts.map((a) => raw(`INSERT INTO attachments(id, message_id, inbox_id, filename, content_type, size, sha256, source, state, kind, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ready', ?, ?)`, a.id, id, conv.inbox_id, a.filename, a.contentType, a.size, a.sha256, input.senderType === 'user' ? 'agent' : 'bot', a.kind, now)),
  ];
  if (isPrivate) {
    stmts.push(raw('UPDATE conversations SET last_activity_at = max(last_activity_at, ?), last_message_id = ?, message_count = message_count + 1 WHERE id = ?', now, id, conv.id));
  } else {
    stmts.push(raw('INSERT INTO outbox(id, message_id, inbox_id, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, \'pending\', 0, ?, ?)', newId(), id, conv.inbox_id, now, now));
    // A human reply counts for first-reply time; a bot's does not.
    stmts.push(raw(`UPDATE conversations SET last_activity_at = max(last_activity_at, ?1), last_message_id = ?2, message_count = message_count + 1,
        unread_count = 0, waiting_since = CASE WHEN ?3 = 'user' THEN NULL ELSE waiting_since END,
        first_reply_at = CASE WHEN ?3 = 'user' THEN coalesce(first_reply_at, ?1) ELSE first_reply_at END WHERE id = ?4`, now, id, input.senderType, conv.id));
  }
  await deps.store.atomically(stmts);
  const row = await deps.store.get<MessageRow>('SELECT * FROM messages WHERE id = ?', [id]);
  const view = messageView(row!);
  await emitEvents(deps, [{ type: 'message.created', inboxId: conv.inbox_id, conversationId: conv.id, payload: { message: view } }]);
  await conversationChanged(deps, conv.id, { lastMessage: id });
  if (!isPrivate) deps.kickOutbox?.();
  return view;
}

/** Put a failed or unknown reply back in the queue (the agent's retry button). */
export async function retryMessage(deps: Deps, actor: Actor, messageId: string): Promise<MessageView> {
  const msg = await deps.store.get<MessageRow>('SELECT * FROM messages WHERE id = ?', [messageId]);
  if (!msg) throw notFound('Message');
  await getVisibleConversation(deps, actor, msg.conversation_id);
  // `unknown` = Parley stopped mid-send; the agent checked the platform and asks again.
  if (msg.delivery_status !== 'failed' && msg.delivery_status !== 'unknown') throw new AppError(409, 'not_failed', 'Only a failed message (or one whose delivery is unknown) can be retried');
  const now = deps.clock.now();
  await deps.store.atomically([
    raw("UPDATE messages SET delivery_status = 'queued', error = NULL WHERE id = ?", messageId),
    raw(`INSERT INTO outbox(id, message_id, inbox_id, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?)
         ON CONFLICT(message_id) DO UPDATE SET status = 'pending', attempts = 0, next_attempt_at = excluded.next_attempt_at, lock_token = NULL, locked_until = NULL, last_error = NULL`,
      newId(), messageId, msg.inbox_id, now, now),
  ]);
  const view = messageView((await deps.store.get<MessageRow>('SELECT * FROM messages WHERE id = ?', [messageId]))!);
  await emitEvents(deps, [{ type: 'message.updated', inboxId: msg.inbox_id, conversationId: msg.conversation_id, payload: { message: view } }]);
  deps.kickOutbox?.();
  return view;
}
