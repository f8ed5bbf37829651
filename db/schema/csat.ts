// Customer satisfaction (workflow-service): one rating request per conversation, sent when it is
// resolved, and at most one answer (1-5 plus an optional comment).
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { conversations } from '../schema.js';

export const csatRequests = sqliteTable('csat_requests', {
  conversationId: text('conversation_id').primaryKey().references(() => conversations.id, { onDelete: 'cascade' }),
  inboxId: text('inbox_id').notNull(),
  messageId: text('message_id'),
  // The conversation's resolved_at when we asked: restored when a rating reply reopened it.
  resolvedAt: integer('resolved_at'),
  // Set when the request could not be sent (e.g. the channel's reply window had closed).
  skipped: text('skipped'),
  requestedAt: integer('requested_at').notNull(),
});

export const csatResponses = sqliteTable('csat_responses', {
  id: text('id').primaryKey(),
  conversationId: text('conversation_id').notNull().references(() => conversations.id, { onDelete: 'cascade' }),
  inboxId: text('inbox_id').notNull(),
  assigneeId: text('assignee_id'),
  teamId: text('team_id'),
  rating: integer('rating').notNull(),
  comment: text('comment'),
  createdAt: integer('created_at').notNull(),
}, (t) => [uniqueIndex('csat_responses_conversation_uq').on(t.conversationId), index('csat_responses_inbox_created_idx').on(t.inboxId, t.createdAt)]);
