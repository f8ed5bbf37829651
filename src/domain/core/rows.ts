// Row types for raw SQL reads (`store.all<T>` / `store.get<T>`), inferred from the drizzle
// schema so a column renamed or retyped there breaks the code that reads it. Raw SQL returns
// the database's column names (snake_case) and values as SQLite holds them, not drizzle's
// mapped ones: a JSON column comes back as its text, a boolean as 0/1, a blob as bytes. Hence
// the value types follow each column's storage type rather than `$inferSelect`, and the keys
// are the schema's camelCase keys in snake_case (drizzle's types keep the key, not the SQL
// name; every column in db/schema is named that way, which tests/row-types.test.ts checks).
import type { Column, Table } from 'drizzle-orm';
import type * as core from '../../../db/schema.js';
import type * as access from '../../../db/schema/access.js';
import type * as assignment from '../../../db/schema/assignment.js';
import type * as assistant from '../../../db/schema/assistant.js';
import type * as canned from '../../../db/schema/canned.js';
import type * as csat from '../../../db/schema/csat.js';
import type * as faq from '../../../db/schema/faq.js';
import type * as platformEvents from '../../../db/schema/platform-events.js';
import type * as retrieval from '../../../db/schema/retrieval.js';
import type * as sla from '../../../db/schema/sla.js';
import type * as webhooks from '../../../db/schema/webhooks.js';

/** A column's value as the SQLite driver hands it back. */
type Stored<C extends Column> =
  C['_']['dataType'] extends 'json' ? string
  : C['_']['dataType'] extends 'boolean' ? number
  : C['_']['dataType'] extends 'buffer' ? Uint8Array
  : C['_']['data'];

type Value<C extends Column> = C['_']['notNull'] extends true ? Stored<C> : Stored<C> | null;

/** `conversationId` -> `conversation_id`. */
export type SnakeCase<S extends string> = S extends `${infer H}${infer R}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<R>}`
  : S;

/** One row of `SELECT * FROM <table>`: keyed by the SQL column names. */
export type RowOf<T extends Table> = {
  [K in keyof T['_']['columns'] & string as SnakeCase<K>]: Value<T['_']['columns'][K]>;
};

export type UserRow = RowOf<typeof core.users>;
export type ApiTokenRow = RowOf<typeof core.apiTokens>;
export type SessionRow = RowOf<typeof core.sessions>;
export type TeamRow = RowOf<typeof core.teams>;
export type InboxRow = RowOf<typeof core.inboxes>;
export type ContactRow = RowOf<typeof core.contacts>;
export type ContactIdentityRow = RowOf<typeof core.contactIdentities>;
export type ConversationRow = RowOf<typeof core.conversations>;
export type MessageRow = RowOf<typeof core.messages>;
export type OutboxRow = RowOf<typeof core.outbox>;
export type ConnectorCursorRow = RowOf<typeof core.connectorCursors>;
export type EventRow = RowOf<typeof core.events>;
export type SettingRow = RowOf<typeof core.settings>;
export type AttachmentRow = RowOf<typeof core.attachments>;
export type AuditLogRow = RowOf<typeof access.auditLog>;
export type LoginThrottleRow = RowOf<typeof access.loginThrottle>;
export type AssignmentPointerRow = RowOf<typeof assignment.assignmentPointers>;
export type AssistantCallRow = RowOf<typeof assistant.assistantCalls>;
export type CannedResponseRow = RowOf<typeof canned.cannedResponses>;
export type CsatRequestRow = RowOf<typeof csat.csatRequests>;
export type CsatResponseRow = RowOf<typeof csat.csatResponses>;
export type FaqArticleRow = RowOf<typeof faq.faqArticles>;
export type BotAnswerRow = RowOf<typeof faq.botAnswers>;
export type WebhookSkipRow = RowOf<typeof platformEvents.webhookSkips>;
export type RetrievalDocRow = RowOf<typeof retrieval.retrievalDocs>;
export type RetrievalPostingRow = RowOf<typeof retrieval.retrievalPostings>;
export type SlaClockRow = RowOf<typeof sla.slaClocks>;
export type FollowUpRow = RowOf<typeof sla.followUps>;
export type OutgoingWebhookRow = RowOf<typeof webhooks.outgoingWebhooks>;
export type WebhookDeliveryRow = RowOf<typeof webhooks.webhookDeliveries>;

// Joins and partial reads: the columns each query selects, typed from the tables they come from.

/** A message search hit (search.ts): the message with its inbox's channel and its contact. */
export type MessageHitRow = Pick<MessageRow, 'id' | 'conversation_id' | 'inbox_id' | 'content' | 'created_at' | 'direction' | 'private' | 'sender_type'>
  & { channel: InboxRow['channel']; contact_id: ConversationRow['contact_id']; contact_name: ContactRow['name'] };

/** A reply being delivered (outbox-context.ts): the message with its conversation's thread and customer. */
export type DeliveryRow = MessageRow & Pick<ConversationRow, 'thread_key' | 'subject' | 'identity_id' | 'contact_id'>;

/** Where a reply goes (outbox-context.ts): the conversation's identity and its contact's name. */
export type RecipientRow = Pick<ContactIdentityRow, 'external_id' | 'handle'> & { name: ContactRow['name'] };

/** An audit entry with its actor's name and email (audit.ts; LEFT JOIN: null without a user). */
export type AuditEntryRow = AuditLogRow & { actor_name: UserRow['name'] | null; actor_email: UserRow['email'] | null };

/**
 * A stored file with the message it belongs to (media/attachments.ts). `data` is left unknown:
 * better-sqlite3 gives a Uint8Array, D1 an ArrayBuffer or an array of bytes.
 */
export type AttachmentFileRow = Pick<AttachmentRow, 'id' | 'filename' | 'content_type' | 'size' | 'url' | 'sha256' | 'state' | 'error'>
  & Pick<MessageRow, 'conversation_id' | 'private'> & { data: unknown };
