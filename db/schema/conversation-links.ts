// Conversations linked by "continue on email/SMS" (issue 14): one row per direction, so each
// conversation finds its links by its own primary-key prefix. The private notes with meta.link
// stay as the thread's record; this is what the conversation JSON shows.
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { conversations, users } from '../schema.js';

export const conversationLinks = sqliteTable('conversation_links', {
  conversationId: text('conversation_id').notNull().references(() => conversations.id, { onDelete: 'cascade' }),
  linkedConversationId: text('linked_conversation_id').notNull().references(() => conversations.id, { onDelete: 'cascade' }),
  createdAt: integer('created_at').notNull(),
  createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
}, (t) => [primaryKey({ columns: [t.conversationId, t.linkedConversationId] }), index('conversation_links_linked_idx').on(t.linkedConversationId)]);
