// Past resolved conversations in the word index (kind 'conversation', scope = inbox id), so an
// agent's suggested reply can lean on how a similar case was answered before. Indexed when a
// conversation is resolved (the customer's words, first 4,000 characters); the index keeps
// the newest MAX_INDEXED and drops the rest, so it stays bounded.
import { canSeeAll, type Actor } from '../../core/actor.js';
import type { Deps } from '../../deps.js';
import { indexDocStatements, rankDocs } from './word-index.js';

export const MAX_INDEXED = 20_000;
/** Lower than for articles: a past case is only context for a draft the agent reads first. */
export const MIN_CASE_CONFIDENCE = 0.1;

export async function indexResolvedConversation(deps: Deps, conversationId: string): Promise<void> {
  const conv = await deps.store.get<{ inbox_id: string; status: string }>('SELECT inbox_id, status FROM conversations WHERE id = ?', [conversationId]);
  if (!conv || conv.status !== 'resolved') return;
  const rows = await deps.store.all<{ content: string }>(`SELECT content FROM messages WHERE conversation_id = ? AND direction = 'in' AND private = 0
    ORDER BY created_at, id LIMIT 50`, [conversationId]);
  const text = rows.map((r) => r.content).join('\n').slice(0, 4000);
  if (!text.trim()) return;
  await deps.store.atomically(indexDocStatements(deps, 'conversation', conversationId, [{ text, weight: 1 }], conv.inbox_id));
  await deps.store.run(`DELETE FROM retrieval_postings WHERE kind = 'conversation' AND doc_id IN
    (SELECT doc_id FROM retrieval_docs WHERE kind = 'conversation' ORDER BY updated_at DESC LIMIT -1 OFFSET ?)`, [MAX_INDEXED]);
  await deps.store.run(`DELETE FROM retrieval_docs WHERE kind = 'conversation' AND doc_id IN
    (SELECT doc_id FROM retrieval_docs WHERE kind = 'conversation' ORDER BY updated_at DESC LIMIT -1 OFFSET ?)`, [MAX_INDEXED]);
}

export interface SimilarCase { conversationId: string; confidence: number; question: string; answer: string | null }

/** Resolved conversations like the question, in inboxes the actor sees, with the agent's last public reply. */
export async function similarResolved(deps: Deps, actor: Actor, question: string, exclude: string, limit = 2): Promise<SimilarCase[]> {
  const scopes = canSeeAll(actor) ? undefined
    : (await deps.store.all<{ inbox_id: string }>('SELECT inbox_id FROM inbox_members WHERE user_id = ?', [actor.id])).map((r) => r.inbox_id);
  const ranked = (await rankDocs(deps, 'conversation', question, { limit: limit + 1, scopes })).filter((r) => r.docId !== exclude && r.confidence >= MIN_CASE_CONFIDENCE).slice(0, limit);
  const out: SimilarCase[] = [];
  for (const r of ranked) {
    const q = await deps.store.get<{ content: string }>("SELECT content FROM messages WHERE conversation_id = ? AND direction = 'in' AND private = 0 ORDER BY created_at, id LIMIT 1", [r.docId]);
    const a = await deps.store.get<{ content: string }>("SELECT content FROM messages WHERE conversation_id = ? AND direction = 'out' AND private = 0 AND sender_type = 'user' ORDER BY created_at DESC, id DESC LIMIT 1", [r.docId]);
    out.push({ conversationId: r.docId, confidence: r.confidence, question: q?.content ?? '', answer: a?.content ?? null });
  }
  return out;
}

