// SLA clocks and follow-ups (workflow-service). One SLA clock per (conversation, kind, start):
// a first-reply clock starts at the customer's first message, a next-reply clock at each new
// waiting period (conversations.waiting_since). Rows are kept after they close, so reports can
// count breaches; the conversation shows its one open clock (closed_at IS NULL).
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { conversations } from '../schema.js';

export const slaClocks = sqliteTable('sla_clocks', {
  conversationId: text('conversation_id').notNull().references(() => conversations.id, { onDelete: 'cascade' }),
  kind: text('kind', { enum: ['first_reply', 'next_reply'] }).notNull(),
  startedAt: integer('started_at').notNull(),
  warnAt: integer('warn_at').notNull(),
  dueAt: integer('due_at').notNull(),
  state: text('state', { enum: ['ok', 'warning', 'breached'] }).notNull().default('ok'),
  warnedAt: integer('warned_at'),
  breachedAt: integer('breached_at'),
  // When the last event (sla.warning / sla.breached) went out.
  notifiedAt: integer('notified_at'),
  // Set when the clock stops: answered, resolved, snoozed. Reopened if the same wait resumes.
  closedAt: integer('closed_at'),
  inboxId: text('inbox_id').notNull(),
  createdAt: integer('created_at').notNull(),
}, (t) => [
  primaryKey({ columns: [t.conversationId, t.kind, t.startedAt] }),
  index('sla_clocks_open_idx').on(t.closedAt, t.dueAt),
  index('sla_clocks_breached_idx').on(t.inboxId, t.breachedAt),
]);

// One automatic follow-up per customer silence: keyed by the customer's last message time, so
// a new customer message starts a new key and we never follow up twice on the same silence.
export const followUps = sqliteTable('follow_ups', {
  conversationId: text('conversation_id').notNull().references(() => conversations.id, { onDelete: 'cascade' }),
  afterIncomingAt: integer('after_incoming_at').notNull(),
  messageId: text('message_id'),
  sentAt: integer('sent_at').notNull(),
  // Why no message went out (e.g. reply_window_closed); the conversation may still auto-resolve.
  skipped: text('skipped'),
  resolvedAt: integer('resolved_at'),
}, (t) => [primaryKey({ columns: [t.conversationId, t.afterIncomingAt] }), index('follow_ups_open_idx').on(t.resolvedAt, t.sentAt)]);
