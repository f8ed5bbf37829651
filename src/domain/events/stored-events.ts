// The events table read back: the live streams' replay after Last-Event-ID, in id order.
import type { Deps } from '../deps.js';
import type { Row } from '../core/store.js';
import type { ParleyEvent } from './bus.js';
import type { EventRow } from '../core/rows.js';
import { jsonObject, jsonStrings } from '../core/json-text.js';
import { numberOf, textOf, textOrNullOf } from '../core/returned.js';

/** An events row: every column of `SELECT *`, or the inserts' RETURNING list (no audience). */
export type EventColumns = Omit<EventRow, 'audience'> & Partial<Pick<EventRow, 'audience'>>;

export function storedEvent(r: EventColumns): ParleyEvent {
  return {
    id: r.id, type: r.type, inboxId: r.inbox_id, conversationId: r.conversation_id, userId: r.user_id,
    ...(r.audience !== undefined ? { audience: r.audience ? jsonStrings(r.audience) : null } : {}),
    payload: jsonObject(r.payload), createdAt: r.created_at,
  };
}

/** An events row from RETURNING id, type, inbox_id, conversation_id, user_id, payload, created_at. */
export function returnedEvent(r: Row): EventColumns {
  return {
    id: numberOf(r, 'id'), type: textOf(r, 'type'), inbox_id: textOrNullOf(r, 'inbox_id'), conversation_id: textOrNullOf(r, 'conversation_id'),
    user_id: textOrNullOf(r, 'user_id'), payload: textOf(r, 'payload'), created_at: numberOf(r, 'created_at'),
  };
}

/** Up to `limit` stored events after id `after`, optionally of one conversation only. */
export async function storedEventsAfter(deps: Pick<Deps, 'store'>, after: number, limit: number, only: { conversationId?: string } = {}): Promise<ParleyEvent[]> {
  const rows = only.conversationId
    ? await deps.store.all<EventRow>('SELECT * FROM events WHERE id > ? AND conversation_id = ? ORDER BY id LIMIT ?', [after, only.conversationId, limit])
    : await deps.store.all<EventRow>('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?', [after, limit]);
  return rows.map(storedEvent);
}
