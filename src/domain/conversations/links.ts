// Linked conversations ("continue on email/SMS" opens or reuses a conversation on another
// channel of the same customer): stored both ways in conversation_links, shown on each
// conversation as linkedConversationIds, limited to conversations the reader may see.
import { inboxScope, type Actor } from '../core/actor.js';
import type { Deps } from '../deps.js';
import { raw } from '../core/store.js';

const LINK = `INSERT INTO conversation_links(conversation_id, linked_conversation_id, created_at, created_by) VALUES (?1, ?2, ?3, ?4), (?2, ?1, ?3, ?4)
  ON CONFLICT DO NOTHING`;

export const linkConversationsStmt = (a: string, b: string, at: number, by: string | null) => raw(LINK, a, b, at, by);

/** The ids of conversations linked to `conversationId` that the actor may see, oldest link first. */
export async function visibleLinkedIds(deps: Deps, actor: Actor, conversationId: string): Promise<string[]> {
  const scope = inboxScope(actor);
  const rows = await deps.store.all<{ id: string }>(
    `SELECT l.linked_conversation_id AS id FROM conversation_links l JOIN conversations c ON c.id = l.linked_conversation_id
     WHERE l.conversation_id = ? AND ${scope.sql} ORDER BY l.created_at, l.linked_conversation_id LIMIT 100`, [conversationId, ...scope.params]);
  return rows.map((r) => r.id);
}
