// The assistant's call log read back for admins, newest first (what was sent, token counts,
// latency): every call to the model is recorded by call.ts.
import type { Deps } from '../../deps.js';
import { decodeCursor, encodeCursor } from '../../core/paging.js';
import type { AssistantCallRow } from '../../core/rows.js';
import { jsonValue } from '../../core/json-text.js';

export async function listModelCalls(deps: Pick<Deps, 'store'>, limit: number, cursor?: string) {
  const after = decodeCursor(cursor);
  const rows = await deps.store.all<AssistantCallRow>(`SELECT * FROM assistant_calls ${after ? 'WHERE (created_at, id) < (?, ?)' : ''} ORDER BY created_at DESC, id DESC LIMIT ?`,
    after ? [after[0], after[1], limit + 1] : [limit + 1]);
  const more = rows.length > limit;
  const data = rows.slice(0, limit).map((r) => ({
    id: r.id, action: r.action, conversationId: r.conversation_id, userId: r.user_id, model: r.model, request: jsonValue(r.request), response: r.response,
    status: r.status, error: r.error, promptTokens: r.prompt_tokens, completionTokens: r.completion_tokens, latencyMs: r.latency_ms, createdAt: new Date(r.created_at).toISOString(),
  }));
  const last = rows[limit - 1];
  return { data, nextCursor: more && last ? encodeCursor([last.created_at, last.id]) : null };
}
