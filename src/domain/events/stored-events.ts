// The events table read back: the live streams' replay after Last-Event-ID, in id order.
import type { Deps } from '../deps.js';
import type { Row } from '../core/store.js';
import type { ParleyEvent } from './bus.js';
import type { EventRow } from '../core/rows.js';

export function storedEvent(r: Row): ParleyEvent {
  return {
    id: r.id as number, type: r.type as string, inboxId: r.inbox_id as string | null, conversationId: r.conversation_id as string | null,
    userId: r.user_id as string | null, audience: r.audience ? JSON.parse(r.audience as string) as string[] : null,
    payload: JSON.parse(r.payload as string), createdAt: r.created_at as number,
  };
}

/** Up to `limit` stored events after id `after`, optionally of one conversation only. */
export async function storedEventsAfter(deps: Pick<Deps, 'store'>, after: number, limit: number, only: { conversationId?: string } = {}): Promise<ParleyEvent[]> {
  const rows = only.conversationId
    ? await deps.store.all<EventRow>('SELECT * FROM events WHERE id > ? AND conversation_id = ? ORDER BY id LIMIT ?', [after, only.conversationId, limit])
    : await deps.store.all<EventRow>('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?', [after, limit]);
  return rows.map(storedEvent);
}
