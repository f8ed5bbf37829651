// CSAT (settings.csat = {enabled, question?}): when a conversation is resolved the customer gets
// one rating request on their channel. Answers come from the web chat widget (POST .../csat) or,
// on any channel, as the customer's next message when it is just a digit 1-5 (plus an optional
// comment); such a reply is stored as the rating and leaves the conversation resolved.
import { isBulkConversation } from '../conversations/bulk.js';
import { z } from 'zod';
import { emitEvents } from '../events/emit.js';
import { conversationChanged, loadConversationRow } from '../conversations/conversations.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { inboxSettings } from '../inboxes/inboxes.js';
import { writeOutgoing } from '../conversations/messages.js';
import { raw } from '../core/store.js';
import type { CsatRequestRow, MessageRow } from '../core/rows.js';
import { registerInboxSettings } from '../inboxes/inbox-settings.js';

export const csatSettingsSchema = z.object({ enabled: z.boolean(), question: z.string().trim().min(1).max(1000).optional() });
registerInboxSettings('csat', csatSettingsSchema);

export const DEFAULT_CSAT_QUESTION = 'How would you rate our support? Reply with a number from 1 (poor) to 5 (excellent), and add a comment if you like.';
export const DEFAULT_CSAT_QUESTION_ZH = '请为本次服务打分：回复 1（很差）到 5（很好）的数字，也可以附上您的意见。';

export interface CsatAnswer { rating: number; comment: string | null }

/** "5", "4 great help", "３，还行" -> the rating and comment; anything else -> null. */
export function parseRatingReply(text: string): CsatAnswer | null {
  const m = /^\s*([1-5])(?!\d)(?![.,]\d)(?:\s*(?:\/\s*5|stars?|分|星))?[\s.,:;!)\-–—、，。：！]*([\s\S]*)$/iu.exec(text.normalize('NFKC'));
  if (!m) return null;
  const comment = m[2].trim();
  return { rating: Number(m[1]), comment: comment ? comment.slice(0, 2000) : null };
}

const hasCjk = (s: string) => /[\u3400-\u9fff]/u.test(s);

/** Sends the rating request once per conversation (after it is resolved). */
export async function requestCsat(deps: Deps, conversationId: string): Promise<{ messageId: string } | null> {
  const settings = csatSettingsSchema.safeParse((await inboxSettingsOf(deps, conversationId))?.csat);
  if (!settings.success || !settings.data.enabled) return null;
  const conv = await loadConversationRow(deps, conversationId);
  if (!conv || conv.status !== 'resolved') return null;
  if (await isBulkConversation(deps, conversationId)) return null;
  if (await deps.store.get('SELECT 1 AS ok FROM csat_responses WHERE conversation_id = ?', [conversationId])) return null;
  const now = deps.clock.now();
  const [claimed] = await deps.store.atomically([raw(
    `INSERT INTO csat_requests(conversation_id, inbox_id, resolved_at, requested_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(conversation_id) DO NOTHING RETURNING conversation_id`, conversationId, conv.inbox_id, conv.resolved_at ?? now, now)]);
  if (claimed.length === 0) return null;
  let question = settings.data.question;
  if (!question) {
    const lastIn = await deps.store.get<{ content: string }>("SELECT content FROM messages WHERE conversation_id = ? AND direction = 'in' ORDER BY created_at DESC, id DESC LIMIT 1", [conversationId]);
    question = lastIn && hasCjk(lastIn.content) ? DEFAULT_CSAT_QUESTION_ZH : DEFAULT_CSAT_QUESTION;
  }
  try {
    const msg = await writeOutgoing(deps, conv, { content: question, senderType: 'bot', senderId: null, meta: { csat: 'request' } });
    await deps.store.run('UPDATE csat_requests SET message_id = ? WHERE conversation_id = ?', [msg.id, conversationId]);
    await emitEvents(deps, [{ type: 'csat.requested', inboxId: conv.inbox_id, conversationId, payload: { conversationId, messageId: msg.id, question } }]);
    return { messageId: msg.id };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    // reply_window_closed and the like: the channel will not take it; nothing to ask then.
    await deps.store.run('UPDATE csat_requests SET skipped = ? WHERE conversation_id = ?', [err.code, conversationId]);
    deps.log.info({ conversationId, reason: err.code }, 'csat request skipped');
    return null;
  }
}

async function inboxSettingsOf(deps: Deps, conversationId: string) {
  const c = await deps.store.get<{ inbox_id: string }>('SELECT inbox_id FROM conversations WHERE id = ?', [conversationId]);
  return c ? inboxSettings(deps, c.inbox_id) : null;
}

/** Stores the answer; one per conversation (a second one is 409 csat_already_answered, so reports count each once). */
export async function recordCsat(deps: Deps, conversationId: string, answer: CsatAnswer, opts: { source: string; replace: boolean }) {
  const conv = await loadConversationRow(deps, conversationId);
  if (!conv) throw notFound('Conversation');
  const req = await deps.store.get<CsatRequestRow>('SELECT * FROM csat_requests WHERE conversation_id = ? AND message_id IS NOT NULL', [conversationId]);
  if (!req) throw new AppError(409, 'csat_not_requested', 'No rating was requested for this conversation');
  const now = deps.clock.now();
  const [rows] = await deps.store.atomically([raw(
    `INSERT INTO csat_responses(id, conversation_id, inbox_id, assignee_id, team_id, rating, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(conversation_id) DO ${opts.replace ? 'UPDATE SET rating = excluded.rating, comment = excluded.comment, created_at = excluded.created_at' : 'NOTHING'}
     RETURNING id`, newId(), conversationId, conv.inbox_id, conv.assignee_id ?? null, conv.team_id ?? null, answer.rating, answer.comment, now)]);
  if (rows.length === 0) throw new AppError(409, 'csat_already_answered', 'This conversation has already been rated');
  await emitEvents(deps, [{ type: 'csat.received', inboxId: conv.inbox_id, conversationId, payload: { conversationId, rating: answer.rating, comment: answer.comment, source: opts.source } }]);
  return answer;
}

/**
 * A customer's message while a rating request is unanswered: if it is a rating, store it, put
 * the conversation back to resolved (ingest reopened it) and return true (nothing else reacts).
 */
export async function consumeRatingReply(deps: Deps, message: Pick<MessageRow, 'id' | 'direction' | 'sender_type' | 'content' | 'conversation_id'>): Promise<boolean> {
  if (message.direction !== 'in' || message.sender_type !== 'contact') return false;
  const answer = parseRatingReply(message.content);
  if (!answer) return false;
  const conversationId = message.conversation_id;
  const req = await deps.store.get<{ message_id: string; resolved_at: number | null; requested_at: number }>(
    `SELECT q.* FROM csat_requests q WHERE q.conversation_id = ? AND q.message_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM csat_responses r WHERE r.conversation_id = q.conversation_id)`, [conversationId]);
  if (!req) return false;
  // Only the first customer word after the request, with no agent reply in between, is a rating.
  const since = await deps.store.get<{ ins: number; agents: number }>(
    `SELECT sum(direction = 'in') AS ins, sum(direction = 'out' AND sender_type = 'user' AND private = 0) AS agents FROM messages
     WHERE conversation_id = ? AND (created_at, id) > (SELECT created_at, id FROM messages WHERE id = ?)`, [conversationId, req.message_id]);
  if (!since || Number(since.ins) !== 1 || Number(since.agents) > 0) return false;
  try {
    await recordCsat(deps, conversationId, answer, { source: 'reply', replace: false });
  } catch (err) {
    if (err instanceof AppError && err.status === 409) return false;
    throw err;
  }
  const now = deps.clock.now();
  const [back] = await deps.store.atomically([raw(
    `UPDATE conversations SET status = 'resolved', resolved_at = ?1, waiting_since = NULL, snooze_until = NULL
     WHERE id = ?2 AND status = 'open' AND last_message_id = ?3 RETURNING id`, req.resolved_at ?? now, conversationId, message.id)]);
  await conversationChanged(deps, conversationId, back.length ? { status: 'resolved', by: 'csat' } : { csat: answer.rating });
  return true;
}

/** The web chat widget's answer for the visitor's conversation. */
export async function rateFromWidget(deps: Deps, conversationId: string | null, answer: CsatAnswer) {
  if (!conversationId) throw new AppError(409, 'csat_not_requested', 'No rating was requested for this conversation');
  await recordCsat(deps, conversationId, answer, { source: 'webchat', replace: false });
  await conversationChanged(deps, conversationId, { csat: answer.rating });
  return answer;
}
