// The one schema for better-sqlite3 and D1. Times are integer epoch milliseconds; ids are
// ULIDs (text) except `events`, whose integer id doubles as the SSE Last-Event-ID.
import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  role: text('role', { enum: ['admin', 'lead', 'agent'] }).notNull(),
  passwordHash: text('password_hash'),
  availability: text('availability', { enum: ['online', 'busy', 'offline'] }).notNull().default('offline'),
  locale: text('locale').notNull().default('en'),
  // Set when an admin disabled the user: no login, no token, no session works any more.
  disabledAt: integer('disabled_at'),
  createdAt: integer('created_at').notNull(),
}, (t) => [uniqueIndex('users_email_uq').on(t.email)]);

export const apiTokens = sqliteTable('api_tokens', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  tokenHash: text('token_hash').notNull(),
  name: text('name').notNull().default('default'),
  createdAt: integer('created_at').notNull(),
  lastUsedAt: integer('last_used_at'),
  // Optional: the token stops working at this time.
  expiresAt: integer('expires_at'),
}, (t) => [uniqueIndex('api_tokens_hash_uq').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)]);

export const sessions = sqliteTable('sessions', {
  id: text('id').primaryKey(), // sha256 of the cookie value
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  csrfToken: text('csrf_token').notNull(),
  expiresAt: integer('expires_at').notNull(),
  // Shown in the session list so a user can tell his browsers apart.
  userAgent: text('user_agent'),
  clientAddress: text('client_address'),
  createdAt: integer('created_at').notNull(),
}, (t) => [index('sessions_user_idx').on(t.userId)]);

export const teams = sqliteTable('teams', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const teamMembers = sqliteTable('team_members', {
  teamId: text('team_id').notNull().references(() => teams.id, { onDelete: 'cascade' }),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
}, (t) => [primaryKey({ columns: [t.teamId, t.userId] })]);

export const inboxes = sqliteTable('inboxes', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  channel: text('channel').notNull(),
  config: text('config', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  // Public id the web chat widget embeds; never grants agent access.
  webchatToken: text('webchat_token'),
  // Set when a poll or send fails for a reason an admin must fix (bad password, revoked token).
  health: text('health', { enum: ['ok', 'needs_attention'] }).notNull().default('ok'),
  healthError: text('health_error'),
  nextPollAt: integer('next_poll_at'),
  pollFailures: integer('poll_failures').notNull().default(0),
  // A polling inbox's backlog import (done/total, paused): src/domain/ingest/import-progress.ts.
  importProgress: text('import_progress', { mode: 'json' }).$type<Record<string, unknown>>(),
  settings: text('settings', { mode: 'json' }).notNull().$type<Record<string, unknown>>().default(sql`'{}'`),
  createdAt: integer('created_at').notNull(),
}, (t) => [uniqueIndex('inboxes_webchat_token_uq').on(t.webchatToken)]);

export const inboxMembers = sqliteTable('inbox_members', {
  inboxId: text('inbox_id').notNull().references(() => inboxes.id, { onDelete: 'cascade' }),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
}, (t) => [primaryKey({ columns: [t.inboxId, t.userId] }), index('inbox_members_user_idx').on(t.userId)]);

export const contacts = sqliteTable('contacts', {
  id: text('id').primaryKey(),
  name: text('name'),
  email: text('email'),
  phone: text('phone'),
  attributes: text('attributes', { mode: 'json' }).notNull().$type<Record<string, unknown>>().default(sql`'{}'`),
  // Set when merged away: the contact that absorbed this one.
  mergedInto: text('merged_into'),
  createdAt: integer('created_at').notNull(),
}, (t) => [index('contacts_email_idx').on(t.email), index('contacts_phone_idx').on(t.phone)]);

export const contactIdentities = sqliteTable('contact_identities', {
  id: text('id').primaryKey(),
  inboxId: text('inbox_id').notNull().references(() => inboxes.id, { onDelete: 'cascade' }),
  channel: text('channel').notNull(),
  externalId: text('external_id').notNull(),
  contactId: text('contact_id').notNull().references(() => contacts.id),
  handle: text('handle'),
  profileFetchedAt: integer('profile_fetched_at'),
  // The customer opted out of messages from this channel account (SMS STOP, Twilio 21610); START clears it.
  optedOutAt: integer('opted_out_at'),
  createdAt: integer('created_at').notNull(),
}, (t) => [
  uniqueIndex('contact_identities_inbox_external_uq').on(t.inboxId, t.externalId),
  index('contact_identities_contact_idx').on(t.contactId),
]);

export const conversations = sqliteTable('conversations', {
  id: text('id').primaryKey(),
  inboxId: text('inbox_id').notNull().references(() => inboxes.id, { onDelete: 'cascade' }),
  contactId: text('contact_id').notNull().references(() => contacts.id),
  threadKey: text('thread_key').notNull(),
  // The customer's identity that opened the thread: where replies go.
  identityId: text('identity_id').notNull(),
  subject: text('subject'),
  status: text('status', { enum: ['open', 'pending', 'snoozed', 'resolved'] }).notNull().default('open'),
  snoozeUntil: integer('snooze_until'),
  assigneeId: text('assignee_id').references(() => users.id, { onDelete: 'set null' }),
  teamId: text('team_id').references(() => teams.id, { onDelete: 'set null' }),
  lastMessageId: text('last_message_id'),
  lastActivityAt: integer('last_activity_at').notNull(),
  lastIncomingAt: integer('last_incoming_at'),
  unreadCount: integer('unread_count').notNull().default(0),
  messageCount: integer('message_count').notNull().default(0),
  firstReplyAt: integer('first_reply_at'),
  // When the customer started waiting for an answer; null while the ball is in their court.
  waitingSince: integer('waiting_since'),
  resolvedAt: integer('resolved_at'),
  // Where the customer came from (an ad, an m.me link, click-to-WhatsApp): JSON, latest referral.
  origin: text('origin', { mode: 'json' }).$type<Record<string, unknown>>(),
  createdAt: integer('created_at').notNull(),
}, (t) => [
  uniqueIndex('conversations_thread_uq').on(t.inboxId, t.threadKey),
  index('conversations_status_activity_idx').on(t.status, t.lastActivityAt, t.id),
  index('conversations_assignee_activity_idx').on(t.assigneeId, t.status, t.lastActivityAt, t.id),
  index('conversations_inbox_activity_idx').on(t.inboxId, t.status, t.lastActivityAt, t.id),
  index('conversations_activity_idx').on(t.lastActivityAt, t.id),
  index('conversations_team_activity_idx').on(t.teamId, t.lastActivityAt, t.id),
  index('conversations_contact_idx').on(t.contactId),
]);

export const conversationLabels = sqliteTable('conversation_labels', {
  conversationId: text('conversation_id').notNull().references(() => conversations.id, { onDelete: 'cascade' }),
  label: text('label').notNull(),
}, (t) => [primaryKey({ columns: [t.conversationId, t.label] }), index('conversation_labels_label_idx').on(t.label)]);

export const messages = sqliteTable('messages', {
  id: text('id').primaryKey(),
  conversationId: text('conversation_id').notNull().references(() => conversations.id, { onDelete: 'cascade' }),
  inboxId: text('inbox_id').notNull(),
  direction: text('direction', { enum: ['in', 'out'] }).notNull(),
  private: integer('private', { mode: 'boolean' }).notNull().default(false),
  content: text('content').notNull(),
  html: text('html'),
  senderType: text('sender_type', { enum: ['contact', 'user', 'bot'] }).notNull(),
  senderId: text('sender_id'),
  externalId: text('external_id'),
  inReplyTo: text('in_reply_to'),
  // null for private notes, which are never delivered anywhere.
  deliveryStatus: text('delivery_status', { enum: ['received', 'queued', 'sent', 'delivered', 'read', 'failed', 'unknown'] }),
  error: text('error'),
  attachments: text('attachments', { mode: 'json' }).$type<unknown[]>(),
  meta: text('meta', { mode: 'json' }).$type<Record<string, unknown>>(),
  createdAt: integer('created_at').notNull(),
}, (t) => [
  uniqueIndex('messages_inbox_external_uq').on(t.inboxId, t.externalId),
  index('messages_conversation_idx').on(t.conversationId, t.createdAt, t.id),
  // Contact merge rewrites sender_id; the timeline reads a contact's messages.
  index('messages_sender_idx').on(t.senderId),
]);

export const outbox = sqliteTable('outbox', {
  id: text('id').primaryKey(),
  messageId: text('message_id').notNull().references(() => messages.id, { onDelete: 'cascade' }),
  inboxId: text('inbox_id').notNull(),
  // claimed = leased, platform not called yet; sending = platform being called; unknown = the
  // sender vanished mid-call (see src/domain/outbox/outbox.ts).
  status: text('status', { enum: ['pending', 'claimed', 'sending', 'done', 'failed', 'unknown'] }).notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: integer('next_attempt_at').notNull(),
  lockToken: text('lock_token'),
  lockedUntil: integer('locked_until'),
  lastError: text('last_error'),
  // Parts of the reply already delivered (a reply with files may be several platform messages):
  // a retry starts after them, so no file goes out twice.
  partsDone: integer('parts_done').notNull().default(0),
  createdAt: integer('created_at').notNull(),
}, (t) => [index('outbox_due_idx').on(t.status, t.nextAttemptAt), index('outbox_lane_idx').on(t.inboxId, t.status, t.nextAttemptAt), uniqueIndex('outbox_message_uq').on(t.messageId)]);

export const connectorCursors = sqliteTable('connector_cursors', {
  inboxId: text('inbox_id').notNull().references(() => inboxes.id, { onDelete: 'cascade' }),
  name: text('name').notNull().default('default'),
  cursor: text('cursor'),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [primaryKey({ columns: [t.inboxId, t.name] })]);

export const events = sqliteTable('events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  type: text('type').notNull(),
  inboxId: text('inbox_id'),
  conversationId: text('conversation_id'),
  // Only this user may see it (e.g. a mention); null = everyone allowed to see the inbox.
  userId: text('user_id'),
  // For events of no inbox (contact.updated, agent.availability): JSON array of the inbox ids
  // whose members may see it. Neither inbox nor audience = admins and leads only.
  audience: text('audience'),
  payload: text('payload', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  createdAt: integer('created_at').notNull(),
}, (t) => [
  // Reports read these two types by time; ingest writes three events per message, and keeping
  // every one of them in a (type, time) and a (conversation, id) index cost ~15 of the ~65 WAL
  // pages a group of nine webhooks commits (docs/performance.md). The SSE replay reads by id.
  index('events_report_time_idx').on(t.type, t.createdAt).where(sql`type IN ('sla.breached', 'csat.received')`),
]);

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

// Files of a message (inbound and outgoing). The bytes live in the blob store (a folder on Node,
// R2 on Workers), addressed by sha256; this row is the metadata. `data` holds the bytes of rows
// written before the blob store existed and is never written any more.
export const attachments = sqliteTable('attachments', {
  id: text('id').primaryKey(),
  messageId: text('message_id').notNull().references(() => messages.id, { onDelete: 'cascade' }),
  inboxId: text('inbox_id').notNull(),
  filename: text('filename').notNull(),
  contentType: text('content_type').notNull(),
  size: integer('size').notNull(),
  data: blob('data', { mode: 'buffer' }),
  // Where the platform keeps it, when we store a link rather than the bytes (old rows).
  url: text('url'),
  sha256: text('sha256'),
  // Who it came from: the channel kind for inbound files, 'agent' or 'visitor' for uploads.
  source: text('source'),
  // ready (bytes stored) | pending (download queued) | refused (not taken, error says why) | failed (gave up)
  state: text('state', { enum: ['ready', 'pending', 'refused', 'failed'] }).notNull().default('ready'),
  error: text('error'),
  kind: text('kind'),
  // The platform's reference for the download job (media id, file id, URL).
  remote: text('remote', { mode: 'json' }).$type<Record<string, unknown>>(),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: integer('next_attempt_at'),
  createdAt: integer('created_at').notNull(),
}, (t) => [
  index('attachments_message_idx').on(t.messageId),
  index('attachments_pending_idx').on(t.nextAttemptAt).where(sql`state = 'pending'`),
]);
