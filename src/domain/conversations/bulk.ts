// Mass mail (a mailing list, a newsletter; ingest stores it with meta.bulk): a conversation
// whose customer's latest message is one gets no automatic message (CSAT, follow-up, bot), so
// Parley never writes to a list's members on its own. An agent may still answer by hand.
import type { Deps } from '../deps.js';

/** SQL: 1 when the latest public customer message of conversation `convId` (an SQL expression) is mass mail. */
export const latestInboundIsBulk = (convId: string) => `coalesce((SELECT json_extract(bm.meta, '$.bulk') IS NOT NULL FROM messages bm
  WHERE bm.conversation_id = ${convId} AND bm.direction = 'in' AND bm.private = 0 ORDER BY bm.created_at DESC, bm.id DESC LIMIT 1), 0)`;

export async function isBulkConversation(deps: Deps, conversationId: string): Promise<boolean> {
  const r = await deps.store.get<{ bulk: number }>(`SELECT ${latestInboundIsBulk('?')} AS bulk`, [conversationId]);
  return !!r?.bulk;
}
