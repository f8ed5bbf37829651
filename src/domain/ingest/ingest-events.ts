// The events of an ingest unit, stored by statements that run INSIDE the unit, after its writes,
// so a D1 batch holds the messages and their events together (D1 cannot hand a batch's results
// to statements built later). Each statement reads what the unit wrote, found by the ids that
// were made up front: a message made by this unit exists only if it was inserted (a replay
// conflicts and leaves no row with the fresh id). RETURNING gives the stored events to publish.
// (message.updated for statuses, edits and reactions is built in JS from the updated rows:
// ingest.ts stores it by a second unit.)
import { raw, type Stmt } from '../core/store.js';

const EVENT_COLUMNS = 'INSERT INTO events(type, inbox_id, conversation_id, user_id, payload, created_at)';
const RETURNING = 'RETURNING id, type, inbox_id, conversation_id, user_id, payload, created_at';

/** Conversations this unit opened (their fresh ids), if it stored any message. */
export const conversationsCreated = (inboxId: string, channel: string, threadIds: string[], messageIds: string[], now: number): Stmt => raw(
  `${EVENT_COLUMNS}
   SELECT 'conversation.created', ?2, c.id, NULL, json_object('conversationId', c.id, 'channel', ?3), ?4
   FROM json_each(?1) j JOIN conversations c ON c.id = j.value
   WHERE EXISTS (SELECT 1 FROM messages WHERE id IN (SELECT value FROM json_each(?5)))
   ORDER BY c.id ${RETURNING}`,
  JSON.stringify(threadIds), inboxId, channel, now, JSON.stringify(messageIds));

/**
 * message.created for the messages this unit inserted; `items` are in event order and carry the
 * message's view as JS built it, completed here with what only the store knows (its
 * conversation, and the contact that sent it).
 */
export const messagesCreated = (inboxId: string, items: { id: string; view: unknown }[], now: number): Stmt => raw(
  `${EVENT_COLUMNS}
   SELECT 'message.created', ?2, m.conversation_id, NULL,
     json_object('message', json_set(j.value->'view', '$.conversationId', m.conversation_id, '$.sender.id', m.sender_id)), ?3
   FROM json_each(?1) j JOIN messages m ON m.id = j.value->>'id'
   ORDER BY j.key ${RETURNING}`,
  JSON.stringify(items), inboxId, now);

/**
 * conversation.updated once per conversation a stored message touched, the most recently
 * touched first; `messageIds` in the order the unit touched them. Nothing writes a touched
 * conversation later in the unit, so its row now is its row after the last touch.
 */
export const conversationsTouched = (inboxId: string, messageIds: string[], now: number): Stmt => raw(
  `${EVENT_COLUMNS}
   SELECT 'conversation.updated', ?2, c.id, NULL,
     json_object('conversationId', c.id, 'status', c.status, 'assigneeId', c.assignee_id, 'teamId', c.team_id,
       'unreadCount', c.unread_count, 'lastActivityAt', c.last_activity_at), ?3
   FROM (SELECT m.conversation_id AS cid, max(j.key) AS k FROM json_each(?1) j JOIN messages m ON m.id = j.value GROUP BY m.conversation_id) t
   JOIN conversations c ON c.id = t.cid
   ORDER BY t.k DESC ${RETURNING}`,
  JSON.stringify(messageIds), inboxId, now);
